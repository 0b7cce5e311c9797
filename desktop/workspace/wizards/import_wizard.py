"""The import wizard: pick a file and a template, map its columns (suggested from the headers,
editable), give values for every row to the required fields the file has no column for (only
when there are such fields; the reporting country starts as the profile's), dry run with the
report of every refused row, then import with progress.

File reading and validation run on the general pool; the records are written by the session's
writer (sealed into the outbox). Nothing is imported when a row is refused, unless the person
asks to import the valid rows: the refused ones are then saved to a correction file beside the
input, which imports back without duplicates once fixed (``sync.services.imports``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.errors import user_text
from desktop.qt import QtCore, QtWidgets, Signal
from desktop.session import Session
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace.cases_model import template_title
from desktop.workspace.context import OperationRef
from desktop.workspace.wizards import jobs
from forms.importing import ColumnMapping, ImportReport
from forms.importing.mapping import unmapped_required
from forms.model import FieldType
from forms.registry import get_template
from locales import _, ngettext

FILE_FILTER = "*.xlsx *.csv *.txt *.xml"
# The template last imported into each operation (for this run of the app): the next import
# starts with it.
_LAST_TEMPLATE: dict[str, str] = {}


def field_label(template: Any, path: str) -> str:
    """An issue's path as the person knows the field: "commodities[0].category" is
    "Commodities 1 › Category", never the internal path."""
    import re

    if template is None or not path:
        return path
    match = re.fullmatch(r"([A-Za-z0-9_]+)(?:\[(\d+)\])?(?:\.([A-Za-z0-9_]+))?", path)
    if match is None:
        return path
    top, index, sub = match.groups()
    f = template.field(top)
    if f is None:
        return path
    text = _(f.label)
    if index is not None:
        text += f" {int(index) + 1}"
    if sub:
        s = f.subfield(sub) if hasattr(f, "subfield") else None
        text += " › " + (_(s.label) if s is not None else sub)
    return text


class FilePage(QtWidgets.QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.path = QtWidgets.QLineEdit(self)
        self.browse = QtWidgets.QPushButton(self)
        self.browse.clicked.connect(self._browse)
        self.template = QtWidgets.QComboBox(self)
        self.path_label = QtWidgets.QLabel(self)
        self.path_label.setBuddy(self.path)
        self.template_label = QtWidgets.QLabel(self)
        self.template_label.setBuddy(self.template)
        self.error = PlainLabel(parent=self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a4262c;")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        form = QtWidgets.QFormLayout(self)
        form.addRow(self.path_label, row)
        form.addRow(self.template_label, self.template)
        form.addRow(self.error)
        self.path.textChanged.connect(lambda _t: self.completeChanged.emit())
        # A file chosen: guess its template from its headers (off the UI thread).
        self.path.editingFinished.connect(self._guess)
        self._guess_timer = QtCore.QTimer(self)
        self._guess_timer.setSingleShot(True)
        self._guess_timer.setInterval(400)  # a pause in typing: the path is probably whole
        self._guess_timer.timeout.connect(self._guess)
        self.path.textEdited.connect(lambda _t: self._guess_timer.start())
        self._guessed_for = ""
        self.guessed = False  # the template shown was guessed from the file

    def retranslate(self) -> None:
        self.setTitle(_("Choose a file"))
        self.setSubTitle(_("A spreadsheet (xlsx), a CSV file or an XML file."))
        self.path_label.setText(_("&File:"))
        self.template_label.setText(_("&Template:"))
        self.path.setAccessibleName(_("File"))
        self.template.setAccessibleName(_("Template"))
        self.browse.setText(_("&Browse…"))
        current = self.template.currentData()
        self.template.clear()
        for template_id in self.w.templates:
            self.template.addItem(template_title(template_id), template_id)
        current = current or _LAST_TEMPLATE.get(self.w.operation.operation_id)
        if current:
            self.template.setCurrentIndex(max(0, self.template.findData(current)))

    def _browse(self) -> None:
        name, _filter = QtWidgets.QFileDialog.getOpenFileName(
            self,
            _("Choose a file to import"),
            "",
            _("Tables ({patterns})").format(patterns=FILE_FILTER),
        )
        if name:
            self.path.setText(name)
            self._guess()

    def _guess(self) -> None:
        text = self.path.text().strip()
        if not text or text == self._guessed_for or not Path(text).is_file():
            return
        self._guessed_for = text
        path, ids = Path(text), list(self.w.templates)

        def guessed(template_id: str | None) -> None:
            if template_id and self.path.text().strip() == text:
                self.template.setCurrentIndex(max(0, self.template.findData(template_id)))
                self.guessed = True
                self.w.template_guessed.emit(template_id)

        self.w.session.runner.op(lambda _p: jobs.guess_template(path, ids)).success(
            guessed
        ).failure(lambda _exc: None).run()

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.path.text().strip())

    def validatePage(self) -> bool:  # noqa: N802
        """Read the headers off the UI thread, then move on when they arrived."""
        self._guess_timer.stop()  # the template is chosen: no late guess overrides it
        chosen = self.template.currentData()
        if (
            self.w.headers is not None
            and self.w.read_path == self.path.text().strip()
            and self.w.template is not None
            and self.w.template.id == chosen
        ):
            return True  # the same file and template: the mapping made is kept
        _LAST_TEMPLATE[self.w.operation.operation_id] = chosen
        path = Path(self.path.text().strip())
        template = get_template(self.template.currentData())
        self.error.clear()
        self.w.read_path = str(path)

        def read(_progress: Any) -> tuple[list[str], ColumnMapping]:
            return jobs.headers(path, template)

        def got(result: tuple[list[str], ColumnMapping]) -> None:
            self.w.template = template
            self.w.headers, self.w.mapping = result
            self.w.next()

        def failed(exc: BaseException) -> None:
            self.w.read_path = ""
            self.error.setText(
                _("The file could not be read: {reason}").format(reason=user_text(exc))
            )

        self.w.session.runner.op(read).success(got).failure(failed).run()
        return False


class MappingPage(QtWidgets.QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.table = QtWidgets.QTableWidget(self)
        self.table.setColumnCount(2)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.combos: dict[str, QtWidgets.QComboBox] = {}
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table)

    def retranslate(self) -> None:
        self.setTitle(_("Map the columns"))
        self.setSubTitle(_("Each column of the file feeds one field; suggestions are filled in."))
        self.table.setHorizontalHeaderLabels([_("Column in the file"), _("Field")])
        self.table.setAccessibleName(_("Column mapping"))

    def initializePage(self) -> None:  # noqa: N802
        template, headers = self.w.template, self.w.headers or []
        assert template is not None
        mapping = self.w.mapping or ColumnMapping()
        targets = jobs.mapping_targets(template)
        self.table.setRowCount(len(headers))
        self.combos.clear()
        for row, header in enumerate(headers):
            item = QtWidgets.QTableWidgetItem(header)
            self.table.setItem(row, 0, item)
            combo = QtWidgets.QComboBox(self.table)
            combo.addItem(_("(ignore)"), "")
            for target in targets:
                combo.addItem(self._label(target), target)
            combo.setCurrentIndex(max(0, combo.findData(mapping.target(header) or "")))
            combo.setAccessibleName(_("Field for column {column}").format(column=header))
            self.table.setCellWidget(row, 1, combo)
            self.combos[header] = combo
        self.table.resizeColumnToContents(0)

    def _label(self, target: str) -> str:
        template = self.w.template
        assert template is not None
        group, _sep, sub = target.partition(".")
        f = template.field(group)
        if f is None:
            return target
        if sub:
            s = f.subfield(sub)
            return f"{_(f.label)} › {_(s.label) if s else sub}"
        return _(f.label)

    def validatePage(self) -> bool:  # noqa: N802
        assert self.w.template is not None
        fixed = self.w.mapping.fixed if self.w.mapping is not None else {}
        self.w.mapping = ColumnMapping(
            {h: c.currentData() or "" for h, c in self.combos.items()}, self.w.template.id,
            dict(fixed),
        )
        return True

    def nextId(self) -> int:  # noqa: N802
        """The values-for-every-row step only when a required field has no column."""
        w = self.w
        if w.template is not None and w.mapping is not None and \
                unmapped_required(w.template, w.mapping):
            return w.page_ids["fixed"]
        return w.page_ids["dry"]


class FixedPage(QtWidgets.QWizardPage):
    """One value for every row, for each required field the file has no column for. A value
    in a row is never replaced; the reporting country starts as the profile's."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.form = QtWidgets.QFormLayout(self)
        self.editors: dict[str, QtWidgets.QWidget] = {}

    def retranslate(self) -> None:
        self.setTitle(_("Values for every row"))
        self.setSubTitle(
            _("The file has no column for these required fields. A value given here goes into"
              " every row; a value in the file is kept.")
        )
        if self.editors:
            self.initializePage()

    def initializePage(self) -> None:  # noqa: N802
        template, mapping = self.w.template, self.w.mapping
        assert template is not None and mapping is not None
        keep = {fid: self._value(fid) for fid in self.editors}
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors.clear()
        for fid in unmapped_required(template, mapping):
            f = template.field(fid)
            assert f is not None
            start = keep.get(fid) or mapping.fixed.get(fid, "")
            if not start and f.type is FieldType.COUNTRY and f.default == "profile":
                start = self.w.session.summary.country
            editor: QtWidgets.QWidget
            if f.choices:
                combo = QtWidgets.QComboBox(self)
                combo.addItem(_("(none)"), "")
                for choice in f.choices:
                    combo.addItem(_(choice.label), choice.value)
                combo.setCurrentIndex(max(0, combo.findData(start)))
                editor = combo
            else:
                line = QtWidgets.QLineEdit(self)
                line.setText(start)
                editor = line
            editor.setAccessibleName(_(f.label))
            label = QtWidgets.QLabel(_(f.label) + ":", self)
            label.setBuddy(editor)
            self.form.addRow(label, editor)
            self.editors[fid] = editor

    def _value(self, fid: str) -> str:
        editor = self.editors[fid]
        if isinstance(editor, QtWidgets.QComboBox):
            return str(editor.currentData() or "")
        assert isinstance(editor, QtWidgets.QLineEdit)
        template = self.w.template
        f = template.field(fid) if template is not None else None
        text = editor.text().strip()
        return text.upper() if f is not None and f.type is FieldType.COUNTRY else text

    def validatePage(self) -> bool:  # noqa: N802
        mapping = self.w.mapping
        assert mapping is not None
        fixed = {fid: self._value(fid) for fid in self.editors}
        mapping.fixed = {k: v for k, v in {**mapping.fixed, **fixed}.items() if v}
        return True


