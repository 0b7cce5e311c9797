"""The record editor window: the form of one template, "Save as draft" and "Submit".

A new record is created; an existing one is loaded off the UI thread and its changed fields are
written as a revision. Saving validates once more on the writer thread (the same
``forms.validation`` the form uses) and seals the change into the outbox (``LocalChanges``).

A record made with "Create…" beside a link (the courier of a seizure) opens in a second editor
that does not write: it hands its values back, the link shows the person's name, and both are
written when the seizure is saved, so a cancelled seizure leaves no orphan person behind.
The form is kept every few seconds in the encrypted store (``sync.store.drafts``) and offered
back when the same form is opened again after a crash or a lock.
"""

from __future__ import annotations

import uuid
from typing import Any

from desktop.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from desktop.session import Session
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace import record_data
from desktop.workspace.cases_model import template_title
from desktop.workspace.context import OperationRef
from desktop.workspace.editor.compound import LinkField, link_label
from desktop.workspace.editor.form import RecordForm
from forms.registry import get_template
from forms.validation import ValidationResult
from locales import _, ngettext
from sync.services import drafts

AUTOSAVE_MS = 3000
# What a person made from a seizure takes over from it (same meaning in both templates).
CARRIED_OVER = ("handling_code", "source_reliability", "information_accuracy")


