"""The workspace frame: one tab per room for the open operation."""

from __future__ import annotations

from desktop.qt import QtWidgets
from desktop.session import Session
from desktop.workspace.cases import CasesRoom
from desktop.workspace.context import OperationRef
from desktop.workspace.library import LibraryRoom
from desktop.workspace.messages import MessagesRoom
from desktop.workspace.picture import PictureRoom
from locales import _


class Workspace(QtWidgets.QTabWidget):
    """The rooms of one operation. The main window creates it when an operation is opened and
    deletes it when another is opened or the profile is locked."""

    def __init__(
        self, session: Session, operation: OperationRef, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.setDocumentMode(True)
        self.session = session
        self.operation = operation
        self.cases = CasesRoom(session, operation, self)
        self.messages = MessagesRoom(session, operation, self)
        self.library = LibraryRoom(session, operation, self)
        self.picture = PictureRoom(session, operation, self)
        for room in self.rooms():
            self.addTab(room, "")
        self.messages.show_library_item.connect(self.show_library_item)
        self.retranslate()

    def show_library_item(self, item_id: str) -> None:
        """A message's attachment was clicked: show it in the library room."""
        self.setCurrentWidget(self.library)
        self.library.select(item_id)

    def rooms(self) -> list[QtWidgets.QWidget]:
        return [self.cases, self.messages, self.library, self.picture]

    def retranslate(self) -> None:
        titles = [_("&Cases"), _("&Messages"), _("&Library"), _("Operation &picture")]
        for index, title in enumerate(titles):
            self.setTabText(index, title)
        self.setAccessibleName(_("Operation workspace"))
        for room in self.rooms():
            room.retranslate()  # type: ignore[attr-defined]
