"""The case list's item model: a window over the store that fetches pages as they are shown.

``rowCount`` is the filtered count (one cheap query); a row's data is asked for by page, off the
UI thread, the first time a view paints it; until the page arrives the row shows an ellipsis.
Pages are kept in a small LRU, so scrolling through 100,000 records holds a few hundred rows in
memory. A change of filter, sort or search starts a new *generation*: answers of an older one
are dropped when they arrive (a stale search never overwrites a newer one).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from desktop.qt import Qt, QtCore, QtGui, Signal
from desktop.session import Session
from desktop.workspace import cases_query as q
from desktop.workspace.cases_query import CaseFilter, CaseRow, Sort
from forms.model import FieldType
from forms.registry import builtin_templates
from locales import N_, _

MAX_PAGES = 40  # pages kept (8,000 rows); the rest is asked for again when scrolled back to
RecordIdRole = Qt.ItemDataRole.UserRole + 1
UnreadRole = Qt.ItemDataRole.UserRole + 2

STATUS_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "validated": N_("Validated"),
    "returned": N_("Returned for correction"),
    "deleted": N_("Deleted"),
}


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def template_title(template_id: str) -> str:
    template = builtin_templates().get(template_id)
    return _(template.title) if template is not None else template_id


hlc_text = q.hlc_text


def _isolate(text: str) -> str:
    return f"\u2068{text}\u2069" if text else ""


def summary_date_field(template_id: str) -> str:
    """The date field a sort by the summary column follows: the template's first date (the
    seizure's date for the list of every template, where seizures are most records)."""
    template = builtin_templates().get(template_id or "seizure-long")
    if template is not None:
        for f in template.fields():
            if f.type is FieldType.DATE:
                return f.id
    return "seizure_date"


class Column:
    """One list column: its header, its sort key, and how a row shows in it."""

    def __init__(self, key: str, header: Callable[[], str], text: Callable[[CaseRow], str]):
        self.key = key
        self.header = header
        self.text = text


def _generic_columns(authors: Callable[[str], str]) -> list[Column]:
    return [
        Column("template", lambda: _("Template"), lambda r: template_title(r.template_id)),
        # Isolated: a summary of Latin names and codes keeps its order in an Arabic list.
        Column("summary", lambda: _("Summary"), lambda r: _isolate(r.snippet or r.summary)),
        Column("status", lambda: _("Status"), lambda r: status_label(r.status)),
        Column("handling", lambda: _("Handling"), lambda r: r.handling_code),
        Column("author", lambda: _("Author"), lambda r: authors(r.author)),
        Column("updated", lambda: _("Updated"), lambda r: r.updated_text),
    ]


def _template_columns(template_id: str, authors: Callable[[str], str]) -> list[Column]:
    template = builtin_templates()[template_id]
    columns = []
    for fid in q.column_fields(template):
        f = template.field(fid)
        assert f is not None
        label = f.label
        columns.append(
            Column(
                "f:" + fid,
                lambda label=label: _(label),  # type: ignore[misc]
                lambda r, fid=fid: q.display_value(r.values.get(fid)),  # type: ignore[misc]
            )
        )
    columns += [
        Column("status", lambda: _("Status"), lambda r: status_label(r.status)),
        Column("handling", lambda: _("Handling"), lambda r: r.handling_code),
        Column("author", lambda: _("Author"), lambda r: authors(r.author)),
        Column("updated", lambda: _("Updated"), lambda r: r.updated_text),
    ]
    return columns


