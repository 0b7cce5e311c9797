"""The passphrase strength meter: zxcvbn's estimate of guesses, shown as a bar and one word."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.qt import QtGui, QtWidgets
from locales import N_, _

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable" against an offline slow-hash attack
_ESTIMATE_CHARS = 100  # zxcvbn's matching is super-linear; the first 100 characters decide

_LABELS = (
    N_("Very weak"),
    N_("Weak"),
    N_("Fair"),
    N_("Strong"),
    N_("Very strong"),
)


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    long_enough: bool
    guesses_log10: float = 0.0

    @property
    def acceptable(self) -> bool:
        return self.long_enough and self.score >= MIN_SCORE


def estimate(passphrase: str, hints: tuple[str, ...] = ()) -> Strength:
    """zxcvbn's score for ``passphrase``; ``hints`` (name, agency) count as guessable words."""
    if not passphrase:
        return Strength(0, False)
    from zxcvbn import zxcvbn

    words = [word for hint in hints for word in hint.split() if word]
    result = zxcvbn(passphrase[:_ESTIMATE_CHARS], user_inputs=words)
    return Strength(
        int(result["score"]), len(passphrase) >= MIN_LENGTH, float(result["guesses_log10"])
    )


class StrengthMeter(QtWidgets.QWidget):
    """A bar from 0 to 4 and the word for it; the colour comes from the palette's roles."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._strength = Strength(0, False)
        self._bar = QtWidgets.QProgressBar(self)
        self._bar.setRange(0, 4)
        self._bar.setTextVisible(False)
        self._bar.setMaximumHeight(8)
        self._label = QtWidgets.QLabel(self)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._bar, 1)
        layout.addWidget(self._label)
        self.setFocusPolicy(self.focusPolicy().NoFocus)
        self.retranslate()

    @property
    def strength(self) -> Strength:
        return self._strength

    def set_strength(self, strength: Strength) -> None:
        self._strength = strength
        self._bar.setValue(strength.score)
        role = (
            QtGui.QPalette.ColorRole.Highlight
            if strength.acceptable
            else QtGui.QPalette.ColorRole.PlaceholderText
        )
        palette = self._bar.palette()
        palette.setColor(QtGui.QPalette.ColorRole.Highlight, self.palette().color(role))
        self._bar.setPalette(palette)
        self.retranslate()

    def retranslate(self) -> None:
        word = _(_LABELS[self._strength.score])
        if self._strength.score and not self._strength.long_enough:
            word = _("Too short")
        self._label.setText(word)
        self.setAccessibleName(_("Passphrase strength"))
        self.setAccessibleDescription(word)
        self._bar.setAccessibleName(_("Passphrase strength"))
