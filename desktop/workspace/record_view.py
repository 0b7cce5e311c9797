"""The record view: one record's fields, linked records, attachments, revision history with
conflict marks, and the workflow (author: edit, submit; coordinator: validate, return with a
comment). Every value shown came from a participant, so it is shown as plain text only.
"""

from __future__ import annotations

from typing import Any

from desktop.errors import user_text
from desktop.qt import Qt, QtWidgets, Signal
from desktop.session import Session
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace import cases_query as q
from desktop.workspace import record_data
from desktop.workspace.cases_model import hlc_text, status_label, template_title
from desktop.workspace.context import OperationRef
from desktop.workspace.messages_data import isolate
from desktop.workspace.record_data import RecordDetails
from forms.model import FieldType, Template
from forms.registry import builtin_templates
from locales import _


def field_text(template: Template | None, field_id: str, value: Any) -> str:
    """A stored value as plain text, with choice labels translated and groups spelled out."""
    f = template.field(field_id) if template is not None else None
    if f is None:
        return q.display_value(value)
    if f.type is FieldType.GROUP and isinstance(value, list):
        lines = []
        for n, item in enumerate(value, 1):
            if not isinstance(item, dict):
                continue
            parts = []
            for sub in f.fields:
                if item.get(sub.id) not in (None, ""):
                    parts.append(f"{_(sub.label)}: {_choice(sub, item[sub.id])}")
            lines.append(f"{n}. " + "; ".join(parts))
        return "\n".join(lines)
    if isinstance(value, list):
        return ", ".join(_choice(f, v) for v in value)
    return _choice(f, value)


def _choice(f: Any, value: Any) -> str:
    if f.type is FieldType.COUNTRY and isinstance(value, str) and len(value) == 2:
        from desktop.countries import country_name

        return f"{country_name(value)} ({value})"
    if f.type in (FieldType.UNLOCODE, FieldType.AIRPORT) and isinstance(value, str):
        from desktop.workspace.editor.completion import display_text

        return display_text(f.type, value)  # "Paris-Charles de Gaulle (FRCDG)"
    for choice in f.choices:
        if choice.value == value:
            return _(choice.label)
    return q.display_value(value)


