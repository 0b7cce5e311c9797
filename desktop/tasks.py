"""Background work for the interface: run a callable off the UI thread, report progress, then
call ``success`` or ``failure`` back on the UI thread (in the style of Anki's ``CollectionOp``).

Two kinds of worker threads:

* a small pool of general workers for key derivation, file reading and other slow work;
* one *serial writer* for every store write, because one SQLCipher connection per thread and
  one writer at a time is the safe pattern (and keeps writes in the order they were asked for).

Threads are stopped by a sentinel in their queue and waited for in :meth:`TaskRunner.shutdown`;
they are never terminated. A job whose owner no longer wants the answer (the window closed, the
profile locked) is cancelled: its callbacks are dropped, and a long callable can stop early by
checking :attr:`Progress.cancelled`.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from desktop.qt import Qt, QtCore, Signal

T = TypeVar("T")
log = logging.getLogger(__name__)

_PROGRESS_INTERVAL = 0.05  # seconds between two progress reports reaching the UI thread
_SLICE_SECONDS = 0.008  # longest run of callbacks before the UI thread attends to other events


class Cancelled(Exception):
    """Raised inside a job by :meth:`Progress.check` once the job was cancelled."""


@dataclass(frozen=True)
class ProgressUpdate:
    """What a job reported: ``done`` out of ``total`` (``total`` 0 = unknown) and a label."""

    done: int
    total: int
    label: str = ""


class Progress:
    """Handed to every job: report progress and see whether the job was cancelled."""

    def __init__(self, job: Job[Any]) -> None:
        self._job = job
        self._last = 0.0

    @property
    def cancelled(self) -> bool:
        return self._job.cancelled

    def check(self) -> None:
        """Stop the job here (raise :class:`Cancelled`) if it was cancelled."""
        if self._job.cancelled:
            raise Cancelled

    def report(self, done: int, total: int = 0, label: str = "") -> None:
        """Tell the UI how far the job is; reports closer than 50 ms apart are coalesced."""
        now = time.monotonic()
        if done < total and now - self._last < _PROGRESS_INTERVAL:
            return
        self._last = now
        self._job._post_progress(ProgressUpdate(done, total, label))


class Job(Generic[T]):
    """One piece of background work and its UI-thread callbacks; built by :meth:`TaskRunner.op`.

    ``runner.op(fn).success(show).failure(complain).progress(update).run()``; ``fn`` receives a
    :class:`Progress`. Without a failure callback the runner's error handler is called.
    """

    _ids = itertools.count(1)

    def __init__(
        self,
        runner: TaskRunner,
        fn: Callable[[Progress], T],
        *,
        writer: bool,
        target: queue.Queue[Any] | None = None,
    ) -> None:
        self.id = next(self._ids)
        self._runner = runner
        self._fn = fn
        self._writer = writer
        self._target = target  # another thread's queue (the sync thread), else the runner's
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._on_progress: Callable[[ProgressUpdate], None] | None = None
        self._on_finished: Callable[[], None] | None = None
        self._cancel = threading.Event()
        self._detached = False
        self.finished = False

    def success(self, callback: Callable[[T], None]) -> Job[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Job[T]:
        self._on_failure = callback
        return self

    def progress(self, callback: Callable[[ProgressUpdate], None]) -> Job[T]:
        self._on_progress = callback
        return self

    def finally_(self, callback: Callable[[], None]) -> Job[T]:
        """Called on the UI thread after success or failure (not when cancelled)."""
        self._on_finished = callback
        return self

    def run(self) -> Job[T]:
        self._runner._submit(self)
        return self

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Drop the callbacks; a job not yet started never runs."""
        self._detached = True
        self._cancel.set()

    def detach(self) -> None:
        """Drop the callbacks but let the job run (store writes are never lost)."""
        self._detached = True

    @property
    def detached(self) -> bool:
        return self._detached

    # -- worker-thread side --------------------------------------------------------------

    def _execute(self) -> None:
        if self.cancelled:
            return
        try:
            result = self._fn(Progress(self))
        except Cancelled:
            return
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI thread
            error = exc  # `exc` is unbound when the except block ends; the lambda runs later
            self._runner._deliver(self, lambda: self._finish_failure(error))
            return
        self._runner._deliver(self, lambda: self._finish_success(result))

    def _post_progress(self, update: ProgressUpdate) -> None:
        if self._on_progress is not None:
            callback = self._on_progress
            self._runner._deliver(self, lambda: callback(update))

    # -- UI-thread side ------------------------------------------------------------------

    def _finish_success(self, result: T) -> None:
        self.finished = True
        try:
            if self._on_success is not None:
                self._on_success(result)
        finally:
            self._finally()

    def _finish_failure(self, exc: BaseException) -> None:
        self.finished = True
        try:
            if self._on_failure is not None:
                self._on_failure(exc)
            else:
                self._runner.error_handler(exc)
        finally:
            self._finally()

    def _finally(self) -> None:
        self._runner._forget(self)
        if self._on_finished is not None:
            self._on_finished()


