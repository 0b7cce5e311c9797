"""The import wizard with a file from a national system that lacks required columns: the
officer gives values for every row (the reporting country starts as the profile's), imports the
valid rows, and the refused ones come back in a correction file that imports, once fixed,
without duplicates. Acted as a person: typing, Tab, arrow keys, clicks."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from desktop.qt import Qt, QtWidgets
from desktop.workspace.cases import CasesRoom
from tests.desktop.screens import qt_language, save_screen

FRENCH = (
    "Date de saisie;Lieu;Moyen de transport;Conteneur;Catégorie;Description;Quantité;Unité\n"
    "02/11/2026;FRLEH;sea;CSQU3054383;drugs;Cocaïne;12,5;kg\n"
    "03/11/2026;FRLEH;sea;CSQU3054384;drugs;Cocaïne;8;kg\n"
    "06/11/2026;FRMRS;road;;tobacco;Cigarettes;10 000;sticks\n"
)


def _click(qtbot: Any, widget: QtWidgets.QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _next(qtbot: Any, wizard: Any) -> None:
    button = wizard.button(wizard.WizardButton.NextButton)
    qtbot.waitUntil(button.isEnabled, timeout=20_000)
    _click(qtbot, button)


def _choose(qtbot: Any, combo: QtWidgets.QComboBox, value: str) -> None:
    combo.setFocus()
    for _step in range(combo.count()):
        if combo.currentData() == value:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == value


def _count(qtbot: Any, bench: Any) -> int:
    box: list[int] = []
    op = bench.operation.operation_id
    bench.session.call(lambda p: len(p.store.records.list(op))).success(box.append).run()
    qtbot.waitUntil(lambda: bool(box), timeout=20_000)
    return box[0]


def _wizard_import(qtbot: Any, bench: Any, path: Path, *, valid_only: bool) -> Any:
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.show()
    qtbot.waitUntil(lambda: not room.model.is_loading)
    wizard = room.open_import()
    qtbot.addWidget(wizard)
    page = wizard.file_page
    page.path.setFocus()
    qtbot.keyClicks(page.path, str(path))
    qtbot.keyClick(page.path, Qt.Key.Key_Tab)
    _choose(qtbot, page.template, "seizure-long")
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=20_000)
    assert wizard.mapping_page.combos["Conteneur"].currentData() == "container_number"
    _next(qtbot, wizard)

    # The file has no handling code, evaluation, detection method nor reporting country.
    fixed = wizard.fixed_page
    qtbot.waitUntil(lambda: wizard.currentPage() is fixed, timeout=10_000)
    assert set(fixed.editors) == {"reporting_country", "detection_method", "handling_code",
                                  "source_reliability", "information_accuracy"}
    assert fixed.editors["reporting_country"].text() == "PT"  # the profile's country
    _choose(qtbot, fixed.editors["handling_code"], "H1")
    _choose(qtbot, fixed.editors["source_reliability"], "B")
    _choose(qtbot, fixed.editors["information_accuracy"], "2")
    _choose(qtbot, fixed.editors["detection_method"], "dog")
    country = fixed.editors["reporting_country"]
    country.setFocus()
    country.selectAll()
    qtbot.keyClicks(country, "fr")  # typed in lower case, stored as the code
    _next(qtbot, wizard)

    dry = wizard.dry_page
    qtbot.waitUntil(lambda: wizard.currentPage() is dry and dry.report is not None,
                    timeout=20_000)
    if valid_only:
        assert not wizard.button(wizard.WizardButton.NextButton).isEnabled()  # all or nothing
        assert dry.valid_only.isVisible()
        _click(qtbot, dry.valid_only)
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.import_page.done, timeout=30_000)
    return wizard


def test_values_for_every_row_then_valid_rows_and_a_correction_file(
    qtbot: Any, bench: Any, tmp_path: Path
) -> None:
    source = tmp_path / "saisies.csv"
    source.write_text(FRENCH, encoding="utf-8")
    wizard = _wizard_import(qtbot, bench, source, valid_only=True)
    assert wizard.dry_page.report.valid_rows == 2 and wizard.dry_page.report.refused_rows == 1
    outcome = wizard.import_page.outcome
    corrections = tmp_path / "saisies.corrections.csv"
    assert outcome.report.imported == 2 and outcome.corrections == corrections
    assert str(corrections) in wizard.import_page.summary.text()
    assert _count(qtbot, bench) == 2
    fields: list[dict[str, Any]] = []
    op = bench.operation.operation_id
    bench.session.call(
        lambda p: [r.fields for r in p.store.records.list(op)]
    ).success(fields.extend).run()
    qtbot.waitUntil(lambda: bool(fields), timeout=20_000)
    assert {(f["handling_code"], f["detection_method"], f["reporting_country"])
            for f in fields} == {("H1", "dog", "FR")}

    with corrections.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert len(rows) == 2 and rows[1][3] == "CSQU3054384"
    assert "Container number" in rows[1][-1]
    rows[1][3] = "CSQU3054383"
    with corrections.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    wizard.close()

    again = _wizard_import(qtbot, bench, corrections, valid_only=False)
    assert again.import_page.outcome.report.imported == 1
    assert _count(qtbot, bench) == 3
    again.close()

    # The original once more, valid rows only: what is already in is not imported twice.
    third = _wizard_import(qtbot, bench, source, valid_only=True)
    assert third.import_page.outcome.report.imported == 0
    assert third.import_page.outcome.already_in == 2
    assert "already in the operation" in third.import_page.summary.text()
    assert _count(qtbot, bench) == 3


@pytest.mark.parametrize("language", ["en", "ar"])
def test_values_for_every_row_screen(qtbot: Any, bench: Any, tmp_path: Path,
                                     language: str) -> None:
    source = tmp_path / "saisies.csv"
    source.write_text(FRENCH, encoding="utf-8")
    with qt_language(language):
        room = CasesRoom(bench.session, bench.operation)
        qtbot.addWidget(room)
        wizard = room.open_import()
        qtbot.addWidget(wizard)
        wizard.file_page.path.setText(str(source))
        _choose(qtbot, wizard.file_page.template, "seizure-long")
        _next(qtbot, wizard)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=20_000)
        _next(qtbot, wizard)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.fixed_page, timeout=10_000)
        _choose(qtbot, wizard.fixed_page.editors["handling_code"], "H1")
        save_screen(wizard, "import-fixed-values", language, check_size=False,
                    data=("PT",))
        wizard.close()
