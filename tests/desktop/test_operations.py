"""Operations through the window against a real relay process: create an operation, invite,
join from a second profile, compare fingerprints and admit, change a role, remove, close; the
sync thread's status and the list follow. Waits on conditions, never sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.qt import Qt, QtWidgets
from tests.desktop.conftest import create_profile_through_window
from tests.sync.relay.conftest import RelayProcess

TIMEOUT = 30_000


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    process = RelayProcess(tmp_path_factory.mktemp("relay") / "data").start()
    yield process
    process.stop()


def open_main(qtbot, make_app, home: Path, **profile):
    application = make_app(home)
    application.controller.sync_interval = 0.5  # quick rounds in tests
    first = create_profile_through_window(qtbot, application, **profile)
    qtbot.mouseClick(first.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: application.controller.frame is not None, timeout=TIMEOUT)
    return application


def create_operation(qtbot, application, relay_url: str, name: str = "Operation Blue Harbour"):
    frame = application.controller.frame
    dialog = frame.open_create()
    qtbot.waitExposed(dialog)
    assert not dialog.ok_button.isEnabled()  # no name yet
    qtbot.keyClicks(dialog.name, name)
    dialog.relay.setText(relay_url)
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: frame.open_operation is not None, timeout=TIMEOUT)
    row = frame.row(frame.open_operation)
    assert row is not None and row.name == name and row.role == "coordinator"
    return row


def test_create_dialog_refuses_a_bad_relay_and_says_why(qtbot, make_app, tmp_path):
    application = open_main(qtbot, make_app, tmp_path / "a")
    dialog = application.controller.frame.open_create()
    qtbot.keyClicks(dialog.name, "Op")
    dialog.relay.setText("ftp://nowhere")
    assert not dialog.ok_button.isEnabled()
    assert "https://" in dialog.problem_text()
    dialog.relay.setText("http://127.0.0.1:9")  # nothing listens there
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=TIMEOUT)
    assert dialog.problem.text().count(".") == 1  # one sentence
    assert "relay" in dialog.problem.text()


def test_invite_join_admit_role_remove_close(qtbot, make_app, tmp_path, relay):
    coordinator = open_main(qtbot, make_app, tmp_path / "coordinator")
    row = create_operation(qtbot, coordinator, relay.url)
    frame = coordinator.controller.frame
    assert coordinator.controller.main_window.workspace is not None

    # -- invitation, with its QR code
    dialog = frame.open_participants(row)
    qtbot.waitUntil(lambda: dialog.roster.topLevelItemCount() == 1, timeout=TIMEOUT)
    qtbot.mouseClick(dialog.invite_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.invite_code.toPlainText()), timeout=TIMEOUT)
    assert dialog.invite_qr.pixmap() is not None and not dialog.invite_qr.pixmap().isNull()
    code = dialog.invite_code.toPlainText()

    # -- a second profile joins with the pasted code
    officer = open_main(
        qtbot, make_app, tmp_path / "officer", name="Karim Haddad", agency="Douane", country="MA"
    )
    join = officer.controller.frame.open_join()
    QtWidgets.QApplication.clipboard().setText("  " + code[:20] + "\n" + code[20:] + "  ")
    qtbot.mouseClick(join.paste_button, Qt.MouseButton.LeftButton)
    assert join.value() == code
    qtbot.mouseClick(join.ok_button, Qt.MouseButton.LeftButton)
    officer_panel = officer.controller.main_window.operations
    qtbot.waitUntil(lambda: len(officer_panel.model.rows) == 1, timeout=TIMEOUT)
    assert officer_panel.model.rows[0].status == "pending"

    # -- the coordinator compares fingerprints and admits
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pending.count() == 1, timeout=TIMEOUT)
    request = dialog.selected_request()
    officer_fingerprint = officer.controller.summary.fingerprint
    assert request.fingerprint == officer_fingerprint
    compare = dialog.compare_dialog(request)
    assert not compare.admit_button.isEnabled()
    compare.expected.setText("12345 " * 12)
    assert not compare.admit_button.isEnabled()
    assert "differ" in compare.verdict.text()
    compare.expected.setText(officer_fingerprint)
    assert compare.admit_button.isEnabled()
    compare.close()
    dialog.admit(request)
    qtbot.waitUntil(lambda: dialog.roster.topLevelItemCount() == 2, timeout=TIMEOUT)
    names = [dialog.roster.topLevelItem(i).text(0) for i in range(2)]
    assert "Karim Haddad" in names
    karim = next(m for m in dialog.members if m.name == "Karim Haddad")
    assert karim.verified and karim.role == "participant"

    # -- the officer's sync thread picks up the admission; the operation opens
    officer.controller.sync.sync_now()
    qtbot.waitUntil(
        lambda: officer_panel.model.rows and officer_panel.model.rows[0].status == "active",
        timeout=TIMEOUT,
    )
    officer_row = officer_panel.model.rows[0]
    assert officer_row.name == row.name
    officer.controller.frame.open_row(officer_row)
    assert officer.controller.main_window.workspace is not None
    roster = officer.controller.frame.open_participants(officer_row)
    qtbot.waitUntil(lambda: roster.roster.topLevelItemCount() == 2, timeout=TIMEOUT)
    assert not roster.invite_box.isVisibleTo(roster)  # members only see the roster
    roster.close()
    status = officer.controller.main_window.sync_status
    qtbot.waitUntil(lambda: status.status.last_sync is not None, timeout=TIMEOUT)

    # -- change the role, then remove, with the re-key explained
    for index in range(2):
        item = dialog.roster.topLevelItem(index)
        if item.text(0) == "Karim Haddad":
            dialog.roster.setCurrentItem(item)
    assert dialog.remove_button.isEnabled()
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("observer"))
    qtbot.mouseClick(dialog.role_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any(m.role == "observer" for m in dialog.members if m.name == "Karim Haddad"),
        timeout=TIMEOUT,
    )
    karim = next(m for m in dialog.members if m.name == "Karim Haddad")
    box = dialog.remove_confirmation(karim)
    assert "new keys" in box.informativeText()
    box.close()
    dialog.remove(karim)
    qtbot.waitUntil(
        lambda: any(m.status == "removed" for m in dialog.members), timeout=TIMEOUT
    )

    # -- close the operation for everyone
    close_box = dialog.close_confirmation()
    assert "deletes" in close_box.informativeText()
    close_box.close()
    dialog.close_operation()
    panel = coordinator.controller.main_window.operations
    qtbot.waitUntil(
        lambda: panel.model.rows and panel.model.rows[0].status == "closed", timeout=TIMEOUT
    )
    assert coordinator.controller.main_window.workspace is None