class RecordView(QtWidgets.QWidget):
    """Shows one record; asks the room to open the editor or another record by signal."""

    edit_requested = Signal(str)
    open_record = Signal(str)
    shown = Signal(str)  # record id, once its details are on screen
    status_changed = Signal(str)

    def __init__(
        self, session: Session, operation: OperationRef, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operation = operation
        self.details: RecordDetails | None = None
        self._members: dict[str, str] = {}
        self._generation = 0

        self.title = PlainLabel(parent=self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.state = PlainLabel(parent=self, selectable=True)
        self.state.setWordWrap(True)
        self.banner = PlainLabel(parent=self, selectable=True)
        self.banner.setWordWrap(True)
        self.banner.setObjectName("record-banner")
        self.banner.setStyleSheet(
            "#record-banner { background: #fff4ce; color: #3b2f00; padding: 6px; }"
        )
        self.banner.hide()

        self.edit_button = QtWidgets.QPushButton(self)
        self.edit_button.clicked.connect(self._edit)
        self.submit_button = QtWidgets.QPushButton(self)
        self.submit_button.clicked.connect(lambda: self.set_status("submitted"))
        self.validate_button = QtWidgets.QPushButton(self)
        self.validate_button.clicked.connect(lambda: self.set_status("validated"))
        self.return_button = QtWidgets.QPushButton(self)
        self.return_button.clicked.connect(self._return)
        self.comment = QtWidgets.QLineEdit(self)
        self.comment.setObjectName("return-comment")
        buttons = QtWidgets.QHBoxLayout()
        for button in (self.edit_button, self.submit_button, self.validate_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        returning = QtWidgets.QHBoxLayout()
        returning.addWidget(self.comment, 1)
        returning.addWidget(self.return_button)

        self.fields_box = QtWidgets.QWidget(self)
        self.form = QtWidgets.QFormLayout(self.fields_box)
        self.form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
        self.links = QtWidgets.QListWidget(self)
        self.links.itemActivated.connect(self._link_activated)
        self.attachments = QtWidgets.QListWidget(self)
        self.history = QtWidgets.QTreeWidget(self)
        self.history.setRootIsDecorated(False)
        self.history.setColumnCount(4)
        self.error = PlainLabel(parent=self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a4262c;")

        self.tabs = QtWidgets.QTabWidget(self)
        scroll = QtWidgets.QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.fields_box)
        self.tabs.addTab(scroll, "")
        self.tabs.addTab(self.links, "")
        self.tabs.addTab(self.attachments, "")
        self.tabs.addTab(self.history, "")

        self.placeholder = PlainLabel(parent=self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)
        layout.addLayout(returning)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        self.retranslate()
        self.clear()

    def retranslate(self) -> None:
        self.placeholder.setText(_("Select a record to see it here."))
        self.edit_button.setText(_("&Edit"))
        self.submit_button.setText(_("Su&bmit"))
        self.validate_button.setText(_("&Validate"))
        self.return_button.setText(_("&Return for correction"))
        self.comment.setPlaceholderText(_("Comment for the author"))
        self.comment.setAccessibleName(_("Comment for the author"))
        self.links.setAccessibleName(_("Linked records"))
        self.attachments.setAccessibleName(_("Attachments"))
        self.history.setAccessibleName(_("Revision history"))
        self.history.setHeaderLabels([_("Revision"), _("Who"), _("When"), _("What changed")])
        for index, title in enumerate(
            [_("Fields"), _("Linked records"), _("Attachments"), _("History")]
        ):
            self.tabs.setTabText(index, title)
        if self.details is not None:
            self._render(self.details)

    def set_members(self, names: dict[str, str]) -> None:
        self._members = dict(names)
        if self.details is not None:
            self._render(self.details)

    def author_name(self, device_id: str) -> str:
        """The author on its own (a table cell): "me" for this device."""
        if device_id == self.session.device_id:
            return _("me")
        return self._members.get(device_id) or device_id[:12]

    def by_author(self, device_id: str) -> str:
        """The author in "by {author}": the pronoun differs there in many languages
        (German "von Ihnen", not "von ich"), so it is its own message, as in the library."""
        if device_id == self.session.device_id:
            return _("you")
        return isolate(self._members.get(device_id) or device_id[:12])

    def clear(self) -> None:
        self._generation += 1
        self.details = None
        self.placeholder.show()
        for widget in self._content():
            widget.hide()

    def _content(self) -> list[QtWidgets.QWidget]:
        return [
            self.title,
            self.state,
            self.banner,
            self.edit_button,
            self.submit_button,
            self.validate_button,
            self.return_button,
            self.comment,
            self.error,
            self.tabs,
        ]

    def show_record(self, record_id: str) -> None:
        self._generation += 1
        generation = self._generation
        op, role = self.operation.operation_id, self.operation.role
        self.session.call(lambda profile: record_data.load(profile, op, record_id, role)).success(
            lambda details: self._loaded(generation, details)
        ).run()

    def _loaded(self, generation: int, details: RecordDetails | None) -> None:
        if generation != self._generation:
            return
        if details is None:
            self.clear()
            return
        self.details = details
        self._render(details)
        self.shown.emit(details.record_id)

    def _render(self, d: RecordDetails) -> None:
        self.placeholder.hide()
        for widget in self._content():
            widget.show()
        self.error.clear()
        template = builtin_templates().get(d.template_id)
        self.title.setText(template_title(d.template_id))
        self.state.setText(
            _("{status} · by {author} · revision {revision} · {id}").format(
                status=status_label(d.status),
                author=self.by_author(d.author),
                revision=d.revision,
                id=d.record_id[:12],
            )
        )
        if d.status == "returned":
            self.banner.setText(
                _("Returned for correction: {comment}").format(
                    comment=d.returned_comment or _("(no comment)")
                )
            )
            self.banner.show()
        else:
            self.banner.hide()
        writable = not self.operation.read_only
        can = set(d.actions) if writable else set()  # the workflow table's answer
        self.edit_button.setVisible(d.editable and writable)
        self.submit_button.setVisible("submit" in can)
        self.validate_button.setVisible("validate" in can)
        self.return_button.setVisible("return" in can)
        self.comment.setVisible("return" in can)
        self._render_fields(template, d)
        self.links.clear()
        for link in d.links:
            text = (
                f"{template_title(link.template_id)}: {link.summary}"
                if link.template_id
                else _("Record {id} (not received yet)").format(id=link.record_id[:12])
            )
            item = QtWidgets.QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, link.record_id)
            self.links.addItem(item)
        self.attachments.clear()
        for attachment in d.attachments:
            self.attachments.addItem(f"{attachment.title} ({attachment.media_type})")
        self.history.clear()
        for entry in d.history:
            what = ", ".join(entry.changed)
            if entry.status:
                what = (what + "; " if what else "") + status_label(entry.status)
            if entry.comment:
                what += " — " + entry.comment
            row = QtWidgets.QTreeWidgetItem(
                [str(entry.revision), self.author_name(entry.author), hlc_text(entry.hlc), what]
            )
            if entry.conflict:
                row.setText(0, f"{entry.revision} ⚠")
                row.setToolTip(0, _("This revision was made at the same time as another one."))
            self.history.addTopLevelItem(row)
        for column in range(3):
            self.history.resizeColumnToContents(column)

    def _render_fields(self, template: Template | None, d: RecordDetails) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        conflicts = {c.field: c for c in d.conflicts}
        order = template.field_ids() if template is not None else list(d.fields)
        order += [name for name in d.fields if name not in order]
        for name in order:
            if name not in d.fields or d.fields[name] in (None, "", []):
                continue
            f = template.field(name) if template is not None else None
            label = _(f.label) if f is not None else name
            text = field_text(template, name, d.fields[name])
            if f is not None and f.type is FieldType.LINK:
                # The linked records by name (the courier's), never their ids.
                text = "\n".join(
                    f"{template_title(link.template_id)}: {link.summary}"
                    if link.template_id
                    else _("Record {id} (not received yet)").format(id=link.record_id[:12])
                    for link in d.links
                    if link.field == name
                )
            value = PlainLabel(text, self, selectable=True)
            value.setWordWrap(True)
            value.setAccessibleName(label)
            if name in conflicts:
                both = "; ".join(
                    _("{value} (by {author})").format(
                        value=field_text(template, name, v), author=self.by_author(a)
                    )
                    for a, _h, v in conflicts[name].values
                )
                value.setText(
                    value.text() + "\n" + _("⚠ Conflicting values: {values}").format(values=both)
                )
                value.setObjectName("conflict")
                value.setStyleSheet("color: #8a4b00;")
            self.form.addRow(label, value)

    # -- actions -------------------------------------------------------------------------------

    def _edit(self) -> None:
        if self.details is not None:
            self.edit_requested.emit(self.details.record_id)

    def _link_activated(self, item: QtWidgets.QListWidgetItem) -> None:
        record_id = item.data(Qt.ItemDataRole.UserRole)
        if record_id:
            self.open_record.emit(record_id)

    def _return(self) -> None:
        comment = self.comment.text().strip()
        if not comment:
            self.error.setText(_("Say what the author must correct before returning the record."))
            self.comment.setFocus()
            return
        self.set_status("returned", comment)

    def set_status(self, status: str, comment: str | None = None) -> None:
        if self.details is None:
            return
        record_id, op = self.details.record_id, self.operation.operation_id

        def done(_revision: int) -> None:
            self.comment.clear()
            self.session.notify_changed(op)
            self.status_changed.emit(status)

        self.session.call(
            lambda profile: record_data.set_status(profile, op, record_id, status, comment)
        ).success(done).failure(lambda exc: self.error.setText(user_text(exc))).run()
