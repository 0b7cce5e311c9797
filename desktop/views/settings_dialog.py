"""Settings: interface language (applied at once, no restart), auto-lock minutes, default
relay, retention days and the automatic attachment download limit."""

from __future__ import annotations

from urllib.parse import urlsplit

from desktop.qt import Qt, QtWidgets, Signal
from desktop.settings import LIMITS, Preferences
from desktop.widgets.language_combo import LanguageCombo
from locales import _, current_language


def relay_url_problem(url: str) -> str | None:
    """None when ``url`` is empty or a usable http(s) address, else a sentence saying why not."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return _("The relay address must start with https:// and name a server.")
    return None


class SettingsDialog(QtWidgets.QDialog):
    """Emits ``applied(Preferences)`` on Apply and OK; never holds anything from the store."""

    applied = Signal(object)

    def __init__(
        self,
        prefs: Preferences,
        languages: list[tuple[str, str]],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settings")
        self._prefs = prefs
        self.language = LanguageCombo(languages, self)
        self.language.set_code(prefs.language or current_language())
        self.auto_lock = QtWidgets.QSpinBox(self)
        self.auto_lock.setRange(*LIMITS["auto_lock_minutes"])
        self.auto_lock.setValue(prefs.auto_lock_minutes)
        self.relay = QtWidgets.QLineEdit(prefs.relay_url, self)
        self.relay.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # a URL reads left to right
        self.relay.setMinimumWidth(
            self.relay.fontMetrics().horizontalAdvance("https://relay.example.org:8443") + 24
        )
        self.retention = QtWidgets.QSpinBox(self)
        self.retention.setRange(*LIMITS["retention_days"])
        self.retention.setValue(prefs.retention_days)
        self.download = QtWidgets.QSpinBox(self)
        self.download.setRange(*LIMITS["auto_download_mb"])
        self.download.setValue(prefs.auto_download_mb)
        self.problem = QtWidgets.QLabel(self)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)

        self.labels: dict[str, QtWidgets.QLabel] = {}
        form = QtWidgets.QFormLayout()
        for key, field in (
            ("language", self.language),
            ("auto_lock", self.auto_lock),
            ("relay", self.relay),
            ("retention", self.retention),
            ("download", self.download),
        ):
            label = QtWidgets.QLabel(self)
            label.setBuddy(field)
            self.labels[key] = label
            form.addRow(label, field)

        Button = QtWidgets.QDialogButtonBox.StandardButton  # noqa: N806 - a Qt enum alias
        self.buttons = QtWidgets.QDialogButtonBox(Button.Ok | Button.Apply | Button.Cancel, self)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        self.apply_button = self.buttons.button(Button.Apply)
        self.apply_button.clicked.connect(self._apply)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.relay.textChanged.connect(self._validate)
        self.retranslate()
        self._validate()

    def preferences(self) -> Preferences:
        return self._prefs.with_changes(
            language=self.language.code(),
            auto_lock_minutes=self.auto_lock.value(),
            relay_url=self.relay.text().strip(),
            retention_days=self.retention.value(),
            auto_download_mb=self.download.value(),
        )

    def _validate(self) -> bool:
        problem = relay_url_problem(self.relay.text().strip())
        self.problem.setText(problem or "")
        ok = problem is None
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        self.apply_button.setEnabled(ok)
        return ok

    def _apply(self) -> None:
        if self._validate():
            self._prefs = self.preferences()
            self.applied.emit(self._prefs)

    def _ok(self) -> None:
        if self._validate():
            self._apply()
            self.accept()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Settings"))
        texts = {
            "language": _("Interface &language:"),
            "auto_lock": _("Lock after &idle time:"),
            "relay": _("Default &relay:"),
            "retention": _("Keep closed operations &for:"),
            "download": _("&Download attachments automatically up to:"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.language.setAccessibleName(_("Interface language"))
        self.auto_lock.setAccessibleName(_("Lock after idle time, in minutes"))
        self.auto_lock.setSpecialValueText(_("Never"))
        # Translators: the unit shown after the number of minutes; keep the leading space.
        self.auto_lock.setSuffix(_(" min"))
        self.relay.setAccessibleName(_("Default relay address"))
        self.relay.setPlaceholderText("https://relay.example.org")
        self.retention.setAccessibleName(_("Keep closed operations for, in days"))
        # Translators: the unit shown after the number of days; keep the leading space.
        self.retention.setSuffix(_(" days"))
        self.download.setAccessibleName(_("Automatic download limit, in megabytes"))
        self.download.setSpecialValueText(_("Never"))
        # Translators: the unit shown after the number of megabytes; keep the leading space.
        self.download.setSuffix(_(" MB"))
        # OK, Apply and Cancel are Qt's standard buttons: Qt's own catalog (qtbase) names them.
        self._validate()
