"""The record editor window: the form of one template, "Save as draft" and "Submit".

A new record is created; an existing one is loaded off the UI thread and its changed fields are
written as a revision. Saving validates once more on the writer thread (the same
``forms.validation`` the form uses) and seals the change into the outbox (``LocalChanges``).
"""

from __future__ import annotations

from typing import Any

from desktop.qt import QtGui, QtWidgets, Signal
from desktop.session import Session
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace import record_data
from desktop.workspace.cases_model import template_title
from desktop.workspace.context import OperationRef
from desktop.workspace.editor.form import RecordForm
from forms.registry import get_template
from forms.validation import ValidationResult
from locales import _, ngettext


class EditorDialog(QtWidgets.QDialog):
    saved = Signal(str)  # record id
    ready = Signal()  # the form is built (an existing record: and filled)

    def __init__(
        self,
        session: Session,
        operation: OperationRef,
        template_id: str | None,
        *,
        record_id: str | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operation = operation
        self.record_id = record_id
        self.form: RecordForm | None = None
        self.status = "draft"
        self.summary = PlainLabel(parent=self)
        self.summary.setWordWrap(True)
        self.scroller = QtWidgets.QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.draft_button = QtWidgets.QPushButton(self)
        self.submit_button = QtWidgets.QPushButton(self)
        self.cancel_button = QtWidgets.QPushButton(self)
        self.draft_button.clicked.connect(lambda: self.save("draft"))
        self.submit_button.clicked.connect(lambda: self.save("submitted"))
        self.cancel_button.clicked.connect(self.reject)
        self.submit_button.setDefault(True)
        QtGui.QShortcut(QtGui.QKeySequence.StandardKey.Save, self, lambda: self.save("draft"))
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for button in (self.draft_button, self.submit_button, self.cancel_button):
            buttons.addWidget(button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(buttons)
        self.resize(720, 760)
        self.retranslate()
        op = operation.operation_id
        self.session.call(
            lambda profile: record_data.editor_setup(profile, op, template_id, record_id)
        ).success(self._loaded).run()

    def retranslate(self) -> None:
        self.draft_button.setText(_("Save as &draft"))
        self.submit_button.setText(_("&Submit"))
        self.cancel_button.setText(_("Cancel"))
        if self.form is not None:
            self.setWindowTitle(
                (_("New: {template}") if self.record_id is None else _("Edit: {template}")).format(
                    template=template_title(self.form.template.id)
                )
            )
            self.form.retranslate()

    def _loaded(self, setup: tuple[Any, str, frozenset[str]]) -> None:
        record, template_id, hidden = setup
        if record is None and self.record_id is not None:
            self.summary.setText(_("This record no longer exists."))
            return
        if record is not None:
            self.status = record.status
        self._build(template_id, dict(record.fields) if record is not None else {}, hidden)

    def _build(self, template_id: str, values: dict[str, Any], hidden: frozenset[str]) -> None:
        template = get_template(template_id)
        self.form = RecordForm(
            self.session,
            self.operation.operation_id,
            template,
            hidden=hidden,
            record_id=self.record_id,
            parent=self,
        )
        self.form.validated.connect(self._show_summary)
        self.form.create_link.connect(self._create_linked)
        self.scroller.setWidget(self.form)
        self.form.set_values(values)
        self.retranslate()
        self.ready.emit()

    def _show_summary(self, result: ValidationResult) -> None:
        errors, warnings = len(result.errors), len(result.warnings)
        parts = []
        if errors:
            parts.append(ngettext("{n} field to fix", "{n} fields to fix", errors).format(n=errors))
        if warnings:
            parts.append(ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))
        self.summary.setText(" · ".join(parts))

    def save(self, status: str) -> None:
        """Validate and write; on success emit ``saved`` and close."""
        if self.form is None:
            return
        form = self.form
        if self.record_id is not None and status == "draft" and self.status != "draft":
            status = self.status  # saving changes keeps a submitted or returned record's state
        op, template, values, record_id = (
            self.operation.operation_id,
            form.template,
            form.values(),
            self.record_id,
        )
        for button in (self.draft_button, self.submit_button):
            button.setEnabled(False)

        def done(result: record_data.SaveResult) -> None:
            self.record_id = result.record_id
            self.saved.emit(result.record_id)
            self.accept()

        def failed(exc: BaseException) -> None:
            for button in (self.draft_button, self.submit_button):
                button.setEnabled(True)
            self.summary.setText(str(exc))
            form.reveal_all()
            form.validate_now()

        self.session.call(
            lambda profile: record_data.save(
                profile, op, template, values, record_id=record_id, status=status
            )
        ).success(done).failure(failed).run()

    def _create_linked(self, template_id: str, callback: Any) -> None:
        child = EditorDialog(self.session, self.operation, template_id, parent=self)
        child.saved.connect(callback)
        child.open()