_STOP = object()


class _Worker(QtCore.QThread):
    """A thread that runs jobs from a queue until it takes the stop sentinel."""

    def __init__(self, jobs: queue.Queue[Any], name: str) -> None:
        super().__init__()
        self._jobs = jobs
        self.setObjectName(name)

    def run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            job._execute()


class _Bridge(QtCore.QObject):
    """Lives on the UI thread; a queued signal carries each callback there."""

    deliver = Signal(object)


class TaskRunner(QtCore.QObject):
    """Owns the worker threads. Build one per application and hand it to whoever needs it."""

    def __init__(
        self,
        *,
        workers: int = 2,
        error_handler: Callable[[BaseException], None] | None = None,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.error_handler: Callable[[BaseException], None] = error_handler or _log_error
        # Answers wait in an inbox; one queued wake-up drains it in short slices (see _drain).
        self._inbox: deque[tuple[Job[Any], Callable[[], None]]] = deque()
        self._inbox_lock = threading.Lock()
        self._wake_pending = False
        self._bridge = _Bridge()
        self._bridge.deliver.connect(self._drain, Qt.ConnectionType.QueuedConnection)
        self._general: queue.Queue[Any] = queue.Queue()
        self._writes: queue.Queue[Any] = queue.Queue()
        self._threads = [_Worker(self._general, f"cordon-worker-{i}") for i in range(workers)]
        self._writer = _Worker(self._writes, "cordon-store-writer")
        self._threads.append(self._writer)
        self._live: dict[int, Job[Any]] = {}
        self._lock = threading.Lock()
        self._closed = False
        for thread in self._threads:
            thread.start()

    def op(self, fn: Callable[[Progress], T]) -> Job[T]:
        """A job for the general pool (key derivation, reading files, anything slow)."""
        return Job(self, fn, writer=False)

    def write(self, fn: Callable[[Progress], T]) -> Job[T]:
        """A job for the one serial store writer: writes run one at a time, in order."""
        return Job(self, fn, writer=True)

    def on(self, jobs: queue.Queue[Any], fn: Callable[[Progress], T]) -> Job[T]:
        """A job for a thread the caller owns that takes jobs from ``jobs`` and calls
        ``job._execute()`` (the sync thread): same callbacks, cancelled like a general job."""
        return Job(self, fn, writer=False, target=jobs)

    @property
    def pending(self) -> int:
        """Jobs submitted whose callbacks have not run yet."""
        with self._lock:
            return len(self._live)

    def abandon_all(self) -> None:
        """No answer of a live job may reach a view any more (the profile locks, the app quits).

        General jobs are cancelled (a queued one never runs, a running one sees ``cancelled``);
        store writes still run to the end, without callbacks, because a write is never lost.
        """
        with self._lock:
            jobs = list(self._live.values())
            self._live.clear()
        for job in jobs:
            job.detach()
            if not job._writer:
                job.cancel()

    def shutdown(self) -> None:
        """Stop every thread by signal and wait for each: running jobs and queued store writes
        finish first, queued general jobs are dropped."""
        if self._closed:
            return
        self._closed = True
        self.abandon_all()
        for _thread in self._threads[:-1]:
            self._general.put(_STOP)
        self._writes.put(_STOP)
        for thread in self._threads:
            thread.wait()

    @property
    def threads(self) -> tuple[QtCore.QThread, ...]:
        return tuple(self._threads)

    def _submit(self, job: Job[Any]) -> None:
        if self._closed:
            raise RuntimeError("the task runner is shut down")
        with self._lock:
            self._live[job.id] = job
        if job._target is not None:
            job._target.put(job)
        else:
            (self._writes if job._writer else self._general).put(job)

    def _deliver(self, job: Job[Any], callback: Callable[[], None]) -> None:
        with self._inbox_lock:
            self._inbox.append((job, callback))
            wake = not self._wake_pending
            self._wake_pending = True
        if wake:
            self._bridge.deliver.emit(None)

    def _forget(self, job: Job[Any]) -> None:
        with self._lock:
            self._live.pop(job.id, None)

    def _drain(self, _unused: object = None) -> None:
        """Run waiting callbacks on the UI thread for at most one slice, then yield.

        Thousands of answers arriving at once (a sync applying packages) must not freeze the
        window: after each slice the rest is picked up on the next event-loop pass, so input,
        painting and timers get their turn in between.
        """
        deadline = time.perf_counter() + _SLICE_SECONDS
        while True:
            with self._inbox_lock:
                if not self._inbox:
                    self._wake_pending = False
                    return
                job, callback = self._inbox.popleft()
            if not self._closed and not job.detached:
                callback()
            if time.perf_counter() >= deadline:
                QtCore.QTimer.singleShot(0, self._drain)
                return


def _log_error(exc: BaseException) -> None:
    # The type only: an exception's text may quote case data, which never goes to a log.
    log.error("background job failed: %s", type(exc).__name__)
