"""The unlock window: the passphrase, a busy indicator while the key is derived, and a clear
message when the passphrase is wrong (nothing is lost: the user simply tries again)."""

from __future__ import annotations

from desktop.qt import Qt, QtWidgets, Signal
from desktop.widgets.busy import BusyIndicator
from locales import _


class UnlockWindow(QtWidgets.QWidget):
    """Emits ``unlock_requested(passphrase)``; the controller answers with :meth:`show_busy`,
    :meth:`show_error` or closes the window."""

    unlock_requested = Signal(str)

    def __init__(self, home_label: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unlock")
        self.title = QtWidgets.QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.text = QtWidgets.QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.folder = QtWidgets.QLabel(self)
        self.folder.setTextFormat(Qt.TextFormat.PlainText)
        self.folder.setWordWrap(True)
        self._home_label = home_label
        self._busy = False
        self.passphrase_label = QtWidgets.QLabel(self)
        self.passphrase = QtWidgets.QLineEdit(self)
        self.passphrase.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.passphrase_label.setBuddy(self.passphrase)
        self.error = QtWidgets.QLabel(self)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        bold = self.error.font()
        bold.setBold(True)
        self.error.setFont(bold)
        self.error.setVisible(False)
        self.busy = BusyIndicator(self)
        self.busy.setVisible(False)
        self.unlock_button = QtWidgets.QPushButton(self)
        self.unlock_button.setDefault(True)

        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.passphrase_label)
        row.addWidget(self.passphrase, 1)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addSpacing(12)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addStretch(1)
        layout.addWidget(self.folder)
        layout.addLayout(buttons)

        self.passphrase.returnPressed.connect(self._submit)
        self.passphrase.textChanged.connect(self._update_state)
        self.unlock_button.clicked.connect(self._submit)
        self.retranslate()
        self._update_state()
        self.resize(480, 280)

    def _update_state(self) -> None:
        self.unlock_button.setEnabled(bool(self.passphrase.text()) and not self._busy)

    def _submit(self) -> None:
        if not self.passphrase.text() or self._busy:
            return
        self.unlock_requested.emit(self.passphrase.text())

    def show_busy(self) -> None:
        self._busy = True
        self.error.setVisible(False)
        self.busy.setVisible(True)
        self.busy.set_text(_("Unlocking…"))
        self.passphrase.setEnabled(False)
        self._update_state()

    def show_error(self, message: str) -> None:
        self._busy = False
        self.busy.setVisible(False)
        self.passphrase.setEnabled(True)
        self.passphrase.selectAll()
        self.passphrase.setFocus()
        self.error.setText(message)
        self.error.setVisible(True)
        self._update_state()

    def reset(self) -> None:
        """Back to an empty passphrase field (after a lock)."""
        self._busy = False
        self.busy.setVisible(False)
        self.error.setVisible(False)
        self.passphrase.setEnabled(True)
        self.passphrase.clear()
        self.passphrase.setFocus()
        self._update_state()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Cordon — locked"))
        self.title.setText(_("Cordon is locked"))
        self.text.setText(_("Enter your passphrase to open your profile."))
        self.folder.setText(_("Profile folder: {path}").format(path=self._home_label))
        self.passphrase_label.setText(_("&Passphrase:"))
        self.passphrase.setAccessibleName(_("Passphrase"))
        self.error.setAccessibleName(_("Error"))
        self.unlock_button.setText(_("&Unlock"))
        self.unlock_button.setAccessibleName(_("Unlock"))
        if self._busy:
            self.busy.set_text(_("Unlocking…"))
