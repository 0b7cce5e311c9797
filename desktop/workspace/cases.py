"""The cases room of the workspace (placeholder until its room lands)."""

from __future__ import annotations

from desktop.qt import QtWidgets
from desktop.session import Session
from desktop.workspace.context import OperationRef
from locales import _


class CasesRoom(QtWidgets.QWidget):
    def __init__(
        self, session: Session, operation: OperationRef, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operation = operation
        self._label = QtWidgets.QLabel(self)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self._label)
        self.retranslate()

    def retranslate(self) -> None:
        self._label.setText(_("Cases"))
