"""The record form: any template rendered from its definition, section by section, with
validation errors inline as the person types and quality warnings shown apart from errors.

Validation (``forms.validation``) runs on the task runner's general pool a moment after the
last change; an answer for values that have changed since is dropped.
"""

from __future__ import annotations

import re
from typing import Any

from desktop.qt import QtCore, QtWidgets, Signal
from desktop.session import Session
from desktop.workspace import record_data
from desktop.workspace.editor.compound import (
    GroupField,
    LinkField,
    PhotoField,
    SectionTitle,
)
from desktop.workspace.editor.fields import (
    ChoiceField,
    DateField,
    FieldWidget,
    ListField,
    make_field,
)
from forms.issues import Issue
from forms.model import FieldType, Template
from forms.validation import ValidationResult
from locales import _

VALIDATE_DELAY_MS = 150
_PATH = re.compile(r"^([^\[.]+)(?:\[(\d+)\])?(?:\.(.+))?$")


class RecordForm(QtWidgets.QWidget):
    """``values()`` gives what the person entered; ``validated`` carries each fresh result."""

    validated = Signal(object)  # ValidationResult
    create_link = Signal(str, object)  # template id, callback(record_id)

    def __init__(
        self,
        session: Session,
        operation_id: str,
        template: Template,
        *,
        hidden: frozenset[str] = frozenset(),
        record_id: str | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operation_id = operation_id
        self.template = template
        self.record_id = record_id
        self.widgets: dict[str, FieldWidget] = {}
        self.labels: dict[str, QtWidgets.QLabel] = {}
        self.section_titles: list[tuple[SectionTitle, str]] = []
        self.result: ValidationResult | None = None
        self._generation = 0
        self._validated_generation = 0
        # "This field is required" shows only for fields the person has been to, or after a
        # save was refused: a fresh form is not a wall of red.
        self.touched: set[str] = set()
        self.left: set[str] = set()  # fields the person has been in and left
        self.show_all = False
        self._loading = False
        self._parts_timer = QtCore.QTimer(self)
        self._parts_timer.setSingleShot(True)
        self._parts_timer.setInterval(0)
        self._parts_timer.timeout.connect(self._watch_new_parts)
        layout = QtWidgets.QVBoxLayout(self)
        for section in template.sections:
            fields = [f for f in section.fields if f.id not in hidden]
            if not fields:
                continue
            title = SectionTitle(self)
            self.section_titles.append((title, section.title))
            layout.addWidget(title)
            form = QtWidgets.QFormLayout()
            form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for spec in fields:
                widget = self._make(spec)
                label = QtWidgets.QLabel(self)
                label.setBuddy(widget.input)
                self.widgets[spec.id] = widget
                self.labels[spec.id] = label
                widget.changed.connect(lambda fid=spec.id: self._touch(fid))
                widget.installEventFilter(self)
                for part in widget.focus_chain():
                    part.setProperty("cordon_field", spec.id)
                    part.installEventFilter(self)
                form.addRow(label, widget)
            layout.addLayout(form)
        layout.addStretch(1)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATE_DELAY_MS)
        self._timer.timeout.connect(self.validate_now)
        self.retranslate()
        self.fix_tab_order()

    def _make(self, spec: Any) -> FieldWidget:
        runner = self.session.runner
        if spec.type is FieldType.GROUP:
            return GroupField(spec, runner, self)
        if spec.type is FieldType.PHOTO:
            return PhotoField(spec, self.session, self.operation_id, self)
        if spec.type is FieldType.LINK:
            link = LinkField(spec, self.session, self.operation_id, self)
            link.create_requested.connect(self.create_link.emit)
            return link
        return make_field(spec, runner, self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.FocusOut:
            fid = watched.property("cordon_field")
            if isinstance(fid, str) and fid in self.widgets and fid not in self.left:
                # Leaving a field is when "required" may be said about it.
                self.left.add(fid)
                self.touched.add(fid)
                if self.result is not None:
                    self.show_issues(self.result)
                    self.validated.emit(self.result)
        elif event.type() == QtCore.QEvent.Type.ChildAdded:
            self._parts_timer.start()  # once, after the entry or row is built
        return False

    def _watch_new_parts(self) -> None:
        """Entries and rows added later (another commodity line) report leaving too."""
        for fid, widget in self.widgets.items():
            for part in widget.focus_chain():
                if part.property("cordon_field") is None:
                    part.setProperty("cordon_field", fid)
                    part.installEventFilter(self)
        self.fix_tab_order()

    def focus_chain(self) -> list[QtWidgets.QWidget]:
        """Every input of the form in reading order: what Tab visits."""
        return [w for widget in self.widgets.values() for w in widget.focus_chain()]

    def fix_tab_order(self) -> None:
        """Tab follows the form from top to bottom, through every entry of every group (Qt's
        own order follows creation, so lines added later were skipped or visited last)."""
        chain = [w for w in self.focus_chain() if not w.isHidden()]
        for first, second in zip(chain, chain[1:], strict=False):
            QtWidgets.QWidget.setTabOrder(first, second)

    @property
    def engaged(self) -> bool:
        """Whether problems are to be counted yet: after a refused save or a field left."""
        return self.show_all or bool(self.left)

    def defaults(self) -> dict[str, Any]:
        """What a new record starts with, where the template says so: today's date, the
        country and the agency of the person's profile."""
        import datetime as dt

        summary = self.session.summary
        out: dict[str, Any] = {}
        for fid, widget in self.widgets.items():
            spec = widget.spec
            if spec.default == "today":
                out[fid] = dt.date.today().isoformat()
            elif spec.default == "profile" and spec.type is FieldType.COUNTRY:
                out[fid] = summary.country or None
            elif spec.default == "profile":
                out[fid] = summary.agency or None
        return {k: v for k, v in out.items() if v}

    def local_problems(self) -> list[Issue]:
        """What the widgets refused before validation (a date that reads two ways)."""
        found: list[tuple[str, FieldWidget]] = []
        for fid, widget in self.widgets.items():
            if isinstance(widget, GroupField):
                for i, entry in enumerate(widget.entries):
                    found += [(f"{fid}[{i}].{sub}", w) for sub, w in entry.widgets.items()]
            elif isinstance(widget, ListField):
                found += [(f"{fid}[{i}]", row) for i, row in enumerate(widget.rows)]
            else:
                found.append((fid, widget))
        return [
            Issue(path, w.problem.code, w.problem.msgid, w.problem.params)
            for path, w in found
            if isinstance(w, DateField) and w.problem is not None
        ]

    def error_fields(self) -> list[FieldWidget]:
        """The fields showing an error, top to bottom: after a refused save all of them, before
        it those the person has left (the one being typed in is not counted yet)."""
        return [
            leaf
            for fid, widget in self.widgets.items()
            if self.show_all or fid in self.left
            for leaf in widget.leaves()
            if leaf.has_error
        ]

    def retranslate(self) -> None:
        for title, msgid in self.section_titles:
            title.setText(_(msgid))
        for fid, widget in self.widgets.items():
            spec = widget.spec
            name = _(spec.label)
            self.labels[fid].setText(name + (" *" if spec.required else ""))
            widget.set_accessible(name)
            if isinstance(widget, ChoiceField):
                widget.fill()
            if isinstance(widget, GroupField | ListField | LinkField | DateField):
                widget.retranslate()
        if self.result is not None:
            self.show_issues(self.result)

    # -- values --------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        out = {}
        for fid, widget in self.widgets.items():
            value = widget.value()
            if value not in (None, "", []):
                out[fid] = value
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            for fid, widget in self.widgets.items():
                widget.set_value(values.get(fid))
        finally:
            self._loading = False
        self._changed()

    def field(self, field_id: str) -> FieldWidget:
        return self.widgets[field_id]

    # -- validation ----------------------------------------------------------------------------

    def _touch(self, field_id: str) -> None:
        if not self._loading:
            self.touched.add(field_id)
        self._changed()

    def reveal_all(self) -> None:
        """Show every problem, the untouched required fields too (after a refused save)."""
        self.show_all = True
        if self.result is not None:
            self.show_issues(self.result)

    def _changed(self) -> None:
        self._generation += 1
        self._timer.start()

    def validate_now(self) -> None:
        self._timer.stop()
        generation = self._generation
        template, values, record_id = self.template, self.values(), self.record_id
        job = self.session.runner.op(
            lambda _progress: record_data.validate(template, values, record_id)
        ).success(lambda result: self._validated(generation, result))
        try:
            job.run()
        except RuntimeError:
            self._timer.stop()  # the session is closing (a lock): nothing to check any more

    @property
    def up_to_date(self) -> bool:
        """Whether the last result shown is for the values on screen now."""
        return self._validated_generation == self._generation and self.result is not None

    def _validated(self, generation: int, result: ValidationResult) -> None:
        if generation != self._generation:
            return  # the person changed something since; a newer answer is coming
        self._validated_generation = generation
        local = self.local_problems()
        if local:
            # The widget's own words win: it knows the date reads two ways.
            mine = {e.field for e in local}
            result = ValidationResult(
                result.values,
                [*local, *(e for e in result.errors if e.field not in mine)],
                result.warnings,
            )
        self.result = result
        self.show_issues(result)
        self.validated.emit(result)

    def show_issues(self, result: ValidationResult) -> None:
        for widget in self.widgets.values():
            if isinstance(widget, GroupField):
                widget.clear_issues()
            else:
                widget.set_issue("")
        touched: set[str] = set()
        for issue in result.warnings:
            self._place(issue, warning=True, touched=touched)
        for issue in result.errors:  # errors last: they win over a warning on the same field
            self._place(issue, warning=False, touched=touched)

    def _place(self, issue: Issue, *, warning: bool, touched: set[str]) -> None:
        match = _PATH.match(issue.field)
        if match is None or match[1] not in self.widgets:
            return
        if issue.code == "required" and not self.show_all and match[1] not in self.left:
            return
        widget = self.widgets[match[1]]
        if isinstance(widget, GroupField) and match[2] is not None and match[3]:
            widget.set_sub_issue(int(match[2]), match[3], issue.message, warning)
            return
        if isinstance(widget, ListField) and match[2] is not None:
            index = int(match[2])
            if 0 <= index < len(widget.rows):
                widget.rows[index].set_issue(issue.message, warning=warning)
                return
        widget.set_issue(issue.message, warning=warning)
