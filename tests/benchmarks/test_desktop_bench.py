"""Desktop benchmark: cold start (a new Python process) until the unlock window is on screen.

Target: <= 1.5 s. The figure is printed beside a baseline measured in the same run: a bare
Python process that imports PySide6 and shows an empty window (what any Qt app pays).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 1.5
RUNS = 3

_BASELINE = """
import time
from PySide6 import QtCore, QtWidgets
app = QtWidgets.QApplication([])
w = QtWidgets.QWidget(); w.show()
def done():
    print(f"cordon-window-shown {time.monotonic():.6f}", flush=True); app.quit()
QtCore.QTimer.singleShot(0, done)
app.exec()
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = env.get("QT_QPA_PLATFORM", "offscreen")
    env["CORDON_STARTUP_PROBE"] = "1"
    return env


def _time_to_window(command: list[str]) -> float:
    start = time.monotonic()
    out = subprocess.run(command, env=_env(), capture_output=True, text=True, timeout=60).stdout
    marks = [line for line in out.splitlines() if line.startswith("cordon-window-shown ")]
    assert marks, f"no window was shown: {out!r}"
    return float(marks[0].split()[1]) - start


def _make_profile(home: Path) -> None:
    script = (
        "from sync.store import profile; "
        f"profile.create({str(home)!r}, 'correct horse battery staple 42', 'Ana', 'Customs', 'PT')"
        ".close()"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


def test_cold_start_to_unlock_window(tmp_path: Path) -> None:
    home = tmp_path / "profile"
    _make_profile(home)
    cordon = [sys.executable, "-m", "desktop.main", "--home", str(home)]
    _time_to_window(cordon)  # warm the OS file cache once, as after any earlier launch
    app_times = sorted(_time_to_window(cordon) for _ in range(RUNS))
    base_times = sorted(_time_to_window([sys.executable, "-c", _BASELINE]) for _ in range(RUNS))
    median, baseline = app_times[RUNS // 2], base_times[RUNS // 2]
    print(
        f"\ncold start to unlock window: {median:.3f} s median of {RUNS} "
        f"(target <= {TARGET_SECONDS} s); baseline empty PySide6 window: {baseline:.3f} s; "
        f"ratio {median / baseline:.2f}"
    )
    assert median <= TARGET_SECONDS


STALL_TARGET_MS = 50.0
JOBS = 10_000


def test_ui_stall_while_10000_background_jobs_report_back(qtbot) -> None:
    """The longest UI-thread stall while 10,000 jobs run on the serial writer and each calls
    back into a view (the path the sync engine's applied packages will take). Baseline: the
    same probe on an idle event loop for the same time."""
    import hashlib
    import json

    from desktop.app import configure_interpreter
    from desktop.latency import LatencyProbe
    from desktop.qt import QtWidgets
    from desktop.tasks import TaskRunner

    configure_interpreter()  # as the application sets it up
    runner = TaskRunner()
    label = QtWidgets.QLabel()
    qtbot.addWidget(label)
    label.show()
    done = [0]
    blob = bytes(4 * 1024)  # about one package of field values

    def work(progress, i=0):
        body = json.dumps({"seq": i, "fields": {"remarks": blob.hex()[:2048]}})
        return hashlib.sha256(json.loads(body)["fields"]["remarks"].encode() + blob).hexdigest()

    def shown(digest: str) -> None:
        done[0] += 1
        label.setText(f"{done[0]} {digest[:8]}")

    def submit() -> None:  # as the sync engine will: from its own thread
        for i in range(JOBS):
            runner.write(lambda p, i=i: work(p, i)).success(shown).run()

    import threading

    probe = LatencyProbe(interval_ms=5)
    probe.start()
    start = time.perf_counter()
    producer = threading.Thread(target=submit)
    producer.start()
    qtbot.waitUntil(lambda: done[0] == JOBS, timeout=120_000)
    elapsed = time.perf_counter() - start
    stall = probe.stop()
    producer.join()
    runner.shutdown()

    idle = LatencyProbe(interval_ms=5)
    idle.start()
    deadline = time.perf_counter() + min(elapsed, 3.0)
    qtbot.waitUntil(lambda: time.perf_counter() >= deadline, timeout=10_000)
    baseline = idle.stop()
    print(
        f"\nlongest UI stall while {JOBS} background jobs reported back: {stall:.1f} ms "
        f"(target <= {STALL_TARGET_MS} ms; {elapsed:.2f} s for all jobs); "
        f"baseline idle event loop: {baseline:.1f} ms; added by the app: {stall - baseline:.1f} ms"
    )
    # The idle baseline is this machine's own scheduling noise (a shared, loaded machine can
    # hold back even an idle process for tens of milliseconds); the target is for the stall the
    # application adds on top of it.
    assert stall - baseline <= STALL_TARGET_MS


ENGINE_PACKAGES = int(os.environ.get("CORDON_BENCH_PACKAGES", "10000"))


def test_ui_stall_while_the_sync_thread_applies_10000_packages(qtbot, qapp, tmp_path) -> None:
    """The real window (operations list, status bar, alert banner) unlocked on a member's
    profile while its sync thread pulls and applies 10,000 packages (10 records each) from a
    real relay process; the list and the rooms are told of the changes as they arrive. The
    longest stall of a 5 ms timer on the UI thread is the figure; baseline: the same probe on
    the idle window afterwards."""
    from desktop.app import build
    from desktop.latency import LatencyProbe
    from sync.client import lifecycle
    from sync.client.engine import SyncEngine
    from sync.client.items import PACKAGE_KIND, RecordItem, encode_body, header_clock
    from sync.crypto.packages import seal_package
    from sync.services import roster
    from sync.store import keyfile
    from sync.store import profile as profiles
    from sync.store.ids import new_id
    from tests.sync.relay.conftest import RelayProcess

    os.environ[keyfile.TEST_MEMORY_ENV] = "256"
    relay = RelayProcess(tmp_path / "relay").start()
    try:
        c = profiles.create(tmp_path / "C", "pw", "Officer C", "Customs", "FR")
        b = profiles.create(tmp_path / "B", "pw", "Officer B", "Police", "NG")
        coordinator, member = SyncEngine(c), SyncEngine(b)
        op = lifecycle.create_operation(coordinator, "Bench", relay.url, ["person"], None)
        lifecycle.join(member, lifecycle.invite(coordinator, op, "participant"))
        roster.admit(coordinator, op, b.device_id, fingerprint=b.identity.public.fingerprint)
        assert lifecycle.try_activate(member, op)
        b.close()
        keys = coordinator.keys(op)
        client = coordinator.client(relay.url)
        batch: list[bytes] = []
        for seq in range(1, ENGINE_PACKAGES + 1):
            items = []
            for i in range(10):
                fields = {
                    "family_name": f"Okafor-{seq}-{i}",
                    "role": "courier",
                    "handling_code": "H1",
                    "source_reliability": "B",
                    "information_accuracy": "2",
                }
                items.append(
                    RecordItem(new_id(), "person", 1, fields, "draft", new_id(), c.clock.now())
                )
            batch.append(
                seal_package(
                    c.identity,
                    keys,
                    kind=PACKAGE_KIND,
                    seq=seq,
                    hlc=header_clock(items[-1].hlc),
                    body=encode_body(items),
                )
            )
            if len(batch) == 500:
                client.post_packages(bytes.fromhex(op), batch)
                batch = []
        if batch:
            client.post_packages(bytes.fromhex(op), batch)
        c.close()

        application = build(tmp_path / "B", app=qapp)
        controller = application.controller
        controller.sync_interval = 3600.0  # one round: the one asked for below
        controller.sync_initial_delay = 3600.0
        reports: list[object] = []
        probe = LatencyProbe(interval_ms=5)

        def unlocked(result) -> None:
            controller.open_unlocked(*result)
            controller.sync.synced.connect(lambda _op, report: reports.append(report))

        gateway = application.gateway
        application.runner.write(
            lambda p: (lambda prof: (prof, gateway.summary(prof)))(gateway.unlock("pw"))
        ).success(unlocked).run()
        qtbot.waitUntil(lambda: controller.frame is not None, timeout=60_000)
        qtbot.waitExposed(controller.main_window)
        qtbot.waitUntil(lambda: bool(controller.main_window.operations.model.rows), timeout=60_000)
        probe.start()
        controller.sync.sync_now()
        qtbot.waitUntil(lambda: bool(reports), timeout=600_000)
        stall = probe.stop()
        received = reports[0].received  # type: ignore[attr-defined]
        assert received == ENGINE_PACKAGES
        idle = LatencyProbe(interval_ms=5)
        idle.start()
        deadline = time.perf_counter() + 3.0
        qtbot.waitUntil(lambda: time.perf_counter() >= deadline, timeout=10_000)
        baseline = idle.stop()
        print(
            f"\nlongest UI stall while the sync thread applied {received} packages "
            f"({received * 10} records): {stall:.1f} ms (target <= {STALL_TARGET_MS} ms); "
            f"baseline idle window: {baseline:.1f} ms; added by the app: {stall - baseline:.1f} ms"
        )
        application.close()
        assert stall - baseline <= STALL_TARGET_MS
    finally:
        relay.stop()