class CasesModel(QtCore.QAbstractTableModel):
    """Records of one operation, filtered and sorted, fetched lazily by page.

    ``loaded`` is emitted when the count (and, for a search, the rows) of a generation arrived:
    tests and the benchmark wait on it; ``page_loaded(first_row)`` after each page.
    """

    loaded = Signal()
    page_loaded = Signal(int)

    def __init__(self, session: Session, operation_id: str, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.operation_id = operation_id
        self.filter = CaseFilter()
        self.sort_order = Sort()
        self._names: dict[str, str] = {}
        self._columns = _generic_columns(self.author_name)
        self._count = 0
        self._pages: OrderedDict[int, list[CaseRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self._search_rows: list[CaseRow] | None = None
        self._bold = QtGui.QFont()
        self._bold.setBold(True)
        self.is_loading = False

    # -- what the room asks ------------------------------------------------------------------

    def set_members(self, names: dict[str, str]) -> None:
        self._names = dict(names)
        if self._count:
            self.dataChanged.emit(
                self.index(0, 0), self.index(self._count - 1, self.columnCount() - 1)
            )

    def author_names(self) -> list[str]:
        """Every name the author column can show (the members', and "me")."""
        return [_("me"), *self._names.values()]

    def author_name(self, device_id: str) -> str:
        if device_id == self.session.device_id:
            return _("me")
        return self._names.get(device_id) or device_id[:12]

    def set_filter(self, flt: CaseFilter) -> None:
        if flt.template != self.filter.template:
            self.beginResetModel()
            self._columns = (
                _template_columns(flt.template, self.author_name)
                if flt.template in builtin_templates()
                else _generic_columns(self.author_name)
            )
            if self.sort_order.key.startswith("f:"):
                self.sort_order = Sort()
            self.endResetModel()
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        """Ask again for everything (a filter changed, or the operation's data did)."""
        self._generation += 1
        generation = self._generation
        flt, order, op = self.filter, self.sort_order, self.operation_id
        self.is_loading = True
        if flt.search.strip():
            self.session.call(lambda profile: q.search(profile, op, flt, order)).success(
                lambda rows: self._searched(generation, rows)
            ).run()
        else:
            self.session.call(
                lambda profile: (q.count(profile, op, flt), q.page(profile, op, flt, order, 0))
            ).success(lambda result: self._counted(generation, *result)).run()

    def clear(self) -> None:
        """Drop every row held (the profile was locked); late answers are ignored."""
        self._generation += 1
        self.beginResetModel()
        self._pages.clear()
        self._pending.clear()
        self._search_rows = None
        self._count = 0
        self.endResetModel()

    def refresh(self) -> None:
        """The operation's data changed (a save, a sync): ask again without a reset, so the
        scroll position and the selection stay where the person left them."""
        if self.filter.search.strip() or self.is_loading:
            self.reload()
            return
        self._generation += 1
        generation = self._generation
        flt, order, op = self.filter, self.sort_order, self.operation_id
        self.session.call(
            lambda profile: (q.count(profile, op, flt), q.page(profile, op, flt, order, 0))
        ).success(lambda result: self._refreshed(generation, *result)).run()

    def _refreshed(self, generation: int, total: int, first: list[CaseRow]) -> None:
        if generation != self._generation:
            return
        self._pages.clear()
        self._pending.clear()
        self._pages[0] = first
        if total > self._count:
            self.beginInsertRows(QtCore.QModelIndex(), self._count, total - 1)
            self._count = total
            self.endInsertRows()
        elif total < self._count:
            self.beginRemoveRows(QtCore.QModelIndex(), total, self._count - 1)
            self._count = total
            self.endRemoveRows()
        if self._count:
            self.dataChanged.emit(
                self.index(0, 0), self.index(self._count - 1, self.columnCount() - 1)
            )
        self.loaded.emit()

    def row_at(self, row: int) -> CaseRow | None:
        """The row if its page is loaded (None otherwise; the page is then asked for)."""
        if self._search_rows is not None:
            return self._search_rows[row] if 0 <= row < len(self._search_rows) else None
        number = row // q.PAGE_SIZE
        rows = self._pages.get(number)
        if rows is None:
            self._fetch(number)
            return None
        self._pages.move_to_end(number)
        index = row - number * q.PAGE_SIZE
        return rows[index] if index < len(rows) else None

    def row_of(self, record_id: str) -> int | None:
        """The list row showing ``record_id`` among the rows loaded, or None."""
        if self._search_rows is not None:
            pages = {0: self._search_rows}
            size = len(self._search_rows) or 1
        else:
            pages, size = dict(self._pages), q.PAGE_SIZE
        for number, rows in pages.items():
            for index, row in enumerate(rows):
                if row.record_id == record_id:
                    return number * size + index
        return None

    def mark_read_locally(self, record_id: str) -> None:
        """Drop the unread mark of a row just opened (the store is told by the room)."""
        for rows in [*self._pages.values(), self._search_rows or []]:
            for i, r in enumerate(rows):
                if r.record_id == record_id and r.unread:
                    rows[i] = CaseRow(**{**r.__dict__, "unread": False})
        self.dataChanged.emit(self.index(0, 0), self.index(max(0, self._count - 1), 0))

    def column_key(self, column: int) -> str:
        return self._columns[column].key

    # -- Qt's model interface ----------------------------------------------------------------

    def rowCount(self, parent: Any = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else self._count

    def columnCount(self, parent: Any = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].header()
        return None

    def data(self, index: Any, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            if row is None:
                return "…"
            return self._columns[index.column()].text(row)
        if row is None:
            return None
        if role == RecordIdRole:
            return row.record_id
        if role == UnreadRole:
            return row.unread
        if role == Qt.ItemDataRole.FontRole and row.unread:
            return self._bold
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and row.unread and index.column() == 0:
            return _("unread")
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self._columns[column].key if 0 <= column < len(self._columns) else "updated"
        if key == "summary":
            key = "f:" + summary_date_field(self.filter.template)  # the date the summary ends with
        if key == "handling":
            key = "f:handling_code"
        self.sort_order = Sort(key, order == Qt.SortOrder.DescendingOrder)
        self.reload()

    # -- answers -----------------------------------------------------------------------------

    def _fetch(self, number: int) -> None:
        if number in self._pending:
            return
        self._pending.add(number)
        generation = self._generation
        flt, order, op = self.filter, self.sort_order, self.operation_id
        offset = number * q.PAGE_SIZE
        self.session.call(lambda profile: q.page(profile, op, flt, order, offset)).success(
            lambda rows: self._paged(generation, number, rows)
        ).run()

    def _counted(self, generation: int, total: int, first: list[CaseRow]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._search_rows = None
        self._pages.clear()
        self._pending.clear()
        self._pages[0] = first
        self._count = total
        self.endResetModel()
        self.is_loading = False
        self.loaded.emit()

    def _searched(self, generation: int, rows: list[CaseRow]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._pages.clear()
        self._pending.clear()
        self._search_rows = rows
        self._count = len(rows)
        self.endResetModel()
        self.is_loading = False
        self.loaded.emit()

    def _paged(self, generation: int, number: int, rows: list[CaseRow]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(number)
        self._pages[number] = rows
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        first = number * q.PAGE_SIZE
        last = min(self._count, first + q.PAGE_SIZE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))
        self.page_loaded.emit(first)