class DryRunPage(QtWidgets.QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.summary = PlainLabel(parent=self)
        self.summary.setWordWrap(True)
        self.refused = QtWidgets.QTableWidget(self)
        self.refused.setColumnCount(4)
        self.refused.horizontalHeader().setStretchLastSection(True)
        self.refused.verticalHeader().setVisible(False)
        self.valid_only = QtWidgets.QCheckBox(self)
        self.valid_only.toggled.connect(lambda _c: self.completeChanged.emit())
        self.busy = QtWidgets.QProgressBar(self)
        self.busy.setRange(0, 0)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.busy)
        layout.addWidget(self.refused, 1)
        layout.addWidget(self.valid_only)
        self.report: ImportReport | None = None

    def retranslate(self) -> None:
        self.setTitle(_("Dry run"))
        self.setSubTitle(_("Every row is checked; nothing is stored yet."))
        self.refused.setHorizontalHeaderLabels([_("Row"), _("Column"), _("Field"), _("Reason")])
        self.refused.setAccessibleName(_("Refused rows"))
        self.valid_only.setText(
            _("Import the valid rows and save the refused ones in a correction file")
        )
        if self.report is not None:
            self._show(self.report)

    def initializePage(self) -> None:  # noqa: N802
        self.report = None
        self.summary.setText(_("Checking every row…"))
        self.busy.show()
        self.refused.setRowCount(0)
        self.valid_only.hide()
        self.valid_only.setChecked(False)
        path, template, mapping = Path(self.w.read_path), self.w.template, self.w.mapping
        assert template is not None and mapping is not None

        def failed(exc: BaseException) -> None:
            self.busy.hide()
            self.summary.setText(
                _("The file could not be imported: {reason}").format(reason=user_text(exc))
            )

        self.w.session.runner.op(lambda _p: jobs.dry_run(path, template, mapping)).success(
            self._show
        ).failure(failed).run()

    def _show(self, report: ImportReport) -> None:
        self.report = report
        self.w.dry_report = report
        self.busy.hide()
        valid = ngettext("{n} row can be imported", "{n} rows can be imported", report.valid_rows)
        refused = ngettext("{n} row refused", "{n} rows refused", report.refused_rows)
        self.summary.setText(
            valid.format(n=report.valid_rows) + " · " + refused.format(n=report.refused_rows)
        )
        self.refused.setRowCount(len(report.refused))
        for row, r in enumerate(report.refused):
            cells = [str(r.row), r.column or "", field_label(self.w.template, r.field), r.reason]
            for column, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                item.setToolTip(text)
                self.refused.setItem(row, column, item)
        for column in range(3):
            self.refused.resizeColumnToContents(column)
        self.refused.horizontalHeader().setSectionResizeMode(
            3, QtWidgets.QHeaderView.ResizeMode.Stretch
        )
        self.refused.setWordWrap(True)
        self.refused.resizeRowsToContents()  # the reason wraps and is shown whole
        self.valid_only.setVisible(report.refused_rows > 0 and report.valid_rows > 0)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        report = self.report
        if report is None or report.valid_rows == 0:
            return False
        return report.refused_rows == 0 or self.valid_only.isChecked()


