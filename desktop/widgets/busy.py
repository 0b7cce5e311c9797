"""A busy indicator: an indeterminate bar with a sentence, for work whose length is unknown."""

from __future__ import annotations

from desktop.qt import QtWidgets
from desktop.widgets.plain_label import PlainLabel


class BusyIndicator(QtWidgets.QWidget):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = PlainLabel(parent=self)
        self.label.setWordWrap(True)
        self.bar = QtWidgets.QProgressBar(self)
        self.bar.setRange(0, 0)  # indeterminate: Qt animates it
        self.bar.setTextVisible(False)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setAccessibleName(text)
        self.setAccessibleName(text)
