"""`cordon demo`: the embedded relay, three profiles, a realistic operation synced through the
relay, and the window opened as the coordinator; run a second time, it reuses the demo."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from desktop.demo import start_demo, stop_relay

TIMEOUT = 120_000


def run_demo(qtbot, qapp, folder, records=60):
    from desktop.app import build

    application = build(folder / "coordinator", app=qapp, start=False)
    try:
        start_demo(application, folder, records=records)
        qtbot.waitUntil(
            lambda: (
                application.controller.frame is not None
                and application.controller.frame.open_operation is not None
            ),
            timeout=TIMEOUT,
        )
        return application
    except BaseException:
        application.close()
        stop_relay(application)
        raise


def test_demo_builds_a_living_operation_then_reuses_it(qtbot, qapp, tmp_path):
    folder = tmp_path / "demo"
    application = run_demo(qtbot, qapp, folder)
    try:
        controller = application.controller
        rows = controller.main_window.operations.model.rows
        assert len(rows) == 1 and rows[0].role == "coordinator" and rows[0].status == "active"
        assert rows[0].unread >= 3  # the officers' messages and the alert
        banner = controller.main_window.banner
        assert banner.isVisibleTo(controller.main_window)
        assert "pangolin" in banner.alerts[0].subject
        assert controller.main_window.workspace is not None

        def counts(profile):
            store = profile.store
            return {
                template: n
                for template, n in store.query(
                    "SELECT template_id, count(*) FROM records GROUP BY 1"
                )
            } | {
                "validated": store.query_one(
                    "SELECT count(*) FROM records WHERE status = 'validated'"
                )[0],
                "library": store.query_one("SELECT count(*) FROM library_items")[0],
                "members": store.query_one("SELECT count(*) FROM members")[0],
            }

        result = []
        controller.session.call(counts).success(result.append).run()
        qtbot.waitUntil(lambda: bool(result), timeout=TIMEOUT)
        got = result[0]
        assert got["seizure-long"] >= 55  # every author's reports arrived at the coordinator
        assert got["person"] > 0 and got["vehicle"] > 0
        assert got["validated"] > 0
        assert got["library"] == 4 and got["members"] == 3
        relay_url = application.demo_info.relay_url
    finally:
        application.close()
        stop_relay(application)

    again = run_demo(qtbot, qapp, folder)
    try:
        assert again.demo_info.relay_url == relay_url  # same port, same operation
        assert again.controller.main_window.operations.model.rows[0].status == "active"
    finally:
        again.close()
        stop_relay(again)


def test_demo_command_is_registered():
    run = subprocess.run(
        [sys.executable, "-m", "desktop.main", "demo", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0
    assert "--if-no-profile" in run.stdout


def _demo_process(folder, *extra):
    import os

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(  # noqa: S603 - our own entry point
        [sys.executable, "-m", "desktop.main", "demo", "--home", str(folder), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,  # the signal reaches the demo alone, as `kill PID` does
    )


def _relay_children(pid):
    import psutil

    try:
        return [
            child
            for child in psutil.Process(pid).children(recursive=True)
            if "sync.relay.cli" in " ".join(child.cmdline())
        ]
    except psutil.NoSuchProcess:
        return []


def _port_free(port):
    """Whether a new relay could listen there: uvicorn binds with SO_REUSEADDR, so
    connections of the old one still in TIME_WAIT do not count."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _wait(predicate, timeout=120.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)  # polling another process: there is no Qt signal to wait on
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_to_the_open_demo_stops_its_relay(tmp_path, signum):
    """`kill` or Ctrl+C on `cordon demo` ends the app and its relay, so the next start finds the
    relay's port free (the relay used to live on, and Ctrl+C was ignored)."""
    import re

    folder = tmp_path / "demo"
    proc = _demo_process(folder, "--records", "8")
    try:
        lines = []
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.append(raw.decode())
            if raw.startswith(b"Relay:"):
                break
        match = re.search(r"Relay: http://127\.0\.0\.1:(\d+)", "".join(lines))
        assert match, "".join(lines) + proc.stderr.read().decode()
        port = int(match.group(1))
        relays = _relay_children(proc.pid)
        assert len(relays) == 1 and not _port_free(port)
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == 0
        assert _wait(lambda: not relays[0].is_running() or relays[0].status() == "zombie")
        assert _wait(lambda: _port_free(port), timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for child in _relay_children(proc.pid):
            child.kill()


def test_signal_while_the_demo_builds_stops_its_relay(tmp_path):
    """Ctrl+C while the demo is still being built: the build stops, the relay too."""
    import psutil

    folder = tmp_path / "demo"
    proc = _demo_process(folder, "--records", "300")
    try:
        assert _wait(lambda: bool(_relay_children(proc.pid)) and (folder / "relay.log").exists())
        relays = _relay_children(proc.pid)

        def listening():
            return [
                c.laddr.port
                for r in relays
                for c in r.net_connections(kind="tcp")
                if c.status == psutil.CONN_LISTEN
            ]

        assert _wait(lambda: bool(listening()))
        ports = listening()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        assert _wait(lambda: not any(r.is_running() and r.status() != "zombie" for r in relays))
        assert _wait(lambda: all(_port_free(port) for port in ports), timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
