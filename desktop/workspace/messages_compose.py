"""The compose dialog: to the whole operation or one participant, subject, text, alert flag,
attachments from the operation's library or from disk."""

from __future__ import annotations

import os
from dataclasses import dataclass

from desktop.qt import Qt, QtGui, QtWidgets
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace.messages_data import MAX_ATTACHMENTS, MAX_BODY, MAX_SUBJECT, Participant
from locales import _


@dataclass(frozen=True)
class Draft:
    """What the user asked to send."""

    subject: str
    text: str
    alert: bool
    to: str | None
    library_items: tuple[tuple[str, str], ...]
    files: tuple[str, ...]


class ComposeDialog(QtWidgets.QDialog):
    def __init__(
        self,
        participants: list[Participant],
        library: list[tuple[str, str]],
        *,
        can_alert: bool,
        subject: str = "",
        to: str | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self.setWindowTitle(_("New message"))
        self.to = QtWidgets.QComboBox(self)
        self.to.addItem(_("The whole operation"), None)
        for p in participants:
            # Names come from other participants: the combo shows them as plain text.
            label = _("{name} ({agency}, {country})").format(
                name=p.name, agency=p.agency or "-", country=p.country
            )
            self.to.addItem(label, p.device_id)
        if to is not None and self.to.findData(to) >= 0:
            self.to.setCurrentIndex(self.to.findData(to))
        self.subject = QtWidgets.QLineEdit(subject, self)
        self.subject.setMaxLength(MAX_SUBJECT)
        self.text = QtWidgets.QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.alert = QtWidgets.QCheckBox(_("Send as an &alert"), self)
        self.alert.setVisible(can_alert)
        self.attachments = QtWidgets.QListWidget(self)
        self.attachments.setMaximumHeight(90)
        self.from_library = QtWidgets.QPushButton(_("From the &library…"), self)
        self.from_library.setEnabled(bool(library))
        self.from_library.clicked.connect(self._pick_library)
        self.from_disk = QtWidgets.QPushButton(_("From &disk…"), self)
        self.from_disk.clicked.connect(self._pick_files)
        self.remove = QtWidgets.QPushButton(_("&Remove"), self)
        self.remove.clicked.connect(self._remove)
        self.error = PlainLabel(parent=self)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setVisible(False)
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Cancel, self
        )
        self.send_button = self.buttons.addButton(
            _("&Send"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.send_button.setDefault(True)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        QtGui.QShortcut(QtGui.QKeySequence("Ctrl+Return"), self, self._accept)

        form = QtWidgets.QFormLayout()
        self.to_label = QtWidgets.QLabel(_("&To:"), self)
        self.to_label.setBuddy(self.to)
        form.addRow(self.to_label, self.to)
        self.subject_label = QtWidgets.QLabel(_("S&ubject:"), self)
        self.subject_label.setBuddy(self.subject)
        form.addRow(self.subject_label, self.subject)
        self.text_label = QtWidgets.QLabel(_("Me&ssage:"), self)
        self.text_label.setBuddy(self.text)
        form.addRow(self.text_label, self.text)
        form.addRow("", self.alert)
        attach_buttons = QtWidgets.QHBoxLayout()
        for button in (self.from_library, self.from_disk, self.remove):
            attach_buttons.addWidget(button)
        attach_buttons.addStretch(1)
        box = QtWidgets.QVBoxLayout()
        box.addWidget(self.attachments)
        box.addLayout(attach_buttons)
        self.attach_label = QtWidgets.QLabel(_("Attachments:"), self)
        form.addRow(self.attach_label, box)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.to.setAccessibleName(_("Recipient"))
        self.subject.setAccessibleName(_("Subject"))
        self.text.setAccessibleName(_("Message text"))
        self.attachments.setAccessibleName(_("Attachments"))
        self.resize(560, 460)
        (self.text if subject else self.subject).setFocus()

    def _add_attachment(self, label: str, kind: str, value: str) -> None:
        if self.attachments.count() >= MAX_ATTACHMENTS:
            self._show_error(
                _("A message can carry at most {count} attachments.").format(count=MAX_ATTACHMENTS)
            )
            return
        entry = QtWidgets.QListWidgetItem(label)
        entry.setData(Qt.ItemDataRole.UserRole, (kind, value))
        self.attachments.addItem(entry)

    def _pick_library(self) -> None:
        titles = [title for _item, title in self._library]
        title, ok = QtWidgets.QInputDialog.getItem(
            self, _("Attach from the library"), _("Library item:"), titles, 0, False
        )
        if ok and title in titles:
            item_id = self._library[titles.index(title)][0]
            self._add_attachment(title, "library", item_id)

    def _pick_files(self) -> None:
        paths, _filter = QtWidgets.QFileDialog.getOpenFileNames(self, _("Attach files"))
        for path in paths:
            self.add_file(path)

    def add_file(self, path: str) -> None:
        self._add_attachment(os.path.basename(path), "file", path)

    def add_library_item(self, item_id: str, title: str) -> None:
        self._add_attachment(title, "library", item_id)

    def _remove(self) -> None:
        for entry in self.attachments.selectedItems():
            self.attachments.takeItem(self.attachments.row(entry))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)

    def _accept(self) -> None:
        if not self.subject.text().strip():
            self._show_error(_("Write a subject."))
            self.subject.setFocus()
            return
        if not self.text.toPlainText().strip():
            self._show_error(_("Write a message."))
            self.text.setFocus()
            return
        if len(self.text.toPlainText()) > MAX_BODY:
            self._show_error(_("The message is too long."))
            return
        self.accept()

    def draft(self) -> Draft:
        library: list[tuple[str, str]] = []
        files: list[str] = []
        for row in range(self.attachments.count()):
            entry = self.attachments.item(row)
            kind, value = entry.data(Qt.ItemDataRole.UserRole)
            if kind == "library":
                library.append((value, entry.text()))
            else:
                files.append(value)
        return Draft(
            self.subject.text().strip(),
            self.text.toPlainText(),
            self.alert.isVisible() and self.alert.isChecked(),
            self.to.currentData(),
            tuple(library),
            tuple(files),
        )
