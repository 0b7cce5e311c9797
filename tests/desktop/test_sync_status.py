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


def test_a_join_request_tells_the_coordinator_and_admission_opens_the_operation(
    qtbot,
    make_app,
    tmp_path,
    relay,  # noqa: F811
    monkeypatch,
):
    """The coordinator sees the request on the banner without opening the participants
    dialog; the admitted officer is told and finds the operation open."""
    from desktop.qt import Qt, QtWidgets

    monkeypatch.setattr("desktop.frame.JOIN_LOOK_SECONDS", 0.0)  # every round looks
    coordinator = open_main(qtbot, make_app, tmp_path / "coordinator")
    row = create_operation(qtbot, coordinator, relay.url)
    frame = coordinator.controller.frame
    dialog = frame.open_participants(row)
    qtbot.waitUntil(lambda: dialog.roster.topLevelItemCount() == 1, timeout=30_000)
    qtbot.mouseClick(dialog.invite_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.invite_code.toPlainText()), timeout=30_000)
    code = dialog.invite_code.toPlainText()
    dialog.close()

    officer = open_main(
        qtbot, make_app, tmp_path / "officer", name="Karim Haddad", agency="Douane", country="MA"
    )
    join = officer.controller.frame.open_join()
    QtWidgets.QApplication.clipboard().setText(code)
    qtbot.mouseClick(join.paste_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(join.ok_button, Qt.MouseButton.LeftButton)
    panel = officer.controller.main_window.operations
    qtbot.waitUntil(lambda: len(panel.model.rows) == 1, timeout=30_000)

    # The coordinator's next sync rounds find the request: banner (and tray where there is one).
    banner = coordinator.controller.main_window.banner
    with qtbot.waitSignal(frame.alerts.notified, timeout=30_000) as told:
        frame.sync.sync_now()  # the round F5 starts; the timer's would come within 15 s
    assert "Karim Haddad (Douane, MA) asks to join" in told.args[0].subject
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=5_000)
    assert "Karim Haddad" in banner.text.text() and row.name in banner.text.text()
    qtbot.mouseClick(banner.open_button, Qt.MouseButton.LeftButton)  # "Review the request"
    qtbot.waitUntil(lambda: frame.participants_dialog is not None, timeout=5_000)
    review = frame.participants_dialog
    qtbot.waitUntil(lambda: review.pending.count() == 1, timeout=30_000)
    request = review.selected_request()
    assert request.fingerprint == officer.controller.summary.fingerprint  # compared in person
    with qtbot.waitSignal(officer.controller.frame.admitted, timeout=60_000):
        review.admit(request, fingerprint=request.fingerprint)
    status = officer.controller.main_window.statusBar().currentMessage()
    assert status == f"You were admitted to {row.name}."
    qtbot.waitUntil(
        lambda: officer.controller.frame.open_operation == row.operation_id, timeout=30_000
    )
    assert officer.controller.main_window.workspace is not None