class EditorDialog(QtWidgets.QDialog):
    saved = Signal(str)  # record id
    ready = Signal()  # the form is built (an existing record: and filled)
    # A deferred editor (``deferred=True``) writes nothing: it hands back the record it made.
    made = Signal(object)  # list[record_data.PendingRecord]: this one first, then its own

    def __init__(
        self,
        session: Session,
        operation: OperationRef,
        template_id: str | None,
        *,
        record_id: str | None = None,
        deferred: bool = False,
        initial: dict[str, Any] | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operation = operation
        self.record_id = record_id
        self.deferred = deferred
        self.initial = dict(initial or {})
        self.form: RecordForm | None = None
        self.status = "draft"
        self.pending: dict[str, record_data.PendingRecord] = {}
        self.draft_key = uuid.uuid4().hex
        self.restorable: Any = None  # a draft kept from an earlier session of this form
        self.discard_box: QtWidgets.QMessageBox | None = None
        self._baseline: dict[str, Any] | None = None
        self._autosaved: Any = None
        self._closing = False
        self._go_to_issue = False
        self._issue_index = -1
        self.child: EditorDialog | None = None
        self.message = PlainLabel(parent=self)
        self.message.setWordWrap(True)
        self.message.setObjectName("message")
        self.message.hide()
        self.restore_bar = QtWidgets.QWidget(self)
        self.restore_label = PlainLabel(parent=self.restore_bar)
        self.restore_label.setWordWrap(True)
        self.restore_button = QtWidgets.QPushButton(self.restore_bar)
        self.restore_button.clicked.connect(self.restore)
        self.forget_button = QtWidgets.QPushButton(self.restore_bar)
        self.forget_button.clicked.connect(self._forget_restorable)
        bar = QtWidgets.QHBoxLayout(self.restore_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.restore_label, 1)
        bar.addWidget(self.restore_button)
        bar.addWidget(self.forget_button)
        self.restore_bar.hide()
        self.summary = QtWidgets.QPushButton(self)
        self.summary.setFlat(True)
        self.summary.setObjectName("summary")
        self.summary.clicked.connect(self.next_issue)
        self.summary.hide()
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
        buttons.addWidget(self.summary)
        buttons.addStretch(1)
        for button in (self.draft_button, self.submit_button, self.cancel_button):
            buttons.addWidget(button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.restore_bar)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._fit_screen()
        self._autosave_timer = QtCore.QTimer(self)
        self._autosave_timer.setInterval(AUTOSAVE_MS)
        self._autosave_timer.timeout.connect(self.autosave)
        self.retranslate()
        op = operation.operation_id

        def setup(profile: Any) -> tuple[Any, Any]:
            found = record_data.editor_setup(profile, op, template_id, record_id)
            kept = None if deferred else drafts.find(profile, op, found[1], record_id)
            return found, kept

        self.session.call(setup).success(self._loaded).run()

    def _fit_screen(self) -> None:
        """720×760 where there is room; on a 1366×768 screen with a taskbar, what is left, so
        the buttons at the bottom stay on screen."""
        width, height = 720, 760
        screen = self.screen() or QtGui.QGuiApplication.primaryScreen()
        if screen is not None:
            room = screen.availableGeometry()
            width = min(width, room.width() - 40)
            height = min(height, room.height() - 60)  # the title bar
        self.resize(max(width, 420), max(height, 360))

    def retranslate(self) -> None:
        self.draft_button.setText(_("Save as &draft") if not self.deferred else _("&Keep"))
        self.submit_button.setText(_("&Submit") if not self.deferred else _("&Link"))
        self.cancel_button.setText(_("Cancel"))
        self.restore_button.setText(_("&Restore"))
        self.forget_button.setText(_("Discard"))
        if self.form is not None:
            self.setWindowTitle(
                (_("New: {template}") if self.record_id is None else _("Edit: {template}")).format(
                    template=template_title(self.form.template.id)
                )
            )
            self.form.retranslate()
            if self.form.result is not None:
                self._show_summary(self.form.result)

    def _loaded(self, setup: tuple[tuple[Any, str, frozenset[str]], Any]) -> None:
        (record, template_id, hidden), kept = setup
        if record is None and self.record_id is not None:
            self._say(_("This record no longer exists."))
            return
        if record is not None:
            self.status = record.status
        self._build(template_id, dict(record.fields) if record is not None else None, hidden)
        if kept is not None:
            self._offer(kept)

    def _build(
        self, template_id: str, values: dict[str, Any] | None, hidden: frozenset[str]
    ) -> None:
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
        if values is None:  # a new record: the template's defaults, what it was made from
            values = {**self.form.defaults(), **self.initial}
        self.form.set_values(values)
        self._baseline = self.form.values()
        self.retranslate()
        chain = self.form.focus_chain()
        if chain:
            QtWidgets.QWidget.setTabOrder(chain[-1], self.draft_button)
            chain[0].setFocus()
        self._autosave_timer.start()
        self.ready.emit()

    # -- problems ------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _show_summary(self, result: ValidationResult) -> None:
        form = self.form
        if form is None:
            return
        errors = len(form.error_fields())
        warnings = len(result.warnings)
        parts = []
        if errors:
            parts.append(ngettext("{n} field to fix", "{n} fields to fix", errors).format(n=errors))
        if warnings:
            parts.append(ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))
        # A fresh form is not a list of faults: the count comes once a field was left or a
        # save was refused.
        shown = form.engaged and bool(parts)
        self.summary.setText(" · ".join(parts))
        self.summary.setVisible(shown)
        self.summary.setEnabled(bool(errors))
        self.summary.setToolTip(_("Go to the next field to fix") if errors else "")
        if not errors and self.message.isVisible() and not self._go_to_issue:
            self._say("")
        if self._go_to_issue:
            self._go_to_issue = False
            if errors:
                self._issue_index = -1
                self.next_issue()
                self._say(
                    ngettext(
                        "Not saved: {n} field to fix. It is selected.",
                        "Not saved: {n} fields to fix. The first is selected; click the "
                        "counter to go to the next.",
                        errors,
                    ).format(n=errors)
                )

    def next_issue(self) -> QtWidgets.QWidget | None:
        """Scroll to the next field with an error and put the cursor in it."""
        if self.form is None:
            return None
        fields = self.form.error_fields()
        if not fields:
            return None
        self._issue_index = (self._issue_index + 1) % len(fields)
        field = fields[self._issue_index]
        chain = [w for w in field.focus_chain() if w.isEnabled() and not w.isHidden()]
        target = chain[0] if chain else field
        self.scroller.ensureWidgetVisible(field, 20, 40)
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return target

    # -- saving --------------------------------------------------------------------------------

    def save(self, status: str) -> None:
        """Validate and write; on success emit ``saved`` and close."""
        if self.form is None:
            return
        form = self.form
        if self.record_id is not None and status == "draft" and self.status != "draft":
            status = self.status  # saving changes keeps a submitted or returned record's state
        if form.local_problems():
            self._refused()
            return
        op, template, values, record_id = (
            self.operation.operation_id,
            form.template,
            form.values(),
            self.record_id,
        )
        new = list(self.pending.values())  # those no longer linked are left out when saving
        for button in (self.draft_button, self.submit_button):
            button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            from desktop.errors import user_text

            for button in (self.draft_button, self.submit_button):
                button.setEnabled(True)
            # One sentence; when fields need fixing, the summary replaces it with their count.
            self._refused(user_text(exc) if str(exc) else "")

        if self.deferred:
            self._make(status, values, new, failed)
            return

        def done(result: record_data.SaveResult) -> None:
            self.record_id = result.record_id
            self._drop_draft()
            self.saved.emit(result.record_id)
            self._closing = True
            self.accept()

        self.session.call(
            lambda profile: record_data.save_with_new(
                profile, op, template, values, record_id=record_id, status=status, new=new
            )
        ).success(done).failure(failed).run()

    def _make(self, status: str, values: dict[str, Any], new: list[Any], failed: Any) -> None:
        """A deferred editor: validate, then hand the record back unwritten."""
        assert self.form is not None
        template = self.form.template

        def check(_progress: Any) -> tuple[ValidationResult, str]:
            return record_data.validate(template, values, None), record_data.new_record_id()

        def checked(answer: tuple[ValidationResult, str]) -> None:
            result, new_id = answer
            if not result.ok:
                failed(ValueError())
                return
            made = record_data.PendingRecord(new_id, template.id, values, status)
            self.made.emit([made, *new])
            self._closing = True
            self.accept()

        self.session.runner.op(check).success(checked).failure(failed).run()

    def _refused(self, text: str = "") -> None:
        """After a refused save: every problem shown, the first field to fix selected."""
        if self.form is None:
            return
        self._say(text or _("Not saved: some fields need fixing."))
        self._go_to_issue = True
        self.form.reveal_all()
        self.form.validate_now()

    # -- linked records made here --------------------------------------------------------------

    def _create_linked(self, template_id: str, add_link: Any) -> EditorDialog:
        """A new person (or vehicle…) for a link of this form, written with this record."""
        carried = {}
        if self.form is not None:
            mine = self.form.values()
            target = get_template(template_id)
            carried = {
                k: mine[k] for k in CARRIED_OVER if k in mine and target.field(k) is not None
            }
        child = EditorDialog(
            self.session,
            self.operation,
            template_id,
            deferred=True,
            initial=carried,
            parent=self,
        )

        def made(records: list[record_data.PendingRecord]) -> None:
            first = records[0]
            for pending in records:
                self.pending[pending.record_id] = pending
            summary = record_data.summary_of(_Values(first.template_id, first.values))
            add_link(first.template_id, first.record_id, link_label(first.template_id, summary))

        child.made.connect(made)
        child.open()
        self.child = child
        return child

    # -- changes, cancel, autosave -------------------------------------------------------------

    def changed(self) -> bool:
        """Whether the form differs from what it was opened with."""
        if self.form is None or self._baseline is None:
            return False
        return self.form.values() != self._baseline

    def reject(self) -> None:
        if self._closing or not self.changed():
            self._closing = True
            self._drop_draft()
            super().reject()
            return
        box = QtWidgets.QMessageBox(self)
        box.setIcon(QtWidgets.QMessageBox.Icon.Question)
        box.setWindowTitle(_("Discard changes?"))
        box.setText(_("Discard changes?"))
        box.setInformativeText(_("What you entered in this form will be lost."))
        role = QtWidgets.QMessageBox.ButtonRole
        discard = box.addButton(_("&Discard changes"), role.DestructiveRole)
        keep = box.addButton(_("&Keep editing"), role.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        self.discard_box = box

        def answered(button: QtWidgets.QAbstractButton) -> None:
            if button is discard:
                self._closing = True
                self._drop_draft()
                QtWidgets.QDialog.reject(self)

        box.buttonClicked.connect(answered)
        box.open()

    def done(self, result: int) -> None:
        self._autosave_timer.stop()
        super().done(result)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self._closing or not self.changed():
            self._closing = True
            self._autosave_timer.stop()
            super().closeEvent(event)
            return
        event.ignore()
        self.reject()

    def autosave(self) -> None:
        """Keep the form in the encrypted store when it changed since it was last kept."""
        if self.deferred or self.form is None or self._closing or not self.changed():
            return
        values = self.form.values()
        pending = [
            {
                "record_id": p.record_id,
                "template_id": p.template_id,
                "values": p.values,
                "status": p.status,
            }
            for p in self.pending.values()
        ]
        snapshot = (values, pending)
        if snapshot == self._autosaved:
            return
        self._autosaved = snapshot
        key, op, tid, rid = (
            self.draft_key,
            self.operation.operation_id,
            self.form.template.id,
            self.record_id,
        )

        def keep(profile: Any) -> bool:
            return drafts.keep(profile, key, op, tid, rid, values, {"pending": pending})

        try:
            self.session.call(keep).run()
        except RuntimeError:
            self._autosave_timer.stop()  # the session is closing; the last copy is kept

    def _drop_draft(self) -> None:
        self._autosave_timer.stop()
        if self.deferred:
            return
        keys = [self.draft_key]
        if self.restorable is not None:
            keys.append(self.restorable.key)

        self.session.call(lambda profile: drafts.drop(profile, *keys)).run()

    def _offer(self, kept: Any) -> None:
        import datetime as dt

        from desktop.i18n import format_datetime

        self.restorable = kept
        when = dt.datetime.fromtimestamp(kept.saved_at, tz=dt.UTC)
        self.restore_label.setText(
            _(
                "This form was not saved when it was last open ({when}). Restore what was entered?"
            ).format(when=format_datetime(when, "short"))
        )
        self.restore_bar.show()

    def restore(self) -> None:
        """Put the kept draft back into the form."""
        kept, form = self.restorable, self.form
        if kept is None or form is None:
            return
        for item in kept.extra.get("pending", []):
            pending = record_data.PendingRecord(
                str(item["record_id"]),
                str(item["template_id"]),
                dict(item["values"]),
                str(item["status"]),
            )
            self.pending[pending.record_id] = pending
        form.set_values(kept.values)
        names = {
            p.record_id: link_label(
                p.template_id, record_data.summary_of(_Values(p.template_id, p.values))
            )
            for p in self.pending.values()
        }
        for widget in form.widgets.values():
            if isinstance(widget, LinkField):
                widget._labelled(names, final=False)
        self.draft_key = kept.key  # keep saving over the same draft
        self.restorable = None
        self.restore_bar.hide()
        self._autosaved = None
        self.autosave()

    def _forget_restorable(self) -> None:
        kept = self.restorable
        self.restorable = None
        self.restore_bar.hide()
        if kept is not None:
            key = kept.key
            self.session.call(lambda profile: drafts.drop(profile, key)).run()


class _Values:
    """A record-like object for ``summary_of`` (a record not written yet)."""

    def __init__(self, template_id: str, fields: dict[str, Any]) -> None:
        self.template_id = template_id
        self.fields = fields
