"""The editor's compound fields: repeated groups (commodity lines, identity documents), links to
other records (pick or create), and photos from the operation's library."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from desktop.qt import Qt, QtWidgets, Signal
from desktop.session import Session
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace import record_data
from desktop.workspace.cases_model import template_title
from desktop.workspace.editor.fields import DateField, FieldWidget, make_field
from forms.model import Field
from locales import _


class GroupEntry(QtWidgets.QGroupBox):
    """One item of a repeated group: its sub-fields and a remove button."""

    removed = Signal(object)

    def __init__(self, spec: Field, runner: Any, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.widgets: dict[str, FieldWidget] = {}
        self.labels: dict[str, QtWidgets.QLabel] = {}
        form = QtWidgets.QFormLayout(self)
        for sub in spec.fields:
            widget = make_field(sub, runner, self)
            label = QtWidgets.QLabel(self)
            label.setBuddy(widget.input)
            self.widgets[sub.id] = widget
            self.labels[sub.id] = label
            form.addRow(label, widget)
        self.remove_button = QtWidgets.QPushButton(self)
        self.remove_button.clicked.connect(lambda: self.removed.emit(self))
        form.addRow("", self.remove_button)

    def retranslate(self, number: int) -> None:
        self.setTitle(_("{group} {number}").format(group=_(self.spec.label), number=number))
        for sub in self.spec.fields:
            text = _(sub.label) + (" *" if sub.required else "")
            self.labels[sub.id].setText(text)
            self.widgets[sub.id].set_accessible(
                _("{field}, entry {number}").format(field=_(sub.label), number=number)
            )
            widget = self.widgets[sub.id]
            if isinstance(widget, DateField):
                widget.retranslate()
        self.remove_button.setText(_("Remove this entry"))

    def value(self) -> dict[str, Any]:
        return {k: w.value() for k, w in self.widgets.items() if w.value() not in (None, "")}

    def set_value(self, value: Any) -> None:
        for key, widget in self.widgets.items():
            widget.set_value(value.get(key) if isinstance(value, dict) else None)


class GroupField(FieldWidget):
    def __init__(self, spec: Field, runner: Any, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.runner = runner
        box = QtWidgets.QWidget(self)
        self.entries_layout = QtWidgets.QVBoxLayout(box)
        self.entries_layout.setContentsMargins(0, 0, 0, 0)
        self.entries: list[GroupEntry] = []
        self.add_button = QtWidgets.QPushButton(self)
        self.add_button.clicked.connect(lambda: self.add_entry())
        self.entries_layout.addWidget(self.add_button)
        self._finish(box)
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("Add: {group}").format(group=_(self.spec.label)))
        for number, entry in enumerate(self.entries, 1):
            entry.retranslate(number)

    def set_accessible(self, name: str) -> None:
        self.add_button.setAccessibleName(_("Add: {group}").format(group=name))

    def add_entry(self, value: Any = None) -> GroupEntry:
        entry = GroupEntry(self.spec, self.runner, self)
        entry.set_value(value or {})
        for widget in entry.widgets.values():
            widget.changed.connect(self.changed.emit)
        entry.removed.connect(self._remove)
        self.entries.append(entry)
        self.entries_layout.insertWidget(len(self.entries) - 1, entry)
        self.retranslate()
        self.changed.emit()
        return entry

    def _remove(self, entry: GroupEntry) -> None:
        self.entries.remove(entry)
        entry.deleteLater()
        self.retranslate()
        self.changed.emit()

    def focus_chain(self) -> list[QtWidgets.QWidget]:
        chain: list[QtWidgets.QWidget] = []
        for entry in self.entries:
            for widget in entry.widgets.values():
                chain.extend(widget.focus_chain())
            chain.append(entry.remove_button)
        return [*chain, self.add_button]

    def leaves(self) -> list[FieldWidget]:
        return [self, *(w for e in self.entries for w in e.widgets.values())]

    def value(self) -> Any:
        items = [e.value() for e in self.entries]
        return [i for i in items if i] or None

    def set_value(self, value: Any) -> None:
        for entry in self.entries:
            entry.deleteLater()
        self.entries.clear()
        for item in value if isinstance(value, list) else []:
            self.add_entry(item)
        if not self.entries and self.spec.required:
            self.add_entry()

    def set_sub_issue(self, index: int, sub: str, text: str, warning: bool) -> bool:
        if 0 <= index < len(self.entries) and sub in self.entries[index].widgets:
            self.entries[index].widgets[sub].set_issue(text, warning=warning)
            return True
        return False

    def clear_issues(self) -> None:
        self.set_issue("")
        for entry in self.entries:
            for widget in entry.widgets.values():
                widget.set_issue("")


class PickerDialog(QtWidgets.QDialog):
    """Pick one item from a list that a background search fills (records or library items)."""

    def __init__(
        self,
        title: str,
        search: Callable[[str, Callable[[list[tuple[str, str]]], None]], None],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._search = search
        self.query = QtWidgets.QLineEdit(self)
        self.query.setPlaceholderText(_("Search"))
        self.query.setAccessibleName(_("Search"))
        self.list = QtWidgets.QListWidget(self)
        self.list.setAccessibleName(title)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel,
            self,
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _i: self.accept())
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.query.textChanged.connect(self._ask)
        self._asked = ""
        self._ask("")

    def _ask(self, text: str) -> None:
        self._asked = text

        def deliver(rows: list[tuple[str, str]]) -> None:
            self._fill(text, rows)

        self._search(text, deliver)

    def _fill(self, text: str, rows: list[tuple[str, str]]) -> None:
        if text != self._asked:
            return
        self.list.clear()
        for key, label in rows:
            item = QtWidgets.QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.list.addItem(item)
        if rows:
            self.list.setCurrentRow(0)

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


class LinkField(FieldWidget):
    """Links to other records of the operation: a list, "Pick…", "Create…" and "Remove"."""

    create_requested = Signal(str, object)  # template id, callback(record_id)

    def __init__(
        self,
        spec: Field,
        session: Session,
        operation_id: str,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(spec, parent)
        self.session = session
        self.operation_id = operation_id
        box = QtWidgets.QWidget(self)
        layout = QtWidgets.QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QtWidgets.QListWidget(box)
        self.list.setMaximumHeight(self.list.fontMetrics().lineSpacing() * 4 + 8)
        buttons = QtWidgets.QVBoxLayout()
        self.pick_button = QtWidgets.QPushButton(box)
        self.pick_button.clicked.connect(self.pick)
        self.create_button = QtWidgets.QPushButton(box)
        self.create_button.clicked.connect(self._create)
        self.remove_button = QtWidgets.QPushButton(box)
        self.remove_button.clicked.connect(self._remove)
        for button in (self.pick_button, self.create_button, self.remove_button):
            buttons.addWidget(button)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._finish(box)
        self.retranslate()

    def retranslate(self) -> None:
        self.pick_button.setText(_("Pick…"))
        self.create_button.setText(_("Create…"))
        self.remove_button.setText(_("Remove"))

    def set_accessible(self, name: str) -> None:
        self.list.setAccessibleName(name)
        self.pick_button.setAccessibleName(_("Pick a record for {field}").format(field=name))
        self.create_button.setAccessibleName(_("Create a record for {field}").format(field=name))

    def ids(self) -> list[str]:
        return [self._link(i)["record_id"] for i in range(self.list.count())]

    def _link(self, row: int) -> dict[str, str]:
        data = self.list.item(row).data(Qt.ItemDataRole.UserRole)
        return dict(data) if isinstance(data, dict) else {"template": "", "record_id": str(data)}

    def links(self) -> list[dict[str, str]]:
        return [self._link(i) for i in range(self.list.count())]

    def add_link(self, template_id: str, record_id: str, label: str = "") -> None:
        """Show the link under the linked record's name (its summary), never a raw id."""
        if record_id in self.ids():
            return
        if not self.spec.multiple:
            self.list.clear()
        item = QtWidgets.QListWidgetItem(label or _("(loading…)"))
        item.setData(Qt.ItemDataRole.UserRole, {"template": template_id, "record_id": record_id})
        self.list.addItem(item)
        self.list.setCurrentItem(item)
        if not label:
            self._fetch_labels()
        self.changed.emit()

    def _fetch_labels(self) -> None:
        op, wanted = self.operation_id, self.ids()

        def labels(profile: Any) -> dict[str, str]:
            out = {}
            for rid in wanted:
                record = profile.store.records.get(op, rid)
                if record is not None:
                    out[rid] = link_label(record.template_id, record_data.summary_of(record))
            return out

        self.session.call(labels).success(self._labelled).run()

    def _labelled(self, labels: dict[str, str], final: bool = True) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.text() != _("(loading…)"):
                continue  # named already (picked, or made in this form)
            rid = self._link(row)["record_id"]
            if rid in labels or final:
                item.setText(labels.get(rid, _("A record not (yet) on this device")))

    def value(self) -> Any:
        links = self.links()
        if self.spec.multiple:
            return links or None
        return links[0] if links else None

    def set_value(self, value: Any) -> None:
        self.list.clear()
        for link in value if isinstance(value, list) else [value] if value else []:
            if isinstance(link, dict):
                template_id, record_id = str(link.get("template", "")), link.get("record_id")
            else:
                template_id, _sep, record_id = str(link).rpartition(":")
            if record_id:
                item = QtWidgets.QListWidgetItem(_("(loading…)"))
                item.setData(
                    Qt.ItemDataRole.UserRole, {"template": template_id, "record_id": record_id}
                )
                self.list.addItem(item)
        if self.list.count():
            self._fetch_labels()

    def search(self, text: str, deliver: Callable[[list[tuple[str, str]]], None]) -> None:
        op, templates = self.operation_id, self.spec.link_templates
        self.session.call(
            lambda profile: record_data.record_choices(profile, op, templates, text)
        ).success(
            lambda rows: deliver(
                [
                    (f"{r.template_id}:{r.record_id}", link_label(r.template_id, r.summary))
                    for r in rows
                ]
            )
        ).run()

    def pick(self) -> PickerDialog:
        dialog = PickerDialog(_("Pick a record"), self.search, self)
        dialog.accepted.connect(lambda: self._picked(dialog))
        dialog.open()
        return dialog

    def _picked(self, dialog: PickerDialog) -> None:
        chosen = dialog.chosen()
        item = dialog.list.currentItem()
        if chosen:
            template_id, _sep, record_id = chosen.partition(":")
            self.add_link(template_id, record_id, item.text() if item is not None else "")

    def _create(self) -> None:
        templates = self.spec.link_templates or ("person",)
        self.create_requested.emit(templates[0], self.add_link)

    def _remove(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self.changed.emit()

    def focus_chain(self) -> list[QtWidgets.QWidget]:
        return [self.list, self.pick_button, self.create_button, self.remove_button]


def link_label(template_id: str, summary: str) -> str:
    """How a linked record is named: "Person: Okafor · Chinedu"."""
    title = template_title(template_id) if template_id else ""
    if title and summary:
        return _("{template}: {summary}").format(template=title, summary=summary)
    return summary or title or _("(no details yet)")


class PhotoField(LinkField):
    """Photos from the operation's library: the value is a list of library item ids."""

    file_dialog: QtWidgets.QFileDialog | None = None

    def retranslate(self) -> None:
        super().retranslate()
        self.pick_button.setText(_("From the library…"))
        self.create_button.setText(_("From a file…"))

    def set_accessible(self, name: str) -> None:
        super().set_accessible(name)
        self.pick_button.setAccessibleName(
            _("Pick a photo from the library for {field}").format(field=name)
        )
        self.create_button.setAccessibleName(
            _("Add a photo from a file for {field}").format(field=name)
        )

    def _create(self) -> None:
        self.choose_files()

    def choose_files(self) -> QtWidgets.QFileDialog:
        """Photos from the disk: encrypted into the operation's library, then linked here."""
        dialog = QtWidgets.QFileDialog(self, _("Add photos"))
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter(
            _("Images ({patterns})").format(
                patterns="*.jpg *.jpeg *.png *.gif *.bmp *.tif *.tiff *.webp *.heic"
            )
        )
        # Qt's own dialog: the same in every desktop, and it can be driven by the keyboard.
        dialog.setOption(QtWidgets.QFileDialog.Option.DontUseNativeDialog, True)
        dialog.filesSelected.connect(self.add_files)
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def add_files(self, paths: list[str]) -> None:
        if not paths:
            return
        from desktop.workspace import library_data

        op, wanted = self.operation_id, list(paths)
        names = {}

        def add(profile: Any) -> list[str]:
            ids = library_data.add_files(profile, op, wanted)
            for item_id, path in zip(ids, wanted, strict=True):
                names[item_id] = os.path.basename(path)
            return ids

        def added(ids: list[str]) -> None:
            for item_id in ids:
                self.add_link("", item_id, names.get(item_id, ""))

        def failed(exc: BaseException) -> None:
            from desktop.errors import user_text

            self.set_issue(user_text(exc))

        self.session.call(add).success(added).failure(failed).run()

    def search(self, text: str, deliver: Callable[[list[tuple[str, str]]], None]) -> None:
        op, needle = self.operation_id, text.casefold()

        def images(profile: Any) -> list[tuple[str, str]]:
            return [
                (i.item_id, i.title)
                for i in profile.store.library.list(op)
                if i.media_type.startswith("image/") and needle in i.title.casefold()
            ][:200]

        self.session.call(images).success(deliver).run()

    def pick(self) -> PickerDialog:
        dialog = PickerDialog(_("Pick a photo from the library"), self.search, self)
        dialog.accepted.connect(lambda: self._picked(dialog))
        dialog.open()
        return dialog

    def _picked(self, dialog: PickerDialog) -> None:
        chosen = dialog.chosen()
        item = dialog.list.currentItem()
        if chosen:
            self.add_link("", chosen, item.text() if item is not None else "")

    def _fetch_labels(self) -> None:
        op, wanted = self.operation_id, set(self.ids())

        def titles(profile: Any) -> dict[str, str]:
            items = profile.store.library.list(op)
            return {i.item_id: i.title for i in items if i.item_id in wanted}

        self.session.call(titles).success(self._labelled).run()

    def value(self) -> Any:
        ids = self.ids()
        if self.spec.multiple:
            return ids or None
        return ids[0] if ids else None

    def set_value(self, value: Any) -> None:
        super().set_value([str(v) for v in value] if isinstance(value, list) else value)

    def focus_chain(self) -> list[QtWidgets.QWidget]:
        return [self.list, self.pick_button, self.create_button, self.remove_button]


class SectionTitle(PlainLabel):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent=parent)
        font = self.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.setFont(font)
