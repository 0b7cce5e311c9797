"""The export wizard: the records the list's filters select, in xlsx, csv or xml. Records with
handling code H2 or H3 are left out unless the person confirms they may disclose them; every
export is written to the audit log (by ``jobs.run_export``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.qt import QtWidgets, Signal
from desktop.session import Session
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace import cases_query as q
from desktop.workspace.context import OperationRef
from desktop.workspace.wizards import jobs
from forms.exporting.core import EXPORT_FORMATS
from locales import _, ngettext


class ExportWizard(QtWidgets.QDialog):
    """One page is enough: format, file, the handling-code confirmation, then progress."""

    exported = Signal(object)  # ExportSummary

    def __init__(
        self,
        session: Session,
        operation: OperationRef,
        flt: q.CaseFilter,
        parent: QtWidgets.QWidget | None = None,
        record_ids: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operation = operation
        self.filter = flt.without_search()
        self.record_ids = list(record_ids) if record_ids else None  # the rows selected
        self.total = 0
        self.restricted = 0
        self.format = QtWidgets.QComboBox(self)
        self.path = QtWidgets.QLineEdit(self)
        self.browse = QtWidgets.QPushButton(self)
        self.browse.clicked.connect(self._browse)
        self.scope = PlainLabel(parent=self)
        self.scope.setWordWrap(True)
        self.confirm = QtWidgets.QCheckBox(self)
        self.confirm.hide()
        self.bar = QtWidgets.QProgressBar(self)
        self.bar.hide()
        self.outcome = PlainLabel(parent=self)
        self.outcome.setWordWrap(True)
        self.format_label = QtWidgets.QLabel(self)
        self.format_label.setBuddy(self.format)
        self.path_label = QtWidgets.QLabel(self)
        self.path_label.setBuddy(self.path)
        self.buttons = QtWidgets.QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(
            "", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.run)
        self.close_button.clicked.connect(self.reject)
        for fmt in EXPORT_FORMATS:
            self.format.addItem(fmt.upper(), fmt)
        self.format.currentIndexChanged.connect(lambda _i: self._fix_suffix())
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        form = QtWidgets.QFormLayout()
        form.addRow(self.format_label, self.format)
        form.addRow(self.path_label, row)
        outer = QtWidgets.QVBoxLayout(self)
        outer.addWidget(self.scope)
        outer.addLayout(form)
        outer.addWidget(self.confirm)
        outer.addWidget(self.bar)
        outer.addWidget(self.outcome)
        outer.addStretch(1)
        outer.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.path.textChanged.connect(lambda _t: self._update_button())
        self.retranslate()
        self._update_button()
        op, flt_, ids = operation.operation_id, self.filter, self.record_ids
        self.session.call(lambda profile: jobs.count_restricted(profile, op, flt_, ids)).success(
            self._counted
        ).run()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Export records"))
        self.format_label.setText(_("&Format:"))
        self.path_label.setText(_("&File:"))
        self.format.setAccessibleName(_("Format"))
        self.path.setAccessibleName(_("File"))
        self.browse.setText(_("&Browse…"))
        self.export_button.setText(_("&Export"))
        self.confirm.setText(
            _("I may disclose records with handling code H2 or H3 to the file's recipients")
        )
        self._show_scope()

    def _counted(self, counts: tuple[int, int]) -> None:
        self.total, self.restricted = counts
        self.confirm.setVisible(self.restricted > 0)
        self._show_scope()
        self._update_button()
        self.adjustSize()

    def _show_scope(self) -> None:
        if self.record_ids is not None:
            text = ngettext(
                "{n} record selected in the list.",
                "{n} records selected in the list.",
                self.total,
            ).format(n=self.total)
        else:
            text = ngettext(
                "{n} record selected by the list's filters.",
                "{n} records selected by the list's filters.",
                self.total,
            ).format(n=self.total)
        if self.restricted:
            text += " " + ngettext(
                "{n} of them has handling code H2 or H3 and is left out unless you confirm.",
                "{n} of them have handling code H2 or H3 and are left out unless you confirm.",
                self.restricted,
            ).format(n=self.restricted)
        self.scope.setText(text)

    def _browse(self) -> None:
        fmt = self.format.currentData()
        name, _filter = QtWidgets.QFileDialog.getSaveFileName(
            self, _("Export to"), f"cordon-export.{fmt}", f"*.{fmt}"
        )
        if name:
            self.path.setText(name)

    def _fix_suffix(self) -> None:
        text = self.path.text().strip()
        if text:
            self.path.setText(str(Path(text).with_suffix("." + self.format.currentData())))

    def _update_button(self) -> None:
        self.export_button.setEnabled(bool(self.path.text().strip()) and self.total > 0)

    def run(self) -> None:
        op, flt, ids = self.operation.operation_id, self.filter, self.record_ids
        path, fmt = Path(self.path.text().strip()), self.format.currentData()
        include = self.confirm.isChecked()
        self.export_button.setEnabled(False)
        self.bar.show()
        self.bar.setRange(0, 0)

        def work(profile: Any, progress: Any) -> Any:
            return jobs.run_export(
                profile,
                op,
                flt,
                path,
                fmt,
                include_restricted=include,
                progress=progress,
                record_ids=ids,
            )

        def progressed(update: Any) -> None:
            self.bar.setRange(0, max(1, update.total))
            self.bar.setValue(update.done)

        def done(summary: Any) -> None:
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
            text = ngettext(
                "{n} record written to {path}.", "{n} records written to {path}.", summary.records
            ).format(n=summary.records, path=summary.path)
            if summary.left_out_restricted:
                text += " " + ngettext(
                    "{n} restricted record left out.",
                    "{n} restricted records left out.",
                    summary.left_out_restricted,
                ).format(n=summary.left_out_restricted)
            self.outcome.setText(text)
            self.exported.emit(summary)

        def failed(exc: BaseException) -> None:
            self.bar.hide()
            self.export_button.setEnabled(True)
            self.outcome.setText(_("The export failed: {reason}").format(reason=exc))

        self.session.call_with_progress(work).progress(progressed).success(done).failure(
            failed
        ).run()
