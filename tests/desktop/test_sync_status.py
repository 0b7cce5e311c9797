"""The status bar against a real relay that goes silent: "Offline since …" within 10 s, never
"Syncing…" for as long as the network's time-outs last; back to "Online" when it answers."""

from __future__ import annotations

import signal
import time

from tests.desktop.test_operations import create_operation, open_main, relay  # noqa: F401


def test_a_silent_relay_reads_offline_within_ten_seconds(qtbot, make_app, tmp_path, relay):  # noqa: F811
    application = open_main(qtbot, make_app, tmp_path / "coordinator")
    create_operation(qtbot, application, relay.url)
    status = application.controller.main_window.sync_status
    qtbot.waitUntil(lambda: status.state_label.text() == "Online", timeout=30_000)
    assert relay.proc is not None
    relay.proc.send_signal(signal.SIGSTOP)  # connections are accepted, nothing answers
    try:
        silent_at = time.monotonic()
        qtbot.waitUntil(
            lambda: status.state_label.text().startswith("Offline since"), timeout=12_000
        )
        assert time.monotonic() - silent_at < 10.5
    finally:
        relay.proc.send_signal(signal.SIGCONT)
    application.controller.frame.sync.sync_now()
    qtbot.waitUntil(lambda: status.state_label.text() == "Online", timeout=60_000)


def test_a_library_file_stops_waiting_to_upload_once_sent(qtbot, make_app, tmp_path, relay):  # noqa: F811
    """The file is dropped in, the next sync uploads it, and the library says so (it said
    "Waiting to upload" until something else changed the operation)."""
    from desktop.workspace.library import state_text
    from tests.desktop.workspace.test_library import drop, make_png

    application = open_main(qtbot, make_app, tmp_path / "coordinator")
    create_operation(qtbot, application, relay.url)
    window = application.controller.main_window
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=30_000)
    library = window.workspace.library
    window.workspace.setCurrentWidget(library)
    with qtbot.waitSignal(library.added, timeout=30_000) as added:
        drop(library, [make_png(tmp_path / "concealment.png")])
    (item_id,) = added.args[0]
    qtbot.waitUntil(lambda: library.item(item_id) is not None, timeout=10_000)
    shown = lambda: state_text(library.item(item_id))  # noqa: E731
    qtbot.waitUntil(lambda: shown() != "Waiting to upload", timeout=30_000)
    assert library.item(item_id).on_relay