class ImportPage(QtWidgets.QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.summary = PlainLabel(parent=self)
        self.summary.setWordWrap(True)
        self.bar = QtWidgets.QProgressBar(self)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.bar)
        layout.addStretch(1)
        self.done = False
        self.outcome: Any = None

    def retranslate(self) -> None:
        self.setTitle(_("Import"))
        self.bar.setAccessibleName(_("Import progress"))

    def initializePage(self) -> None:  # noqa: N802
        self.done = False
        self.summary.setText(_("Storing the records…"))
        self.bar.setRange(0, 0)
        w = self.w
        path, template, mapping = Path(w.read_path), w.template, w.mapping
        assert template is not None and mapping is not None
        op = w.operation.operation_id
        valid_only = w.dry_page.valid_only.isChecked()

        def work(profile: Any, progress: Any) -> Any:
            return jobs.run_import(
                profile, op, path, template, mapping, valid_only=valid_only, progress=progress
            )

        def progressed(update: Any) -> None:
            self.bar.setRange(0, max(1, update.total))
            self.bar.setValue(update.done)

        def finished(outcome: Any) -> None:
            report = outcome.report
            self.done = True
            self.outcome = outcome
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
            lines = [
                ngettext("{n} record imported.", "{n} records imported.", report.imported).format(
                    n=report.imported
                )
            ]
            if outcome.already_in:
                lines.append(
                    ngettext(
                        "{n} row was already in the operation and was not imported again.",
                        "{n} rows were already in the operation and were not imported again.",
                        outcome.already_in,
                    ).format(n=outcome.already_in)
                )
            if outcome.corrections is not None:
                lines.append(
                    _("The refused rows are saved in {path}: correct them there and import"
                      " that file.").format(path=str(outcome.corrections))
                )
            self.summary.setText("\n".join(lines))
            w.imported.emit(report.imported)
            self.completeChanged.emit()

        def failed(exc: BaseException) -> None:
            self.summary.setText(_("The import failed: {reason}").format(reason=user_text(exc)))

        w.session.call_with_progress(work).progress(progressed).success(finished).failure(
            failed
        ).run()

    def isComplete(self) -> bool:  # noqa: N802
        return self.done


class ImportWizard(QtWidgets.QWizard):
    imported = Signal(int)
    template_guessed = Signal(str)  # the file's headers named this template's fields

    def __init__(
        self,
        session: Session,
        operation: OperationRef,
        templates: list[str],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operation = operation
        self.templates = templates
        self.template: Any = None
        self.headers: list[str] | None = None
        self.mapping: ColumnMapping | None = None
        self.read_path = ""
        self.dry_report: ImportReport | None = None
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.fixed_page = FixedPage(self)
        self.dry_page = DryRunPage(self)
        self.import_page = ImportPage(self)
        self.page_ids: dict[str, int] = {}
        for name, page in (
            ("file", self.file_page), ("mapping", self.mapping_page),
            ("fixed", self.fixed_page), ("dry", self.dry_page), ("import", self.import_page),
        ):
            self.page_ids[name] = self.addPage(page)
        self.setOption(QtWidgets.QWizard.WizardOption.NoBackButtonOnLastPage)
        self.resize(720, 520)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Import records"))
        for page in (
            self.file_page, self.mapping_page, self.fixed_page, self.dry_page, self.import_page
        ):
            page.retranslate()
