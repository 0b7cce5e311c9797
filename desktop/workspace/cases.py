"""The cases room: the operation's records as a list with filters and search-as-you-type, the
selected record beside it, and the toolbar that opens the editor and the import/export wizards.

The list is :class:`desktop.workspace.cases_model.CasesModel` (lazy pages off the UI thread);
the room keeps only the filter values and the selected record id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.i18n import collator_key
from desktop.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from desktop.session import Session
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace import cases_query as q
from desktop.workspace import record_data
from desktop.workspace.cases_model import (
    STATUS_LABELS,
    CasesModel,
    RecordIdRole,
    status_label,
    template_title,
)
from desktop.workspace.context import OperationRef
from desktop.workspace.record_view import RecordView
from forms.model import HANDLING_CODES
from forms.registry import builtin_templates
from locales import _, ngettext

SEARCH_DEBOUNCE_MS = 40  # short: typing bursts still coalesce, a pause answers at once
NO_DATE = QtCore.QDate(2000, 1, 1)  # the date edits' "any date" value


def operation_templates(operation: OperationRef) -> list[str]:
    """The template ids the operation uses (all shipped ones when it names none)."""
    known = builtin_templates()
    ids = [t for t in operation.templates if t in known]
    return ids or list(known)


class LazyCombo(QtWidgets.QComboBox):
    """A combo box filled the first time it is opened or focused: the country names (Babel,
    pycountry) cost more to load than the whole first page of the list."""

    def __init__(self, fill: Any, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._fill = fill
        self.filled = False

    def ensure_filled(self) -> None:
        if not self.filled:
            self.filled = True
            self._fill(self)

    def showPopup(self) -> None:  # noqa: N802 - Qt's name
        self.ensure_filled()
        super().showPopup()

    def focusInEvent(self, event: QtGui.QFocusEvent) -> None:  # noqa: N802 - Qt's name
        self.ensure_filled()
        super().focusInEvent(event)


class CasesRoom(QtWidgets.QWidget):
    """The records of one operation; it talks to the session. ``bulk_done(count)`` after
    several selected records were validated or returned together."""

    bulk_done = Signal(int)

    def __init__(
        self, session: Session, operation: OperationRef, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operation = operation
        self.model = CasesModel(session, operation.operation_id, self)
        self._members: dict[str, str] = {}
        self._dialogs: list[QtWidgets.QWidget] = []
        self._build()
        self.retranslate()
        self._debounce = QtCore.QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        for combo in (self.template, self.status, self.author, self.country, self.handling):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.apply_filter())
        self.model.loaded.connect(self._update_count)
        self.model.loaded.connect(self._follow_selection)
        self.model.loaded.connect(self._fit_summary_once)
        self._summary_fitted = False
        self._selected: list[str] = []  # the records selected, followed across reloads
        self.model.modelReset.connect(self._size_columns)
        session.changed.connect(self._on_changed)
        session.closed.connect(self._on_closed)
        self.apply_filter()  # first: the list is what the person waits for
        self._load_members()

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.toolbar = QtWidgets.QToolBar(self)
        self.toolbar.setObjectName("cases-toolbar")
        self.new_button = QtWidgets.QToolButton(self)
        self.new_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.new_menu = QtWidgets.QMenu(self.new_button)
        self.new_button.setMenu(self.new_menu)
        self.new_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addWidget(self.new_button)
        self.import_action = self.toolbar.addAction("")
        self.import_action.triggered.connect(self.open_import)
        self.export_action = self.toolbar.addAction("")
        self.export_action.triggered.connect(lambda: self.open_export())
        self.new_button.setEnabled(not self.operation.read_only)
        self.import_action.setEnabled(not self.operation.read_only)

        self.search = QtWidgets.QLineEdit(self)
        self.search.setObjectName("cases-search")
        self.search.setClearButtonEnabled(True)
        self.search_shortcut = QtGui.QShortcut(QtGui.QKeySequence.StandardKey.Find, self)
        self.search_shortcut.activated.connect(self.search.setFocus)

        self.template = QtWidgets.QComboBox(self)
        self.status = QtWidgets.QComboBox(self)
        self.author = QtWidgets.QComboBox(self)
        self.country = LazyCombo(self._fill_countries, self)
        self.handling = QtWidgets.QComboBox(self)
        self.date_from = self._date_edit()
        self.date_to = self._date_edit()
        self.clear_button = QtWidgets.QPushButton(self)
        self.clear_button.clicked.connect(self.clear_filters)

        filters = QtWidgets.QGridLayout()
        self.filter_labels: list[QtWidgets.QLabel] = []
        widgets = [
            self.template,
            self.status,
            self.author,
            self.country,
            self.handling,
            self.date_from,
            self.date_to,
        ]
        for column, widget in enumerate(widgets):
            label = QtWidgets.QLabel(self)
            label.setBuddy(widget)
            self.filter_labels.append(label)
            filters.addWidget(label, 0, column)
            filters.addWidget(widget, 1, column)
        filters.addWidget(self.clear_button, 1, len(widgets))

        self.table = QtWidgets.QTableView(self)
        self.table.setObjectName("cases-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        # Shift and Ctrl pick several rows: validated, returned or exported together.
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        # Selection, not the current index: a view given focus makes row 0 current unselected.
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())

        self.count_label = PlainLabel(parent=self)
        self.view = RecordView(self.session, self.operation, self)
        self.view.edit_requested.connect(self.open_editor_for)
        self.view.open_record.connect(self.select_record)

        left = QtWidgets.QWidget(self)
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table)
        left_layout.addWidget(self.count_label)
        self._build_bulk_bar()
        left_layout.addWidget(self.bulk_bar)
        self.splitter = QtWidgets.QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.view)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.toolbar)
        top.addWidget(self.search, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        self.selected_id: str | None = None

    def _date_edit(self) -> QtWidgets.QDateEdit:
        edit = QtWidgets.QDateEdit(self)
        edit.setCalendarPopup(True)
        edit.setMinimumDate(NO_DATE)
        edit.setDate(NO_DATE)
        return edit

    def retranslate(self) -> None:
        self.setAccessibleName(_("Cases"))
        self.new_button.setText(_("&New record"))
        self.new_button.setAccessibleName(_("New record"))
        self.new_menu.clear()
        for template_id in operation_templates(self.operation):
            action = self.new_menu.addAction(template_title(template_id))
            action.triggered.connect(lambda _c=False, t=template_id: self.open_editor(t))
        self.import_action.setText(_("&Import…"))
        self.export_action.setText(_("E&xport…"))
        self.search.setPlaceholderText(_("Search records (Ctrl+F)"))
        self.search.setAccessibleName(_("Search records"))
        titles = [
            _("&Template"),
            _("&Status"),
            _("A&uthor"),
            _("Countr&y"),
            _("&Handling code"),
            _("Created &from"),
            _("Created u&p to"),
        ]
        for label, title in zip(self.filter_labels, titles, strict=True):
            label.setText(title)
            buddy = label.buddy()
            if buddy is not None:
                buddy.setAccessibleName(title.replace("&", ""))
        self._fill_combos()
        for edit in (self.date_from, self.date_to):
            edit.setSpecialValueText(_("Any date"))
        self.clear_button.setText(_("C&lear filters"))
        self.bulk_validate.setText(_("&Validate all"))
        self.bulk_return.setText(_("Return all"))
        self.bulk_export.setText(_("Export selected…"))
        self.bulk_comment.setPlaceholderText(_("What must the authors correct?"))
        self.bulk_comment.setAccessibleName(_("Comment for the authors"))
        self._update_bulk()
        self.table.setAccessibleName(_("Records"))
        self.view.retranslate()
        self.model.headerDataChanged.emit(
            Qt.Orientation.Horizontal, 0, max(0, self.model.columnCount() - 1)
        )
        self._size_columns()  # status and author fit their words in the new language
        self._update_count()
        if self.model.rowCount():
            self.model.refresh()  # dates and summaries are formatted off the UI thread

    def _fill_countries(self, combo: QtWidgets.QComboBox) -> None:
        from desktop.countries import countries

        self._fill(combo, [(c.code, c.name) for c in countries(sort_key=collator_key())])

    @staticmethod
    def _fill(combo: QtWidgets.QComboBox, items: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(_("All"), "")
        for value, text in items:
            combo.addItem(text, value)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def _fill_combos(self) -> None:
        fill = self._fill
        fill(self.template, [(t, template_title(t)) for t in operation_templates(self.operation)])
        fill(self.status, [(s, _(label)) for s, label in STATUS_LABELS.items() if s != "deleted"])
        authors = [(self.session.device_id, _("me"))]
        authors += [(d, n) for d, n in self._members.items() if d != self.session.device_id]
        fill(self.author, authors)
        if self.country.filled:
            self._fill_countries(self.country)
        elif self.country.count() == 0:
            self.country.addItem(_("All"), "")
        else:
            self.country.setItemText(0, _("All"))
        fill(self.handling, [(code, code) for code in HANDLING_CODES])

    # -- filtering -----------------------------------------------------------------------------

    def current_filter(self) -> q.CaseFilter:
        def day(edit: QtWidgets.QDateEdit) -> dt.date | None:
            value = edit.date()
            return None if value == NO_DATE else dt.date(value.year(), value.month(), value.day())

        return q.CaseFilter(
            template=self.template.currentData() or "",
            status=self.status.currentData() or "",
            author=self.author.currentData() or "",
            country=self.country.currentData() or "",
            handling_code=self.handling.currentData() or "",
            date_from=day(self.date_from),
            date_to=day(self.date_to),
            search=self.search.text().strip(),
        )

    def apply_filter(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.current_filter())

    def clear_filters(self) -> None:
        for combo in (self.template, self.status, self.author, self.country, self.handling):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
            edit.setDate(NO_DATE)
            edit.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filter()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        if self.model.filter.search and n >= q.SEARCH_LIMIT:
            text = _("The newest {count} records found are shown; add words to narrow the search.")
        elif self.model.filter.search:
            text = ngettext("{count} record found", "{count} records found", n)
        else:
            text = ngettext("{count} record", "{count} records", n)
        self.count_label.setText(text.format(count=n))

    # -- selection, opening --------------------------------------------------------------------

    def _build_bulk_bar(self) -> None:
        """What several selected rows offer: validate them, return them with one comment,
        export them."""
        self.bulk_bar = QtWidgets.QWidget(self)
        self.bulk_bar.setObjectName("cases-bulk")
        self.bulk_label = PlainLabel(parent=self.bulk_bar)
        self.bulk_validate = QtWidgets.QPushButton(self.bulk_bar)
        self.bulk_comment = QtWidgets.QLineEdit(self.bulk_bar)
        self.bulk_return = QtWidgets.QPushButton(self.bulk_bar)
        self.bulk_export = QtWidgets.QPushButton(self.bulk_bar)
        self.bulk_error = PlainLabel(parent=self.bulk_bar)
        self.bulk_error.setWordWrap(True)
        self.bulk_error.hide()
        self.bulk_validate.clicked.connect(lambda: self.set_selected_status("validated"))
        self.bulk_return.clicked.connect(self._return_selected)
        self.bulk_export.clicked.connect(lambda: self.open_export(self.selected_ids()))
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bulk_label)
        row.addWidget(self.bulk_validate)
        row.addWidget(self.bulk_comment, 1)
        row.addWidget(self.bulk_return)
        row.addWidget(self.bulk_export)
        layout = QtWidgets.QVBoxLayout(self.bulk_bar)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.bulk_error)
        judge = self.operation.is_coordinator and not self.operation.read_only
        for widget in (self.bulk_validate, self.bulk_comment, self.bulk_return):
            widget.setVisible(judge)
        self.bulk_bar.hide()

    def selected_ids(self) -> list[str]:
        """The records of the selected rows, in list order."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [str(i.data(RecordIdRole)) for i in rows if i.data(RecordIdRole)]

    def _update_bulk(self) -> None:
        count = len(self.selected_ids())
        self.bulk_bar.setVisible(count > 1)
        self.bulk_label.setText(
            ngettext("{count} record selected", "{count} records selected", count).format(
                count=count
            )
        )

    def _return_selected(self) -> None:
        comment = self.bulk_comment.text().strip()
        if not comment:
            self.bulk_error.setText(
                _("Say what the authors must correct before returning the records.")
            )
            self.bulk_error.show()
            self.bulk_comment.setFocus()
            return
        self.set_selected_status("returned", comment)

    def set_selected_status(self, status: str, comment: str | None = None) -> None:
        """Validate or return every selected record that is waiting for a decision; the others
        (drafts of others, records already decided) are left as they are and counted."""
        ids, op = self.selected_ids(), self.operation.operation_id
        self.bulk_error.hide()

        def work(profile: Any) -> tuple[int, int]:
            done = skipped = 0
            for record_id in ids:
                record = profile.store.records.get(op, record_id)
                if record is None or record.status != "submitted":
                    skipped += 1
                    continue
                record_data.set_status(profile, op, record_id, status, comment)
                done += 1
            return done, skipped

        def finished(result: tuple[int, int]) -> None:
            done, skipped = result
            self.bulk_comment.clear()
            self.session.notify_changed(op)
            if skipped:
                self.bulk_error.setText(
                    ngettext(
                        "{count} record was not submitted and was left as it was.",
                        "{count} records were not submitted and were left as they were.",
                        skipped,
                    ).format(count=skipped)
                )
                self.bulk_error.show()
            self.bulk_done.emit(done)

        def failed(exc: BaseException) -> None:
            from desktop.errors import user_text

            self.bulk_error.setText(user_text(exc))
            self.bulk_error.show()

        self.session.call(work).success(finished).failure(failed).run()

    def _selection_changed(self, *_args: Any) -> None:
        self._selected = self.selected_ids()
        self._update_bulk()
        rows = self.table.selectionModel().selectedRows()
        if len(rows) > 1:
            return  # the pane keeps the record last shown; the bar acts on them all
        record_id = rows[0].data(RecordIdRole) if rows else None
        if record_id and record_id != self.selected_id:
            self.selected_id = record_id
            self.view.show_record(record_id)
            self.model.mark_read_locally(record_id)

    def _follow_selection(self) -> None:
        """After the list was read again (a Validate or Return re-sorts it, a sync adds rows),
        keep the selected records' rows selected, wherever they moved, so the rows highlighted
        and the record beside the list stay the same ones."""
        wanted = self._selected or ([self.selected_id] if self.selected_id else [])
        if not wanted:
            return
        rows = [row for row in (self.model.row_of(rid) for rid in wanted) if row is not None]
        if not rows:
            return  # not loaded (scrolled far away) or filtered out: leave the view as it is
        selection = self.table.selectionModel()
        if sorted(index.row() for index in selection.selectedRows()) == sorted(rows):
            return
        chosen = QtCore.QItemSelection()
        last = self.model.columnCount() - 1
        for row in rows:
            chosen.select(self.model.index(row, 0), self.model.index(row, last))
        keep = list(wanted)
        selection.select(chosen, QtCore.QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._selected = keep
        current = self.model.index(rows[0], 0)
        selection.setCurrentIndex(current, QtCore.QItemSelectionModel.SelectionFlag.NoUpdate)
        self.table.scrollTo(current)

    def select_record(self, record_id: str) -> None:
        """Show ``record_id`` beside the list (from a link in the record view, or a test),
        and select its row when the list holds it."""
        self.selected_id = record_id
        self._selected = [record_id]
        self.view.show_record(record_id)
        self.model.mark_read_locally(record_id)
        self._follow_selection()

    def _size_columns(self) -> None:
        """Fixed widths (sizing to contents would read every row of 100,000), the summary
        widest, the last column taking what is left; a narrow window scrolls sideways rather
        than squeezing the summary to nothing."""
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        width = self.table.fontMetrics().averageCharWidth()
        chars = {"template": 20, "summary": 44, "status": 14, "handling": 8, "author": 14}
        # Status, author, handling code: as wide as their longest text in this language (few
        # and known), so "Returned for correction" in Russian is never cut.
        fitted = {
            "status": [status_label(s) for s in STATUS_LABELS],
            "author": list(self.model.author_names()),
            "handling": list(HANDLING_CODES),
        }
        sizes: dict[int, int] = {}
        for column in range(self.model.columnCount()):
            key = self.model.column_key(column)
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.Interactive)
            size = width * chars.get(key, 18)
            if key in fitted:
                size = self._fitting_width(column, fitted[key]) or size
            sizes[column] = size
        for column, size in sizes.items():
            header.resizeSection(column, size)
        self._fit_summary()

    def _fit_summary(self) -> None:
        """The summary takes the room the other columns leave (it says the most), never less
        than its own share; the last column stretches over what remains."""
        keys = [self.model.column_key(c) for c in range(self.model.columnCount())]
        if "summary" not in keys:
            return
        header = self.table.horizontalHeader()
        column = keys.index("summary")
        last = len(keys) - 1
        others = sum(header.sectionSize(c) for c in range(len(keys)) if c not in (column, last))
        share = self.table.fontMetrics().averageCharWidth() * 44
        needed_last = self.table.fontMetrics().averageCharWidth() * 18
        if keys[last] == "updated":  # as wide as the dates shown, in this language's format
            rows = (self.model.row_at(r) for r in range(min(20, self.model.rowCount())))
            dates = [row.updated_text for row in rows if row is not None]
            needed_last = max(needed_last, self._fitting_width(last, dates))
        room = self.table.viewport().width() - others - needed_last
        header.resizeSection(column, max(share, room))

    def _fit_summary_once(self) -> None:
        """Once the first rows are in (their dates say how wide the last column must be)."""
        if not self._summary_fitted and self.model.rowCount():
            self._summary_fitted = True
            self._fit_summary()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_summary()

    def _fitting_width(self, column: int, texts: list[str]) -> int:
        """Room for the widest of ``texts`` and for the header with its sort arrow."""
        body = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        title = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
        margin = 2 * self.table.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_HeaderMargin)
        widest = max((body.horizontalAdvance(t) for t in texts), default=0)
        arrow = header.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_HeaderMarkSize) * 2
        heading = header.fontMetrics().horizontalAdvance(title) + arrow
        return max(widest, heading) + 2 * margin + body.averageCharWidth() * 2

    def edit_selected(self) -> None:
        if self.selected_id:
            self.open_editor_for(self.selected_id)

    def open_editor(self, template_id: str) -> Any:
        """A new record of ``template_id`` in the editor dialog; returns the dialog."""
        from desktop.workspace.editor.dialog import EditorDialog

        dialog = EditorDialog(self.session, self.operation, template_id, parent=self)
        self._keep(dialog)
        dialog.saved.connect(self._saved)
        dialog.show()
        return dialog

    def open_editor_for(self, record_id: str) -> Any:
        from desktop.workspace.editor.dialog import EditorDialog

        dialog = EditorDialog(self.session, self.operation, None, record_id=record_id, parent=self)
        self._keep(dialog)
        dialog.saved.connect(self._saved)
        dialog.show()
        return dialog

    def open_import(self) -> Any:
        from desktop.workspace.wizards.import_wizard import ImportWizard

        wizard = ImportWizard(
            self.session, self.operation, operation_templates(self.operation), parent=self
        )
        self._keep(wizard)
        wizard.imported.connect(lambda _n: self._on_changed(self.operation.operation_id))
        wizard.show()
        return wizard

    def open_export(self, record_ids: list[str] | None = None) -> Any:
        """The export wizard for what the filters select, or for ``record_ids`` (the rows
        selected)."""
        from desktop.workspace.wizards.export_wizard import ExportWizard

        wizard = ExportWizard(
            self.session,
            self.operation,
            self.current_filter(),
            parent=self,
            record_ids=record_ids or None,
        )
        self._keep(wizard)
        wizard.show()
        return wizard

    def _keep(self, widget: QtWidgets.QWidget) -> None:
        self._dialogs = [d for d in self._dialogs if d.isVisible()]
        self._dialogs.append(widget)

    def _saved(self, record_id: str) -> None:
        self.session.notify_changed(self.operation.operation_id)
        self.select_record(record_id)

    # -- session -------------------------------------------------------------------------------

    def _load_members(self) -> None:
        op = self.operation.operation_id
        self.session.call(lambda profile: q.members(profile, op)).success(self._got_members).run()

    def _got_members(self, members: list[q.Member]) -> None:
        self._members = {m.device_id: m.name for m in members}
        self.model.set_members(self._members)
        self.view.set_members(self._members)
        self._fill_combos()
        self._size_columns()  # the author column fits the longest name

    def _on_changed(self, operation_id: str) -> None:
        if operation_id == self.operation.operation_id:
            self.model.refresh()
            if self.selected_id:
                self.view.show_record(self.selected_id)

    def _on_closed(self) -> None:
        for dialog in self._dialogs:
            dialog.close()
        self._dialogs.clear()
        self.view.clear()
        self.model.clear()
