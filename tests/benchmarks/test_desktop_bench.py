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
