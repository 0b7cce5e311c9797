"""The sync engine on its own thread, with its own store connection.

One :class:`SyncThread` per unlocked profile. Its thread opens a second SQLCipher connection
(``profile.open_store()``), builds a :class:`sync.client.engine.SyncEngine` over it, and then
waits on a queue: a periodic tick (or :meth:`SyncThread.sync_now`) syncs every active operation,
and jobs from :meth:`SyncThread.call` (anything that talks to the relay: create, join, invite,
admit, remove, close, sync files) run there too, so the store writer and the UI thread never
wait on the network. This loop is the only one that keeps operations in sync in the background
(the engine itself only runs rounds). Results reach the UI thread as signals; the thread is
stopped by a sentinel and waited for at lock and quit, never terminated.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from desktop.errors import user_text
from desktop.qt import QtCore, Signal
from desktop.status import SyncState, SyncStatus
from desktop.tasks import Job, Progress, TaskRunner

T = TypeVar("T")
log = logging.getLogger(__name__)

_STOP = object()
_SYNC = "sync"
_CHANGE_INTERVAL = 0.25  # seconds between two "data changed" signals while packages pour in


def thread_profile(profile: Any, store: Any) -> Any:
    """The same profile seen through another thread's store connection: identity and clock
    are shared (the clock is thread-safe); ``store`` and ``attachments`` belong to the caller's
    thread, because a SQLCipher connection must stay on the thread that opened it."""
    from sync.store.profile import Profile

    clone = Profile(
        profile.paths, store, profile.identity, profile.name, profile.agency, profile.country
    )
    clone.clock = profile.clock
    return clone


class _EngineWorker(QtCore.QThread):
    def __init__(self, owner: SyncThread) -> None:
        super().__init__()
        self.setObjectName("cordon-sync")
        self._owner = owner

    def run(self) -> None:
        self._owner._run()


class SyncThread(QtCore.QObject):
    """Emits ``status_changed(SyncStatus)``, ``operation_changed(operation_id)`` (packages
    were applied or the roster moved), ``synced(operation_id, report)`` and
    ``alerts_arrived(operation_id, count)``; all on the UI thread."""

    status_changed = Signal(object)
    operation_changed = Signal(str)
    synced = Signal(str, object)
    failed = Signal(str, str)  # operation id, one sentence

    def __init__(
        self,
        profile: Any,
        runner: TaskRunner,
        *,
        interval: float = 15.0,
        initial_delay: float = 0.5,
        auto_download_mb: int = 0,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        # Attachments up to this size are fetched after each round, so they are there when the
        # officer is offline later; 0 = only on demand. Read by the sync thread, set by the UI.
        self.auto_download_mb = auto_download_mb
        self._profile = profile
        self._runner = runner
        self.interval = interval
        # The window paints first; then the engine starts competing for the interpreter.
        self.initial_delay = initial_delay
        self._queue: queue.Queue[Any] = queue.Queue()
        self._stop = threading.Event()
        self._engine: Any = None
        self._worker = _EngineWorker(self)
        self._status = SyncStatus()
        self._status_lock = threading.Lock()
        self.last_sync: dict[str, dt.datetime] = {}
        self._last_changed: dict[str, float] = {}
        self.started = False
        self.ready = threading.Event()

    # -- UI-thread side ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread and wait until it has opened its store connection (a few
        milliseconds), so a lock right after unlock cannot close the profile under it."""
        if not self.started:
            self.started = True
            self._worker.start()
            self.ready.wait(10.0)

    def request_stop(self) -> None:
        """Ask the thread to stop after its running step, without waiting (at lock: the UI
        must not wait on a slow relay). From now on no signal is emitted."""
        self._stop.set()
        self._queue.put(_STOP)

    def wait(self, timeout_ms: int | None = None) -> bool:
        """Wait for the thread to end (at quit); True when it has."""
        if not self.started:
            return True
        done = self._worker.wait() if timeout_ms is None else self._worker.wait(timeout_ms)
        return bool(done)

    def stop(self) -> None:
        """Stop by signal, after the running step, and wait for the thread."""
        self.request_stop()
        self.wait()
        self.started = False

    @property
    def running(self) -> bool:
        return self._worker.isRunning()

    @property
    def status(self) -> SyncStatus:
        with self._status_lock:
            return self._status

    def sync_now(self) -> None:
        """Sync every active operation as soon as the thread is free."""
        self._queue.put(_SYNC)

    def call(self, fn: Callable[[Any, Progress], T]) -> Job[T]:
        """``fn(engine, progress)`` on the sync thread; chain callbacks, then ``.run()``."""
        return self._runner.on(self._queue, lambda progress: fn(self._engine, progress))

    # -- sync-thread side --------------------------------------------------------------------

    def _run(self) -> None:
        from sync.client.engine import SyncEngine

        try:
            store = self._profile.open_store()
        except Exception as exc:  # noqa: BLE001 - reported, and the window stays usable
            log.error("the sync thread could not open the store: %s", type(exc).__name__)
            self.ready.set()
            self._emit(self.failed, "", user_text(exc))
            return
        try:
            local = thread_profile(self._profile, store)
            self._engine = SyncEngine(local, store=store, progress=self._progress)
            self.ready.set()
            self._loop()
        finally:
            self._engine = None
            store.close()

    def _loop(self) -> None:
        from sync.client.backoff import Backoff

        backoff = Backoff(cap=120.0)
        delay = self.initial_delay
        while not self._stop.is_set():
            try:
                item = self._queue.get(timeout=delay) if delay > 0 else self._queue.get_nowait()
            except queue.Empty:
                item = _SYNC
            if item is _STOP:
                return
            if isinstance(item, Job):
                item._execute()
                continue
            online = self._sync_all()
            if online:
                backoff.reset()
                delay = self.interval
            else:
                delay = backoff.next_delay()

    def _sync_all(self) -> bool:
        """One round over the active operations; False when a relay could not be reached."""
        from sync.client.engine import is_transient
        from sync.client.relay_http import RelayError, RelayUnavailable
        from sync.errors import CordonError

        engine = self._engine
        ops = [o for o in engine.store.operations.list() if o.status in ("active", "pending")]
        if not ops:
            self._set_status(state=SyncState.OFFLINE, outbox=0)
            return True
        online = True
        for op in ops:
            if self._stop.is_set():
                break
            self._set_status(state=SyncState.SYNCING)
            try:
                report = engine.sync_once(op.operation_id)
            except (RelayUnavailable, RelayError) as exc:
                if is_transient(exc):
                    online = False
                    continue
                self._emit(self.failed, op.operation_id, user_text(exc))
                continue
            except CordonError as exc:
                self._emit(self.failed, op.operation_id, user_text(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - the thread must survive a bad round
                log.error("sync round failed: %s", type(exc).__name__)
                continue
            now = dt.datetime.now(dt.UTC)
            self.last_sync[op.operation_id] = now
            self._set_status(last_sync=now)
            self._emit(self.synced, op.operation_id, report)
            if report.received or report.status != op.status:
                self._emit(self.operation_changed, op.operation_id)
            if self._auto_download(op.operation_id):
                self._emit(self.operation_changed, op.operation_id)
        outbox = self._outbox_count()
        state = SyncState.ONLINE if online else SyncState.OFFLINE
        self._set_status(state=state, outbox=outbox, transfer_done=0, transfer_total=0)
        return online

    def _auto_download(self, operation_id: str) -> int:
        """Fetch the operation's attachments up to the automatic download limit (sync thread);
        returns how many arrived. A failure leaves the item for the next round or for the
        officer's own download."""
        from sync.client import files
        from sync.errors import CordonError

        limit = self.auto_download_mb * 1024 * 1024
        engine = self._engine
        op = engine.store.operations.get(operation_id)
        if limit <= 0 or op is None or op.status != "active":
            return 0
        fetched = 0
        for item in engine.store.library.list(operation_id):
            if self._stop.is_set():
                break
            if item.available or not item.blob_ref or not item.blob_key or item.size > limit:
                continue
            try:
                files.fetch_item(engine, operation_id, item)
            except (CordonError, OSError) as exc:
                log.warning("automatic download failed: %s", type(exc).__name__)
                continue
            except Exception as exc:  # noqa: BLE001 - the relay may be gone; try next round
                log.warning("automatic download failed: %s", type(exc).__name__)
                break
            fetched += 1
        return fetched

    def _outbox_count(self) -> int:
        return int(self._engine.store.outbox.unsent_count())

    def _progress(self, event: Any) -> None:
        """The engine's progress callback (sync thread): transfers to the status bar, applied
        packages to the views, at most every quarter second per operation."""
        if event.stage in ("upload", "download") and event.total:
            self._set_status(transfer_done=event.done, transfer_total=event.total)
        elif event.stage == "pull" and event.done:
            now = time.monotonic()
            if now - self._last_changed.get(event.operation_id, 0.0) >= _CHANGE_INTERVAL:
                self._last_changed[event.operation_id] = now
                self._emit(self.operation_changed, event.operation_id)

    def _set_status(self, **changes: Any) -> None:
        from dataclasses import replace

        with self._status_lock:
            self._status = replace(self._status, **changes)
            status = self._status
        self._emit(self.status_changed, status)

    def _emit(self, signal: Any, *args: Any) -> None:
        if not self._stop.is_set():  # after lock nothing may reach a view
            signal.emit(*args)
