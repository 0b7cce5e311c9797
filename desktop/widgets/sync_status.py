"""The status bar's sync status: online / offline / syncing, the changes waiting to send, last
sync and a progress bar for a long transfer. It displays a :class:`desktop.status.SyncStatus`,
and tells the truth when the relay goes silent: a round that has heard nothing from the relay
for SILENT_SECONDS reads "Offline since 14:02" (the last time the relay answered), not
"Syncing…" for as long as the network's time-outs last."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from desktop.i18n import format_datetime, format_time
from desktop.qt import Qt, QtCore, QtWidgets
from desktop.status import SyncState, SyncStatus
from desktop.widgets.plain_label import PlainLabel
from locales import _, ngettext

SILENT_SECONDS = 8.0  # a sync round without a word from the relay this long is "offline"
_CHECK_MS = 1000


class SyncStatusWidget(QtWidgets.QWidget):
    def __init__(
        self,
        parent: QtWidgets.QWidget | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        super().__init__(parent)
        self._status = SyncStatus()
        self._clock = clock
        self._now = now
        self._heard_at = clock()  # monotonic time the relay was last heard from (or a round began)
        self._contact: dt.datetime | None = None  # wall time of the relay's last answer
        self._offline_since: dt.datetime | None = None  # None: online, or never reached
        self._requests = 0  # requests to the relay outside a round, still waiting
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
        # While a round runs, look every second whether the relay has gone quiet.
        self._watch = QtCore.QTimer(self)
        self._watch.setInterval(_CHECK_MS)
        self._watch.timeout.connect(self.retranslate)
        self.retranslate()

    @property
    def status(self) -> SyncStatus:
        return self._status

    @property
    def silent(self) -> bool:
        """A round (or another request to the relay) is running and the relay has said nothing
        for SILENT_SECONDS."""
        waiting = self._status.state is SyncState.SYNCING or self._requests > 0
        return waiting and self._clock() - self._heard_at >= SILENT_SECONDS

    def request_started(self) -> None:
        """A request to the relay outside a sync round began (a look for join requests)."""
        self._requests += 1
        if self._requests == 1 and self._status.state is not SyncState.SYNCING:
            self._heard_at = self._clock()
        self._watch.start()

    def request_ended(self, answered: bool) -> None:
        """That request ended; ``answered``: the relay answered it."""
        self._requests = max(0, self._requests - 1)
        if answered:
            self._heard_at = self._clock()
            self._contact = self._now()
            self._offline_since = None
        if not self._requests and self._status.state is not SyncState.SYNCING:
            self._watch.stop()
        self.retranslate()

    def set_status(self, status: SyncStatus) -> None:
        old, self._status = self._status, status
        heard = status.last_sync != old.last_sync or (
            status.transfer_total > 0 and status.transfer_done != old.transfer_done
        )
        if status.last_sync is not None and status.last_sync != old.last_sync:
            self._contact = status.last_sync
        if heard or (status.state is SyncState.SYNCING and old.state is not SyncState.SYNCING):
            self._heard_at = self._clock()
        if status.state is SyncState.ONLINE or heard:
            self._offline_since = None
        elif status.state is SyncState.OFFLINE and self._offline_since is None:
            self._offline_since = self._contact
        if status.state is SyncState.SYNCING or self._requests:
            self._watch.start()
        else:
            self._watch.stop()
        self.retranslate()

    def _state_text(self) -> str:
        state = self._status.state
        if self.silent and self._offline_since is None:
            # The relay stopped answering in the middle of a round or a request.
            started = self._now() - dt.timedelta(seconds=self._clock() - self._heard_at)
            self._offline_since = self._contact or started
        if state is SyncState.ONLINE and not self.silent:
            return _("Online")
        if state is SyncState.SYNCING and self._offline_since is None:
            return _("Syncing…")
        since = self._offline_since
        if since is None:
            return _("Offline")
        today = since.astimezone().date() == self._now().astimezone().date()
        when = format_time(since, "short") if today else format_datetime(since, "short")
        # Translators: {time} is when the relay last answered, e.g. "Offline since 14:02".
        return _("Offline since {time}").format(time=when)

    def retranslate(self) -> None:
        status = self._status
        self.state_label.setText(self._state_text())
        if status.outbox:
            # Translators: the local changes (records, messages, files) not yet on the relay.
            waiting = ngettext(
                "{count} change waiting to send",
                "{count} changes waiting to send",
                status.outbox,
            ).format(count=status.outbox)
        else:
            waiting = _("All changes sent")
        self.outbox_label.setText(waiting)
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
