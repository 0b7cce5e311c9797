"""Operations through the window against a real relay process: create an operation, invite,
join from a second profile, compare fingerprints and admit, change a role, remove, close; the
sync thread's status and the list follow. Waits on conditions, never sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import locales
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
    compare.expected.setPlainText("12345 " * 12)
    assert not compare.admit_button.isEnabled()
    assert "differ" in compare.verdict.text()
    compare.expected.setPlainText(officer_fingerprint)
    assert compare.admit_button.isEnabled()
    compare.close()
    # as a person does: open the comparison, type what the officer reads out, admit
    qtbot.mouseClick(dialog.admit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(dialog, "compare", None) is not None, timeout=TIMEOUT)
    live = dialog.compare
    qtbot.waitUntil(live.isVisible, timeout=TIMEOUT)
    assert not live.admit_button.isEnabled() and live.unverified_button.isEnabled()
    live.expected.setFocus()
    qtbot.keyClicks(live.expected, officer_fingerprint)
    assert live.admit_button.isEnabled()
    qtbot.mouseClick(live.admit_button, Qt.MouseButton.LeftButton)
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
    qtbot.waitUntil(lambda: any(m.status == "removed" for m in dialog.members), timeout=TIMEOUT)

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


def test_language_switch_retranslates_the_operation_dialogs(qtbot, make_app, tmp_path):
    import locales
    from tests.desktop.helpers import visible_texts

    application = open_main(qtbot, make_app, tmp_path / "a")
    controller = application.controller
    create = controller.frame.open_create()
    join = controller.frame.open_join()
    qtbot.waitExposed(join)
    before = {"create": visible_texts(create), "join": visible_texts(join)}
    main_before = visible_texts(controller.main_window)
    controller.apply_preferences(controller.prefs.with_changes(language=locales.PSEUDO_LANGUAGE))
    after = {"create": visible_texts(create), "join": visible_texts(join)}
    for name in before:
        for key, text in before[name].items():
            if text.startswith("https://") or key.endswith("placeholder") and not text:
                continue
            if "QListWidget" in key:
                continue
            assert after[name][key] != text, (name, key, text)
    main_after = visible_texts(controller.main_window)
    for key in ("create-operation", "join-operation", "open-operation", "participants"):
        hits = [k for k in main_before if f":{key}" in k and not k.endswith("accessible")]
        assert hits and all(main_after[k].startswith("[") for k in hits), key


def test_sync_file_export_then_import_reports_duplicates(qtbot, make_app, tmp_path, relay):
    from desktop.views.sync_files import export_to, import_from, import_report_text

    application = open_main(qtbot, make_app, tmp_path / "a")
    row = create_operation(qtbot, application, relay.url, name="Offline vessel")
    sync = application.controller.sync
    path = str(tmp_path / "carry.cordon-sync")
    written = []
    export_to(sync, row.operation_id, path).success(written.append).run()
    qtbot.waitUntil(lambda: bool(written), timeout=TIMEOUT)
    imported = []
    import_from(sync, path).success(imported.append).run()
    qtbot.waitUntil(lambda: bool(imported), timeout=TIMEOUT)
    op_id, applied, duplicates, rejected = imported[0]
    assert op_id == row.operation_id
    assert applied == 0 and rejected == 0 and duplicates == written[0]
    text = import_report_text(applied, duplicates, rejected)
    assert "0 packages applied" in text and "0 rejected" in text


@pytest.mark.parametrize("language", [lang.code for lang in locales.LANGUAGES])
def test_operation_dialogs_name_every_control_and_mnemonics_are_unique(
    qtbot, make_app, tmp_path, relay, language
):
    from tests.desktop.test_accessibility import _interactive, mnemonic_collisions

    application = open_main(qtbot, make_app, tmp_path / "a")
    row = create_operation(qtbot, application, relay.url)
    application.controller.apply_preferences(
        application.controller.prefs.with_changes(language=language)
    )
    frame = application.controller.frame
    participants = frame.open_participants(row)
    qtbot.waitUntil(lambda: participants.roster.topLevelItemCount() == 1, timeout=TIMEOUT)
    dialogs = {
        "create": frame.open_create(),
        "join": frame.open_join(),
        "participants": participants,
    }
    for title, dialog in dialogs.items():
        qtbot.waitExposed(dialog)
        for widget in _interactive(dialog):
            name = widget.accessibleName()
            if not name and isinstance(widget, QtWidgets.QAbstractButton):
                name = widget.text().replace("&", "")
            assert name, f"{title}: {type(widget).__name__} has no accessible name"
        texts = [
            widget.text()
            for widget in [
                *dialog.findChildren(QtWidgets.QLabel),
                *dialog.findChildren(QtWidgets.QAbstractButton),
            ]
            if widget.isVisibleTo(dialog)
        ]
        assert not mnemonic_collisions(texts), f"{title} ({language}): {mnemonic_collisions(texts)}"
        dialog.close()


def test_admitting_without_comparing_is_explicit_and_shown(qtbot, make_app, tmp_path, relay):
    """Issue 15, item 2: the window applies the command line's rule. Admit stays disabled until
    the fingerprint is typed or confirmed; 'Admit without comparing' is the only other way, and
    the roster then says so (the admitting commit carries it for every member)."""
    coordinator = open_main(qtbot, make_app, tmp_path / "coordinator")
    row = create_operation(qtbot, coordinator, relay.url, name="Operation Grey Gull")
    dialog = coordinator.controller.frame.open_participants(row)
    qtbot.waitUntil(lambda: dialog.roster.topLevelItemCount() == 1, timeout=TIMEOUT)
    qtbot.mouseClick(dialog.invite_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.invite_code.toPlainText()), timeout=TIMEOUT)
    code = dialog.invite_code.toPlainText()
    officer = open_main(
        qtbot, make_app, tmp_path / "officer", name="Lena Vogel", agency="Zoll", country="DE"
    )
    join = officer.controller.frame.open_join()
    QtWidgets.QApplication.clipboard().setText(code)
    qtbot.mouseClick(join.paste_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(join.ok_button, Qt.MouseButton.LeftButton)
    officer_panel = officer.controller.main_window.operations
    qtbot.waitUntil(lambda: len(officer_panel.model.rows) == 1, timeout=TIMEOUT)  # request sent
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pending.count() == 1, timeout=TIMEOUT)
    qtbot.mouseClick(dialog.admit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(dialog, "compare", None) is not None, timeout=TIMEOUT)
    compare = dialog.compare
    qtbot.waitUntil(compare.isVisible, timeout=TIMEOUT)
    assert not compare.admit_button.isEnabled()
    assert "every member" in compare.unverified_note.text()
    qtbot.mouseClick(compare.unverified_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.roster.topLevelItemCount() == 2, timeout=TIMEOUT)
    lena = next(
        dialog.roster.topLevelItem(i)
        for i in range(2)
        if dialog.roster.topLevelItem(i).text(0) == "Lena Vogel"
    )
    assert lena.text(4) == "Admitted unverified"
    member = next(m for m in dialog.members if m.name == "Lena Vogel")
    assert member.admitted_unverified and not member.verified
