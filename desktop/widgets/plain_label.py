"""A label that can only ever show plain text (as SecureDrop's ``SecureQLabel``): text from
another participant must never be interpreted as rich text or HTML, nor open links."""

from __future__ import annotations

from desktop.qt import Qt, QtWidgets


class PlainLabel(QtWidgets.QLabel):
    """``QLabel`` locked to ``Qt.PlainText``; selectable by keyboard and mouse for copying."""

    def __init__(
        self, text: str = "", parent: QtWidgets.QWidget | None = None, *, selectable: bool = False
    ) -> None:
        super().__init__(parent)
        super().setTextFormat(Qt.TextFormat.PlainText)
        self.setOpenExternalLinks(False)
        if selectable:
            self.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
        self.setText(text)

    def setTextFormat(self, fmt: Qt.TextFormat) -> None:  # noqa: N802 - Qt's name
        """Refuse any format but plain text."""
        super().setTextFormat(Qt.TextFormat.PlainText)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        # Re-assert on every change: nothing may switch this label to rich text in between.
        super().setTextFormat(Qt.TextFormat.PlainText)
        super().setText(text)
