"""The import wizard as an officer uses it: the template is guessed from the file's headers (or
the last one used), a change of template after Back is honoured, and refused rows name the
field as the form does, never by its internal path, with the reason whole."""

from __future__ import annotations

from desktop.qt import Qt
from desktop.workspace.cases import CasesRoom
from tests.desktop.workspace.test_cases_room import _sheet


def _person_sheet(path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Family name", "Given names", "Nationality", "Role"])
    sheet.append(["Okafor", "Chidi", "NG", "suspect"])
    book.save(path)


def _open(qtbot, bench):
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.show()
    qtbot.waitUntil(lambda: not room.model.is_loading)
    wizard = room.open_import()
    qtbot.addWidget(wizard)
    return room, wizard


def _type_path(qtbot, wizard, path):
    page = wizard.file_page
    page.path.setFocus()
    qtbot.keyClicks(page.path, str(path))
    with qtbot.waitSignal(wizard.template_guessed, timeout=20_000) as guessed:
        qtbot.keyClick(page.path, Qt.Key.Key_Tab)  # leaving the field reads the headers
    return guessed.args[0]


def test_the_template_is_guessed_and_a_change_after_back_is_honoured(qtbot, bench, tmp_path):
    people = tmp_path / "people.xlsx"
    _person_sheet(people)
    _room, wizard = _open(qtbot, bench)
    assert _type_path(qtbot, wizard, people) == "person"
    assert wizard.file_page.template.currentData() == "person"
    qtbot.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10_000)
    assert wizard.template.id == "person"
    assert wizard.mapping_page.combos["Family name"].currentData() == "family_name"

    # Back, choose another template: the next page follows it (it kept the first one).
    qtbot.mouseClick(wizard.button(wizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
    combo = wizard.file_page.template
    combo.setFocus()
    while combo.currentData() != "vehicle":
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: wizard.currentPage() is wizard.mapping_page and wizard.template.id == "vehicle",
        timeout=10_000,
    )


def test_the_next_import_starts_with_the_template_used_last(qtbot, bench, tmp_path):
    sheet = tmp_path / "seizures.xlsx"
    _sheet(
        sheet, [["2026-10-04", "FRLEH", "sea", "tobacco", "cigarettes", 300, "kg", "H0", "A", "1"]]
    )
    _room, wizard = _open(qtbot, bench)
    combo = wizard.file_page.template
    combo.setCurrentIndex(combo.findData("seizure-long"))
    wizard.file_page.path.setText(str(sheet))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10_000)
    wizard.close()
    _room, again = _open(qtbot, bench)
    assert again.file_page.template.currentData() == "seizure-long"


def test_refused_rows_name_the_field_by_its_label(qtbot, bench, tmp_path):
    sheet = tmp_path / "seizures.xlsx"
    bad_category = ["2026-10-05", "BEANR", "sea", "plutonium", "x", 2, "kg", "H0", "A", "1"]
    in_french = ["2026-10-06", "FRLEH", "sea", "Drogues", "cocaïne", 3, "kg", "H0", "A", "1"]
    _sheet(sheet, [bad_category, in_french])
    _room, wizard = _open(qtbot, bench)
    combo = wizard.file_page.template
    combo.setCurrentIndex(combo.findData("seizure-short"))
    wizard.file_page.path.setText(str(sheet))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10_000)
    wizard.next()
    dry = wizard.dry_page
    qtbot.waitUntil(lambda: dry.report is not None, timeout=20_000)
    assert dry.report.valid_rows == 1  # "Drogues", as a French officer writes it
    fields = [dry.refused.item(r, 2).text() for r in range(dry.refused.rowCount())]
    assert "Commodities 1 › Category" in fields, fields
    assert not any("[" in f or "commodities" in f for f in fields)
    reason = dry.refused.item(fields.index("Commodities 1 › Category"), 3)
    assert reason.text().startswith("Choose one of") and reason.toolTip() == reason.text()
    column = dry.refused.columnWidth(3)
    lines = dry.refused.rowHeight(fields.index("Commodities 1 › Category"))
    needed = dry.refused.fontMetrics().horizontalAdvance(reason.text())
    assert column >= needed or lines > dry.refused.fontMetrics().height() * 1.5  # wrapped, whole
