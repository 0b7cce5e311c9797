"""The cases room, the editor, the record view and the wizards rendered offscreen in English
and Arabic (right to left) into test-artifacts/desktop/ for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.qt import Qt, QtWidgets
from desktop.workspace.cases import CasesRoom
from tests.desktop.screens import SCREEN_LANGUAGES, qt_language, save_screen
from tests.desktop.workspace.test_cases_room import add, seizure

# The column headers of the spreadsheet the wizard imports: data, in English whatever the
# interface language.
HEADERS = [
    "Date",
    "Place",
    "Conveyance",
    "Category",
    "Description",
    "Quantity",
    "Unit",
    "Handling code",
    "Source reliability",
    "Information accuracy",
]


def _save(widget: QtWidgets.QWidget, name: str, language: str) -> Path:
    return save_screen(widget, name, language, check_size=False, data=HEADERS)


@pytest.mark.parametrize("language", SCREEN_LANGUAGES)
def test_cases_screens(qtbot, qapp, bench, tmp_path, language):
    with qt_language(language):
        _screens(qtbot, bench, tmp_path, language)


def _screens(qtbot, bench, tmp_path, language):
    first, second = add(
        bench,
        qtbot,
        "seizure-long",
        [
            {
                **seizure("NLRTM"),
                "reporting_country": "NL",
                "detection_method": "xray",
                "container_number": "MSCU1234566",
                "departure": "COCTG",
                "destination": "NLRTM",
                "summary": "Cocaine hidden in a reefer container of bananas.",
            },
            {**seizure("BEANR"), "reporting_country": "BE", "detection_method": "dog"},
        ],
        status="submitted",
    )
    add(
        bench,
        qtbot,
        "person",
        [
            {
                "family_name": "Okafor",
                "given_names": "Chinedu",
                "role": "suspect",
                "handling_code": "H2",
                "source_reliability": "B",
                "information_accuracy": "2",
            }
        ],
    )
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.resize(1280, 760)
    room.show()
    qtbot.waitUntil(lambda: room.model.rowCount() == 3, timeout=10_000)
    room.select_record(first)
    qtbot.waitUntil(lambda: room.view.details is not None)
    _save(room, "cases-01-room", language)

    dialog = room.open_editor("seizure-long")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.form is not None)
    form = dialog.form
    qtbot.keyClicks(form.field("container_number").edit, "MSCU1234565")
    form.field("seizure_date").set_value("2026-10-03")
    entry = form.field("commodities").entries[0]
    qtbot.keyClicks(entry.widgets["quantity"].edit, "4800000")
    qtbot.waitUntil(lambda: form.up_to_date, timeout=10_000)
    dialog.resize(760, 900)
    _save(dialog, "cases-02-editor", language)
    dialog.close()

    view = room.view
    qtbot.keyClicks(view.comment, "Quantity unit missing")
    with qtbot.waitSignal(view.status_changed):
        qtbot.mouseClick(view.return_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.details is not None and view.details.status == "returned")
    view.tabs.setCurrentIndex(3)
    _save(view, "cases-03-record-view-returned", language)
    view.tabs.setCurrentIndex(0)

    import csv

    sheet = tmp_path / "seizures.csv"
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADERS)
        out.writerow(
            ["2026-10-04", "FRLEH", "sea", "tobacco", "cigarettes", "300", "kg", "H0", "A", "1"]
        )
        out.writerow(["2026-10-05", "XXXXX", "sea", "drugs", "cannabis", "2", "kg", "H0", "A", "1"])
    wizard = room.open_import()
    qtbot.addWidget(wizard)
    wizard.file_page.path.setText(str(sheet))
    wizard.file_page.template.setCurrentIndex(wizard.file_page.template.findData("seizure-short"))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10_000)
    _save(wizard, "cases-04-import-mapping", language)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.dry_page.report is not None, timeout=10_000)
    _save(wizard, "cases-05-import-dry-run", language)
    wizard.close()

    export = room.open_export()
    qtbot.addWidget(export)
    qtbot.waitUntil(lambda: export.total == 3)
    export.path.setText(str(tmp_path / "out.xlsx"))
    _save(export, "cases-06-export", language)
    export.close()
