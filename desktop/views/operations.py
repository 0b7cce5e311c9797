"""The operations list: name, role, status, unread messages, last sync; with the actions to
create, join and open an operation. It only shows :class:`OperationRow` values; the main window
fetches them (through the session) and decides what the actions do."""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.i18n import format_datetime, format_number, format_time
from desktop.operations_data import OperationRow
from desktop.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from locales import _, ngettext

COLUMNS = ("name", "role", "status", "unread", "last_sync")


def role_text(role: str) -> str:
    return {
        "coordinator": _("Coordinator"),
        "participant": _("Participant"),
        "officer": _("Participant"),
        "observer": _("Observer"),
    }.get(role, role)


def status_text(status: str) -> str:
    return {
        "active": _("Active"),
        "pending": _("Waiting for admission"),
        "closed": _("Closed"),
        "removed": _("Removed"),
        "shredded": _("Erased"),
    }.get(status, status)


class OperationsModel(QtCore.QAbstractTableModel):
    """Rows of :class:`OperationRow`; last-sync times come from the sync thread."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[OperationRow] = []
        self.last_sync: dict[str, dt.datetime] = {}

    def set_rows(self, rows: list[OperationRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def set_last_sync(self, operation_id: str, when: dt.datetime) -> None:
        self.last_sync[operation_id] = when
        for index, row in enumerate(self.rows):
            if row.operation_id == operation_id:
                cell = self.index(index, COLUMNS.index("last_sync"))
                self.dataChanged.emit(cell, cell)

    def row_at(self, index: int) -> OperationRow | None:
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def rowCount(self, parent: Any = None) -> int:  # noqa: N802 - Qt's name
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent: Any = None) -> int:  # noqa: N802 - Qt's name
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return [_("Operation"), _("Role"), _("Status"), _("Unread"), _("Last sync")][section]

    def data(self, index: Any, role: int = 0) -> Any:
        row = self.row_at(index.row())
        if row is None:
            return None
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == "name":
                return row.name or _("(waiting for the operation's details)")
            if column == "role":
                return role_text(row.role)
            if column == "status":
                return status_text(row.status)
            if column == "unread":
                return format_number(row.unread) if row.unread else ""
            when = self.last_sync.get(row.operation_id)
            if when is None:
                return _("never")
            if when.astimezone().date() == dt.date.today():
                return format_time(when)
            return format_datetime(when, "short")
        if role == Qt.ItemDataRole.FontRole and column == "name" and row.unread:
            font = QtGui.QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == "name":
            return row.name
        if role == Qt.ItemDataRole.ToolTipRole and column == "unread" and row.alerts:
            return ngettext("{count} unread alert", "{count} unread alerts", row.alerts).format(
                count=row.alerts
            )
        if role == Qt.ItemDataRole.UserRole:
            return row.operation_id
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1)
            )


class OperationsPanel(QtWidgets.QWidget):
    """The list with its buttons. Emits what the person asks for with the chosen row."""

    open_requested = Signal(object)  # OperationRow
    create_requested = Signal()
    join_requested = Signal()
    participants_requested = Signal(object)  # OperationRow

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operations")
        self.model = OperationsModel(self)
        self.title = QtWidgets.QLabel(self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.view = QtWidgets.QTreeView(self)
        self.view.setObjectName("operations-view")
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.view.activated.connect(self._activated)
        self.view.header().setStretchLastSection(False)
        self.view.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            self.view.header().setSectionResizeMode(
                column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents
            )
        self.empty = QtWidgets.QLabel(self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.create_button = QtWidgets.QPushButton(self)
        self.create_button.setObjectName("create-operation")
        self.create_button.clicked.connect(self.create_requested)
        self.join_button = QtWidgets.QPushButton(self)
        self.join_button.setObjectName("join-operation")
        self.join_button.clicked.connect(self.join_requested)
        self.open_button = QtWidgets.QPushButton(self)
        self.open_button.setObjectName("open-operation")
        self.open_button.clicked.connect(self._open_current)
        self.participants_button = QtWidgets.QPushButton(self)
        self.participants_button.setObjectName("participants")
        self.participants_button.clicked.connect(self._participants_current)
        buttons = QtWidgets.QGridLayout()
        buttons.addWidget(self.create_button, 0, 0)
        buttons.addWidget(self.join_button, 0, 1)
        buttons.addWidget(self.open_button, 1, 0)
        buttons.addWidget(self.participants_button, 1, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(buttons)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()
        self.retranslate()

    def set_rows(self, rows: list[OperationRow]) -> None:
        current = self.current()
        self.model.set_rows(rows)
        has_rows = bool(rows)
        self.view.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        if current is not None:
            self.select(current.operation_id)
        elif has_rows:
            self.view.setCurrentIndex(self.model.index(0, 0))
        self._update_buttons()

    def select(self, operation_id: str) -> bool:
        for index, row in enumerate(self.model.rows):
            if row.operation_id == operation_id:
                self.view.setCurrentIndex(self.model.index(index, 0))
                return True
        return False

    def current(self) -> OperationRow | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _activated(self, index: QtCore.QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_requested.emit(row)

    def _open_current(self) -> None:
        row = self.current()
        if row is not None:
            self.open_requested.emit(row)

    def _participants_current(self) -> None:
        row = self.current()
        if row is not None:
            self.participants_requested.emit(row)

    def _update_buttons(self) -> None:
        row = self.current()
        self.open_button.setEnabled(row is not None and row.status in ("active", "closed"))
        self.participants_button.setEnabled(row is not None and row.status == "active")

    def retranslate(self) -> None:
        self.title.setText(_("Operations"))
        self.empty.setText(
            _("No operations yet. Create one as coordinator, or join one with an invitation code.")
        )
        self.create_button.setText(_("&New operation…"))
        self.join_button.setText(_("&Join…"))
        self.open_button.setText(_("Op&en"))
        self.participants_button.setText(_("P&articipants…"))
        self.view.setAccessibleName(_("Operations"))
        self.create_button.setAccessibleName(_("Create a new operation"))
        self.join_button.setAccessibleName(_("Join an operation with an invitation code"))
        self.open_button.setAccessibleName(_("Open the selected operation"))
        self.participants_button.setAccessibleName(_("Participants of the selected operation"))
        self.empty.setAccessibleName(_("No operations yet"))
        self.model.retranslate()
