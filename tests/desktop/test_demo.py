"""`cordon demo`: the embedded relay, three profiles, a realistic operation synced through the
relay, and the window opened as the coordinator; run a second time, it reuses the demo."""

from __future__ import annotations

import subprocess
import sys

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
