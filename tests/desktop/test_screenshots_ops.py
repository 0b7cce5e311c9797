"""Screenshots of the operation screens (demo operation, dialogs, participants, confirmations,
alert banner, sync-file report), in English and Arabic, into test-artifacts/desktop/."""

from __future__ import annotations

import pytest

import locales
from desktop.demo import start_demo, stop_relay
from desktop.qt import QtWidgets
from desktop.views.sync_files import import_report_text
from tests.desktop.screens import SCREEN_LANGUAGES
from tests.desktop.test_screenshots import _save

TIMEOUT = 120_000


@pytest.mark.parametrize("language", SCREEN_LANGUAGES)
def test_operation_screens(qtbot, qapp, tmp_path, language):
    from desktop.app import build

    folder = tmp_path / "demo"
    application = build(folder / "coordinator", app=qapp, start=False)
    try:
        locales.set_language(language)
        start_demo(application, folder, records=60)
        _save(application.demo_window, "10-demo-progress", language)
        controller = application.controller
        qtbot.waitUntil(
            lambda: controller.frame is not None and controller.frame.open_operation is not None,
            timeout=TIMEOUT,
        )
        main = controller.main_window
        main.resize(1200, 760)
        qtbot.waitUntil(lambda: main.sync_status.status.last_sync is not None, timeout=TIMEOUT)
        _save(main, "11-main-operation-open", language)
        controller.frame.show_home()
        _save(main, "12-main-operations-overview", language)

        create = controller.frame.open_create()
        qtbot.waitExposed(create)
        create.name.setText("Operation Blue Harbour")
        create.relay.setText("https://relay.example.org")
        _save(create, "13-create-operation", language)
        create.show_error(
            locales._(
                "The relay cannot be reached; check the address and the network, then try again."
            )
        )
        _save(create, "14-create-operation-error", language)
        create.close()

        join = controller.frame.open_join()
        join.code.setPlainText("cordon1-" + "x" * 90)
        _save(join, "15-join-operation", language)
        join.close()

        row = main.operations.model.rows[0]
        dialog = controller.frame.open_participants(row)
        qtbot.waitUntil(lambda: dialog.roster.topLevelItemCount() == 3, timeout=TIMEOUT)
        qtbot.waitUntil(lambda: dialog.status.text() != "", timeout=TIMEOUT)
        dialog.invite_button.click()
        qtbot.waitUntil(lambda: bool(dialog.invite_code.toPlainText()), timeout=TIMEOUT)
        _save(dialog, "16-participants-coordinator", language)

        from desktop.operations_data import PendingRow

        request = PendingRow(
            "ab" * 16,
            "Kofi Mensah",
            "Ghana Revenue Authority",
            "GH",
            " ".join(f"{n:05d}" for n in range(11111, 11111 + 12 * 7919, 7919)),
            "participant",
        )
        compare = dialog.compare_dialog(request)
        compare.show()
        compare.expected.setPlainText(request.fingerprint)
        _save(compare, "17-compare-fingerprints", language)
        compare.close()
        member = next(m for m in dialog.members if not m.is_me)
        box = dialog.remove_confirmation(member)
        box.show()
        _save(box, "18-remove-confirmation", language)
        box.close()
        box = dialog.close_confirmation()
        box.show()
        _save(box, "19-close-confirmation", language)
        box.close()
        dialog.close()

        report = QtWidgets.QMessageBox(main)
        report.setText(import_report_text(120, 4, 1))
        report.show()
        _save(report, "20-sync-file-report", language)
        report.close()
    finally:
        application.close()
        stop_relay(application)
