"""The status bar's sync status: online / offline / syncing, outbox count, last sync and a
progress bar for a long transfer. It only displays a :class:`desktop.status.SyncStatus`."""

from __future__ import annotations

from desktop.i18n import format_datetime
from desktop.qt import Qt, QtWidgets
from desktop.status import SyncState, SyncStatus
from desktop.widgets.plain_label import PlainLabel
from locales import _, ngettext


def _state_text(state: SyncState) -> str:
    if state is SyncState.ONLINE:
        return _("Online")
    if state is SyncState.SYNCING:
        return _("Syncing…")
    return _("Offline")


class SyncStatusWidget(QtWidgets.QWidget):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._status = SyncStatus()
        self.state_label = PlainLabel(parent=self)
        self.outbox_label = PlainLabel(parent=self)
        self.last_sync_label = PlainLabel(parent=self)
        self.transfer = QtWidgets.QProgressBar(self)
        self.transfer.setMaximumWidth(160)
        self.transfer.setVisible(False)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(12)
        for widget in (self.state_label, self.outbox_label, self.last_sync_label):
            layout.addWidget(widget)
        layout.addWidget(self.transfer)
        layout.addStretch(1)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.retranslate()

    @property
    def status(self) -> SyncStatus:
        return self._status

    def set_status(self, status: SyncStatus) -> None:
        self._status = status
        self.retranslate()

    def retranslate(self) -> None:
        status = self._status
        self.state_label.setText(_state_text(status.state))
        self.outbox_label.setText(
            ngettext(
                "{count} package waiting to send",
                "{count} packages waiting to send",
                status.outbox,
            ).format(count=status.outbox)
        )
        if status.last_sync is None:
            last = _("Last sync: never")
        else:
            last = _("Last sync: {when}").format(when=format_datetime(status.last_sync, "short"))
        self.last_sync_label.setText(last)
        transferring = status.transfer_total > 0
        self.transfer.setVisible(transferring)
        if transferring:
            self.transfer.setRange(0, 1000)
            self.transfer.setValue(int(1000 * status.transfer_done / status.transfer_total))
        self.transfer.setAccessibleName(_("Transfer progress"))
        summary = " · ".join(
            label.text() for label in (self.state_label, self.outbox_label, self.last_sync_label)
        )
        self.setAccessibleName(_("Sync status"))
        self.setAccessibleDescription(summary)
