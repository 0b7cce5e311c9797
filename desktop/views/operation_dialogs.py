"""Dialogs to create an operation (name, relay, end date, template set) and to join one with an
invitation code. They validate as the person types and show a failure in one sentence; the
work itself is done by whoever handles ``submitted`` (the main window, on the sync thread)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop.qt import Qt, QtCore, QtWidgets, Signal
from desktop.views.settings_dialog import relay_url_problem
from locales import _


@dataclass(frozen=True)
class NewOperation:
    name: str
    relay_url: str
    ends: str | None  # ISO date
    templates: tuple[str, ...]


def builtin_templates() -> list[tuple[str, str]]:
    """(id, translated title) of every shipped template."""
    from forms.registry import list_templates

    return [(t.id, _(t.title)) for t in list_templates()]


class _BusyDialog(QtWidgets.QDialog):
    """Shared: an error line, a busy state, OK/Cancel buttons."""

    def _finish_layout(self, layout: QtWidgets.QVBoxLayout) -> None:
        self.problem = QtWidgets.QLabel(self)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet(
            "color: palette(bright-text); background: #b3261e; padding: 4px;"
        )
        self.problem.hide()
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel,
            self,
        )
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.progress = QtWidgets.QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.hide()
        layout.addWidget(self.problem)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

    @property
    def ok_button(self) -> QtWidgets.QPushButton:
        return self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)

    def show_busy(self) -> None:
        self.problem.hide()
        self.progress.show()
        self.ok_button.setEnabled(False)

    def show_error(self, message: str) -> None:
        self.progress.hide()
        self.problem.setText(message)
        self.problem.setVisible(bool(message))
        self.ok_button.setEnabled(True)

    def _submit(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class CreateOperationDialog(_BusyDialog):
    """Emits ``submitted(NewOperation)``; the handler calls :meth:`show_error` or closes it."""

    submitted = Signal(object)

    def __init__(self, default_relay: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("create-operation-dialog")
        self.name = QtWidgets.QLineEdit(self)
        self.name.setMaxLength(120)
        self.relay = QtWidgets.QLineEdit(default_relay, self)
        self.relay.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.has_end = QtWidgets.QCheckBox(self)
        self.has_end.setChecked(True)
        self.ends = QtWidgets.QDateEdit(self)
        self.ends.setCalendarPopup(True)
        today = QtCore.QDate.currentDate()
        self.ends.setMinimumDate(today)
        self.ends.setDate(today.addDays(30))
        self.has_end.toggled.connect(self.ends.setEnabled)
        self.templates = QtWidgets.QListWidget(self)
        for template_id, title in builtin_templates():
            item = QtWidgets.QListWidgetItem(title, self.templates)
            item.setData(Qt.ItemDataRole.UserRole, template_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.templates.setMinimumHeight(140)
        self.name_caption = QtWidgets.QLabel(self)
        self.relay_caption = QtWidgets.QLabel(self)
        self.templates_caption = QtWidgets.QLabel(self)
        self.name_caption.setBuddy(self.name)
        self.relay_caption.setBuddy(self.relay)
        self.templates_caption.setBuddy(self.templates)
        end_row = QtWidgets.QHBoxLayout()
        end_row.addWidget(self.has_end)
        end_row.addWidget(self.ends, 1)
        form = QtWidgets.QFormLayout()
        form.addRow(self.name_caption, self.name)
        form.addRow(self.relay_caption, self.relay)
        form.addRow(end_row)
        form.addRow(self.templates_caption, self.templates)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        self._finish_layout(layout)
        self.name.textChanged.connect(self._validate)
        self.relay.textChanged.connect(self._validate)
        self.templates.itemChanged.connect(lambda *_: self._validate())
        self.retranslate()
        self._validate()

    def value(self) -> NewOperation:
        chosen = []
        for index in range(self.templates.count()):
            item = self.templates.item(index)
            if item.checkState() == Qt.CheckState.Checked:
                chosen.append(str(item.data(Qt.ItemDataRole.UserRole)))
        ends = None
        if self.has_end.isChecked():
            date = self.ends.date()
            ends = dt.date(date.year(), date.month(), date.day()).isoformat()
        return NewOperation(
            self.name.text().strip(), self.relay.text().strip(), ends, tuple(chosen)
        )

    def problem_text(self) -> str | None:
        value = self.value()
        if not value.name:
            return _("Give the operation a name.")
        if not value.relay_url:
            return _("Enter the address of the relay the operation will use.")
        problem = relay_url_problem(value.relay_url)
        if problem:
            return problem
        if not value.templates:
            return _("Choose at least one template.")
        return None

    def _validate(self) -> bool:
        problem = self.problem_text()
        self.ok_button.setEnabled(problem is None)
        self.ok_button.setToolTip(problem or "")
        return problem is None

    def _submit(self) -> None:
        if self._validate():
            self.show_busy()
            self.submitted.emit(self.value())

    def retranslate(self) -> None:
        self.setWindowTitle(_("New operation"))
        self.name_caption.setText(_("&Name:"))
        self.relay_caption.setText(_("&Relay:"))
        self.templates_caption.setText(_("&Templates:"))
        self.has_end.setText(_("Planned &end:"))
        self.name.setPlaceholderText(_("for example Operation Blue Harbour"))
        self.name.setAccessibleName(_("Operation name"))
        self.relay.setAccessibleName(_("Relay address"))
        self.relay.setPlaceholderText("https://relay.example.org")
        self.has_end.setAccessibleName(_("The operation has a planned end date"))
        self.ends.setAccessibleName(_("Planned end date"))
        self.templates.setAccessibleName(_("Templates the operation uses"))
        self.progress.setAccessibleName(_("Creating the operation"))
        self.problem.setAccessibleName(_("Problem"))


class JoinDialog(_BusyDialog):
    """Emits ``submitted(code)`` with the invitation code, typed or pasted."""

    submitted = Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("join-operation-dialog")
        self.intro = QtWidgets.QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.code = QtWidgets.QPlainTextEdit(self)
        self.code.setTabChangesFocus(True)
        self.code.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.code.setMinimumHeight(90)
        self.paste_button = QtWidgets.QPushButton(self)
        self.paste_button.clicked.connect(self._paste)
        self.caption = QtWidgets.QLabel(self)
        self.caption.setBuddy(self.code)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.caption)
        layout.addWidget(self.code)
        layout.addWidget(self.paste_button, 0, Qt.AlignmentFlag.AlignLeading)
        self._finish_layout(layout)
        self.code.textChanged.connect(self._validate)
        self.resize(460, self.sizeHint().height())
        self.retranslate()
        self._validate()

    def value(self) -> str:
        return "".join(self.code.toPlainText().split())  # line breaks from a pasted e-mail

    def _paste(self) -> None:
        text = QtWidgets.QApplication.clipboard().text()
        if text:
            self.code.setPlainText(text.strip())

    def _validate(self) -> bool:
        ok = bool(self.value())
        self.ok_button.setEnabled(ok)
        return ok

    def _submit(self) -> None:
        if self._validate():
            self.show_busy()
            self.submitted.emit(self.value())

    def retranslate(self) -> None:
        self.setWindowTitle(_("Join an operation"))
        self.intro.setText(
            _(
                "Paste the invitation code the coordinator gave you. After you send the "
                "request, compare your fingerprint with the coordinator; the operation opens "
                "once you are admitted."
            )
        )
        self.caption.setText(_("Invitation &code:"))
        self.paste_button.setText(_("&Paste"))
        self.code.setAccessibleName(_("Invitation code"))
        self.paste_button.setAccessibleName(_("Paste the invitation code from the clipboard"))
        self.progress.setAccessibleName(_("Sending the join request"))
        self.problem.setAccessibleName(_("Problem"))
