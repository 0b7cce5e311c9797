"""The background helper: callbacks on the UI thread, progress, serial writes, clean teardown."""

from __future__ import annotations

import threading

import pytest

from desktop.qt import QtCore
from desktop.tasks import Progress, ProgressUpdate, TaskRunner


@pytest.fixture
def runner(qtbot):
    errors: list[BaseException] = []
    r = TaskRunner(workers=2, error_handler=errors.append)
    r.errors = errors  # type: ignore[attr-defined]
    yield r
    r.shutdown()


def _on_ui_thread() -> bool:
    app = QtCore.QCoreApplication.instance()
    return QtCore.QThread.currentThread() is app.thread()


def test_success_arrives_on_the_ui_thread(qtbot, runner):
    worker_thread: list[bool] = []
    got: list[tuple[int, bool]] = []

    def work(progress: Progress) -> int:
        worker_thread.append(_on_ui_thread())
        return 42

    runner.op(work).success(lambda value: got.append((value, _on_ui_thread()))).run()
    qtbot.waitUntil(lambda: bool(got))
    assert got == [(42, True)]
    assert worker_thread == [False]
    qtbot.waitUntil(lambda: runner.pending == 0)


def test_failure_arrives_with_the_exception(qtbot, runner):
    failures: list[tuple[BaseException, bool]] = []

    def work(progress: Progress) -> None:
        raise ValueError("nope")

    runner.op(work).failure(lambda exc: failures.append((exc, _on_ui_thread()))).run()
    qtbot.waitUntil(lambda: bool(failures))
    exc, on_ui = failures[0]
    assert isinstance(exc, ValueError) and on_ui


def test_unhandled_failure_goes_to_the_error_handler(qtbot, runner):
    def work(progress: Progress) -> None:
        raise KeyError("x")

    runner.op(work).run()
    qtbot.waitUntil(lambda: bool(runner.errors))
    assert isinstance(runner.errors[0], KeyError)


def test_progress_reaches_the_ui_in_order(qtbot, runner):
    updates: list[ProgressUpdate] = []
    done: list[bool] = []

    def work(progress: Progress) -> None:
        for i in range(1, 6):
            progress.report(i, 5, "step")

    runner.op(work).progress(updates.append).success(lambda _: done.append(True)).run()
    qtbot.waitUntil(lambda: bool(done))
    # Reports closer than 50 ms are coalesced, but the last one (done == total) always arrives.
    assert updates[-1] == ProgressUpdate(5, 5, "step")
    assert [u.done for u in updates] == sorted(u.done for u in updates)


def test_writes_run_one_at_a_time_in_order(qtbot, runner):
    order: list[int] = []
    active = [0]
    overlap = [False]
    lock = threading.Lock()

    def make(i: int):
        def work(progress: Progress) -> None:
            with lock:
                active[0] += 1
                overlap[0] |= active[0] > 1
            order.append(i)
            with lock:
                active[0] -= 1

        return work

    jobs = [runner.write(make(i)).run() for i in range(50)]
    qtbot.waitUntil(lambda: all(job.finished for job in jobs))
    assert order == list(range(50))
    assert not overlap[0]


def test_abandoned_jobs_never_call_back_but_writes_still_run(qtbot, runner):
    gate = threading.Event()
    started = threading.Event()
    calls: list[str] = []
    ran: list[str] = []

    def blocker(progress: Progress) -> str:
        started.set()
        gate.wait(5)
        ran.append("blocker")
        return "late"

    def queued_write(progress: Progress) -> str:
        ran.append("write")
        return "write"

    def queued_op(progress: Progress) -> str:
        ran.append("op")
        return "op"

    runner.write(blocker).success(calls.append).run()
    write = runner.write(queued_write).success(calls.append).run()
    # Occupy both general workers so the next op is still queued when abandoned.
    blockers = [runner.op(lambda p: gate.wait(5)).run() for _ in range(2)]
    op = runner.op(queued_op).success(calls.append).run()
    assert started.wait(5)
    runner.abandon_all()
    gate.set()
    # A later job on the same serial worker proves the abandoned ones were passed.
    last = runner.write(lambda p: "after").success(calls.append).run()
    qtbot.waitUntil(lambda: last.finished)
    assert calls == ["after"]
    assert ran == ["blocker", "write"]  # the store write was not lost; the op never ran
    assert write.detached and not write.cancelled
    assert op.cancelled and all(b.cancelled for b in blockers)


def test_long_job_stops_early_when_cancelled(qtbot, runner):
    steps: list[int] = []
    started = threading.Event()
    stopped = threading.Event()

    def long(progress: Progress) -> None:
        started.set()
        try:
            for i in range(10_000_000):
                progress.check()
                steps.append(i)
        finally:
            stopped.set()

    job = runner.op(long).run()
    assert started.wait(5)
    job.cancel()
    assert stopped.wait(5)
    assert len(steps) < 10_000_000


def test_shutdown_waits_for_every_thread_and_finishes_queued_writes(qtbot):
    runner = TaskRunner(workers=3)
    written: list[int] = []
    for i in range(20):
        runner.write(lambda p, i=i: written.append(i)).run()
    runner.shutdown()
    assert written == list(range(20))
    assert all(not thread.isRunning() for thread in runner.threads)
    assert all(thread.isFinished() for thread in runner.threads)
    with pytest.raises(RuntimeError):
        runner.op(lambda p: None).run()
