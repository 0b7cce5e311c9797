"""Drives the main window while a profile is unlocked: the operations list, the create and join
dialogs, opening an operation's workspace, participants, sync files, the sync thread's status
and the alerts. Built by the controller at unlock with everything handed in; closed at lock.

Reads go through the session (store writer thread); anything that talks to the relay goes
through the sync thread, so neither the UI nor the store writer waits on the network.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from desktop import operations_data as data
from desktop.alerts import AlertCenter
from desktop.engine_thread import SyncThread
from desktop.errors import user_text
from desktop.qt import Qt, QtCore, QtWidgets
from desktop.session import Session
from desktop.settings import Preferences
from desktop.views.main_window import MainWindow
from desktop.views.operation_dialogs import CreateOperationDialog, JoinDialog, NewOperation
from locales import _

log = logging.getLogger(__name__)

_REFRESH_DELAY_MS = 150  # coalesce bursts of "changed" into one refresh
JOIN_LOOK_SECONDS = 30.0  # how often a coordinator's window asks the relay for join requests


class OperationsFrame(QtCore.QObject):
    """The unlocked main window's behaviour. ``rows_loaded`` fires after each refresh."""

    rows_loaded = QtCore.Signal(object)
    operation_opened = QtCore.Signal(object)  # OperationRef
    admitted = QtCore.Signal(str)  # operation id: the coordinator admitted this device

    def __init__(
        self,
        window: MainWindow,
        session: Session,
        sync: SyncThread,
        prefs: Preferences,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.session = session
        self.sync = sync
        self.prefs = prefs
        self.alerts = AlertCenter(window.banner, self)
        self._join_looked: dict[str, float] = {}  # operation id -> monotonic time of the look
        self.create_dialog: CreateOperationDialog | None = None
        self.join_dialog: JoinDialog | None = None
        self.participants_dialog: QtWidgets.QDialog | None = None
        self.open_operation: str | None = None
        self._refresh_timer = QtCore.QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(_REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        panel = window.operations
        panel.create_requested.connect(self.open_create)
        panel.join_requested.connect(self.open_join)
        panel.open_requested.connect(self.open_row)
        panel.participants_requested.connect(self.open_participants)
        window.home_requested.connect(self.show_home)
        window.sync_requested.connect(self.sync.sync_now)
        window.export_requested.connect(self.export_file)
        window.import_requested.connect(self.import_file)
        window.banner.open_requested.connect(self.open_by_id)
        window.banner.join_open_requested.connect(self._review_join)
        session.changed.connect(self._session_changed)
        sync.operation_changed.connect(self._engine_changed)
        sync.status_changed.connect(window.set_sync_status)
        sync.synced.connect(self._synced)
        sync.failed.connect(self._sync_failed)
        self._purge_expired()
        self.refresh()

    # -- the list ----------------------------------------------------------------------------

    def _purge_expired(self) -> None:
        """Closed operations past their retention are shredded at unlock, as the CLI does."""
        from sync.client import lifecycle

        self.session.call(lifecycle.purge_expired).run()

    def schedule_refresh(self) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def refresh(self) -> None:
        def load(profile: Any) -> tuple[list[data.OperationRow], list[data.AlertRow]]:
            return data.list_operations(profile), data.unread_alerts(profile)

        def loaded(result: tuple[list[data.OperationRow], list[data.AlertRow]]) -> None:
            rows, alerts = result
            self.window.operations.set_rows(rows)
            self.alerts.show_alerts(alerts)
            self.rows_loaded.emit(rows)

        if self.session.is_open:
            self.session.call(load).success(loaded).run()

    def _session_changed(self, operation_id: str) -> None:
        self.schedule_refresh()

    def _synced(self, operation_id: str, report: Any) -> None:
        self.window.operations.model.set_last_sync(operation_id, _now())
        row = self.row(operation_id)
        if row is not None and row.status == "pending" and report.status == "active":
            self._admitted(row)
        elif report.status != getattr(row, "status", report.status):
            self.schedule_refresh()  # admitted, closed or removed meanwhile
        if row is not None and row.role == "coordinator" and report.status == "active":
            self._look_for_join_requests(row)
        if report.sent:  # files and messages waiting to upload have gone: the rooms say so
            self.session.notify_changed(operation_id)

    def _admitted(self, row: data.OperationRow) -> None:
        """The coordinator admitted this device: once the list knows the operation's name
        (a pending one has none yet), say so and open the operation at once."""
        operation_id = row.operation_id

        def listed(_rows: list[data.OperationRow]) -> None:
            self.rows_loaded.disconnect(listed)
            now = self.row(operation_id)
            if now is None:
                return
            text = _("You were admitted to {operation}.").format(operation=now.name)
            self.window.statusBar().showMessage(text, 30_000)
            self.alerts.tell(_("Admitted"), text)
            self.window.operations.select(operation_id)
            self.open_row(now)
            self.admitted.emit(operation_id)

        self.rows_loaded.connect(listed)
        self.refresh()

    def _look_for_join_requests(self, row: data.OperationRow) -> None:
        """Ask the relay for join requests (sync thread), at most every JOIN_LOOK_SECONDS per
        operation; new ones reach the banner and tray. The status bar watches the request as
        it watches a round, so a relay that goes silent meanwhile still reads offline."""
        op, name = row.operation_id, row.name
        now = time.monotonic()
        if now - self._join_looked.get(op, -JOIN_LOOK_SECONDS) < JOIN_LOOK_SECONDS:
            return
        self._join_looked[op] = now
        status = self.window.sync_status
        status.request_started()

        def found(requests: list[data.PendingRow]) -> None:
            status.request_ended(True)
            self.alerts.show_join_requests(op, name, requests)

        self.sync.call(lambda engine, _progress: data.pending(engine, op)).success(found).failure(
            lambda _exc: status.request_ended(False)
        ).run()

    def _review_join(self, operation_id: str) -> None:
        row = self.row(operation_id)
        if row is not None:
            self.open_participants(row)

    def _engine_changed(self, operation_id: str) -> None:
        self.session.notify_changed(operation_id)  # the rooms look again; so does the list

    def _sync_failed(self, operation_id: str, message: str) -> None:
        self.window.statusBar().showMessage(message, 10_000)

    def row(self, operation_id: str) -> data.OperationRow | None:
        return next(
            (r for r in self.window.operations.model.rows if r.operation_id == operation_id), None
        )

    # -- create and join ---------------------------------------------------------------------

    def open_create(self) -> CreateOperationDialog:
        dialog = CreateOperationDialog(self.prefs.relay_url, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda value: self._create(dialog, value))
        dialog.destroyed.connect(lambda *_: setattr(self, "create_dialog", None))
        self.create_dialog = dialog
        dialog.open()
        return dialog

    def _create(self, dialog: CreateOperationDialog, value: NewOperation) -> None:
        from sync.client import lifecycle

        def create(engine: Any, progress: Any) -> str:
            return lifecycle.create_operation(
                engine, value.name, value.relay_url, list(value.templates), value.ends
            )

        def created(operation_id: str) -> None:
            dialog.accept()
            self._after_change(operation_id, open_it=True)

        self.sync.call(create).success(created).failure(
            lambda exc: dialog.show_error(user_text(exc))
        ).run()

    def open_join(self) -> JoinDialog:
        dialog = JoinDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda code: self._join(dialog, code))
        dialog.destroyed.connect(lambda *_: setattr(self, "join_dialog", None))
        self.join_dialog = dialog
        dialog.open()
        return dialog

    def _join(self, dialog: JoinDialog, code: str) -> None:
        from sync.client import lifecycle

        def join(engine: Any, progress: Any) -> str:
            return lifecycle.join(engine, code)

        def joined(operation_id: str) -> None:
            dialog.accept()
            self._after_change(operation_id, open_it=False)
            self.window.statusBar().showMessage(
                _(
                    "Join request sent. Compare fingerprints with the coordinator; the "
                    "operation opens once you are admitted."
                ),
                20_000,
            )
            self.sync.sync_now()

        self.sync.call(join).success(joined).failure(
            lambda exc: dialog.show_error(user_text(exc))
        ).run()

    def open_when_listed(self, operation_id: str) -> None:
        """Refresh the list, then open that operation (the demo opens its operation)."""
        self._after_change(operation_id, open_it=True)

    def _after_change(self, operation_id: str, *, open_it: bool) -> None:
        def select(rows: list[data.OperationRow]) -> None:
            self.rows_loaded.disconnect(select)
            self.window.operations.select(operation_id)
            row = self.row(operation_id)
            if open_it and row is not None:
                self.open_row(row)

        self.rows_loaded.connect(select)
        self.refresh()

    # -- open an operation ---------------------------------------------------------------------

    def open_by_id(self, operation_id: str) -> None:
        row = self.row(operation_id)
        if row is not None:
            self.window.operations.select(operation_id)
            self.open_row(row)

    def open_row(self, row: data.OperationRow) -> None:
        from desktop.workspace.context import OperationRef
        from desktop.workspace.frame import Workspace

        if row.status not in ("active", "closed"):
            self.window.statusBar().showMessage(
                _("This operation opens once the coordinator has admitted you."), 10_000
            )
            return
        ref = OperationRef(row.operation_id, row.name, row.role, row.status, row.templates)
        workspace = Workspace(self.session, ref, self.window.stack)
        self.window.show_workspace(workspace)
        self.open_operation = row.operation_id
        self.operation_opened.emit(ref)

    def show_home(self) -> None:
        self.window.close_workspace()
        self.open_operation = None

    # -- participants and sync files -------------------------------------------------------------

    def open_participants(self, row: data.OperationRow) -> QtWidgets.QDialog:
        from desktop.views.participants import ParticipantsDialog

        dialog = ParticipantsDialog(
            self.session, self.sync, row, self.window, retention_days=self.prefs.retention_days
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(lambda: self._after_change(row.operation_id, open_it=False))
        dialog.closed_operation.connect(self._operation_closed)
        dialog.destroyed.connect(lambda *_: setattr(self, "participants_dialog", None))
        self.participants_dialog = dialog
        dialog.open()
        return dialog

    def _operation_closed(self, operation_id: str) -> None:
        if self.open_operation == operation_id:
            self.show_home()
        self.refresh()

    def export_file(self) -> None:
        from desktop.views.sync_files import export_sync_file

        row = self.window.operations.current()
        if row is None:
            self.window.statusBar().showMessage(_("Choose an operation first."), 8_000)
            return
        export_sync_file(self.window, self.sync, row)

    def import_file(self) -> None:
        from desktop.views.sync_files import import_sync_file

        import_sync_file(self.window, self.sync, self._engine_changed)

    def open_dialogs(self) -> list[Any]:
        return [
            d
            for d in (self.create_dialog, self.join_dialog, self.participants_dialog)
            if d is not None
        ]

    def retranslate(self) -> None:
        """The live language switch reaches the open dialogs too."""
        for dialog in self.open_dialogs():
            dialog.retranslate()

    def close(self) -> None:
        """At lock: no dialog of this profile stays open; the tray icon goes."""
        self._refresh_timer.stop()
        for dialog in self.open_dialogs():
            dialog.close()
        self.alerts.close()
        self.window.close_workspace()


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)
