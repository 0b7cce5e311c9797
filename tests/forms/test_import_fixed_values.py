"""Values for every row (the mapping's fixed values and the caller's), the refused rows handed
to a correction file with their cells, and the correction file itself (csv and xlsx)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from forms.importing import ColumnMapping, ImportFileError, RefusedRow, import_file
from forms.importing.corrections import CorrectionFile, correction_path, field_label
from forms.importing.mapping import suggest_mapping
from forms.registry import get_template
from forms.validation import ValidationContext
from tests.forms.conftest import TODAY

CTX = ValidationContext(today=TODAY)
HEADER = "Date de saisie;Lieu;Moyen de transport;Catégorie;Description;Quantité;Unité"
EVALUATION = {"handling_code": "H1", "source_reliability": "B", "information_accuracy": "2"}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_fixed_values_fill_what_the_row_lacks_and_the_row_wins(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        HEADER + ";Code de traitement\n"
        "02/11/2026;FRCDG;air;drugs;cocaïne;2;kg;H0\n"
        "03/11/2026;FRCDG;air;drugs;cocaïne;3;kg;\n",
    )
    template = get_template("seizure-short")
    plain = import_file(path, template, context=CTX, dry_run=True)
    assert plain.refused_rows == 2  # the evaluation is missing
    report = import_file(path, template, context=CTX, fixed=EVALUATION)
    assert report.imported == 2
    codes = [r.values["handling_code"] for r in report.records]
    assert codes == ["H0", "H1"]
    assert all(r.values["source_reliability"] == "B" for r in report.records)


def test_a_mapping_carries_fixed_values_and_the_caller_overrides_them(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", HEADER + "\n02/11/2026;FRCDG;air;drugs;cocaïne;2;kg\n")
    template = get_template("seizure-short")
    mapping = suggest_mapping(HEADER.split(";"), template)
    mapping.fixed = {**EVALUATION, "handling_code": "H2"}
    saved = tmp_path / "m.json"
    mapping.save(saved)
    loaded = ColumnMapping.load(saved)
    assert loaded.fixed == mapping.fixed and loaded == mapping
    report = import_file(path, template, loaded, context=CTX)
    assert report.records[0].values["handling_code"] == "H2"
    report = import_file(path, template, loaded, context=CTX, fixed={"handling_code": "H0"})
    assert report.records[0].values["handling_code"] == "H0"
    assert "fixed" not in ColumnMapping({"a": "place"}).to_dict()  # the old shape stays
    with pytest.raises(ValueError):
        ColumnMapping.from_dict({"columns": {}, "fixed": {"handling_code": 1}})


def test_fixed_values_for_unknown_or_group_fields_refuse_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", HEADER + "\n02/11/2026;FRCDG;air;drugs;cocaïne;2;kg\n")
    template = get_template("seizure-short")
    for bad in ({"nope": "x"}, {"commodities": "x"}):
        with pytest.raises(ImportFileError) as caught:
            import_file(path, template, context=CTX, fixed=bad)
        assert next(iter(bad)) in str(caught.value)


def test_refused_rows_reach_the_caller_with_their_cells(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        HEADER + "\n"
        "02/11/2026;FRCDG;air;drugs;cocaïne;douze;kg\n"
        "03/11/2026;FRCDG;air;drugs;cocaïne;3;kg\n",
    )
    seen: list[tuple[int, dict[str, Any], list[RefusedRow]]] = []
    report = import_file(
        path, get_template("seizure-short"), context=CTX, fixed=EVALUATION,
        import_valid_rows=True, on_refused=lambda n, row, p: seen.append((n, row, p)),
    )
    assert report.imported == 1 and len(seen) == 1
    number, row, problems = seen[0]
    assert number == 2 and row["Quantité"] == "douze"
    assert problems[0].value == "douze" and problems[0].column == "Quantité"
    assert "value" not in problems[0].to_dict()  # the JSON report keeps its shape


def test_field_labels_not_paths() -> None:
    template = get_template("seizure-long")
    assert field_label(template, "commodities[1].quantity") == "Commodities 2: Quantity"
    assert field_label(template, "container_number") == "Container number"
    assert field_label(template, "unknown[0].x") == "unknown[0].x"


def _problem(row: int, path: str) -> RefusedRow:
    return RefusedRow(row, path, None, "required", "This field is required.")


def test_correction_csv_keeps_columns_separator_and_neutralises_formulas(tmp_path: Path) -> None:
    template = get_template("seizure-short")
    out = correction_path(tmp_path / "saisies.csv")
    assert out.name == "saisies.corrections.csv"
    writer = CorrectionFile(out, ["Lieu", "Quantité", "Note"], template, "csv", ";")
    assert writer.write() is None and not out.exists()  # nothing refused: no file
    writer.add(2, {"Lieu": "FRCDG", "Note": "=HYPERLINK(\"x\")"}, [_problem(2, "seizure_date")])
    writer.add(5, {"Quantité": "-3", "Note": "-x"},
               [_problem(5, "place"), _problem(5, "commodities[0].quantity")])
    assert writer.write() == out
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0] == ["Lieu", "Quantité", "Note", "Problems to correct (Cordon)"]
    assert rows[1][:3] == ["FRCDG", "", "'=HYPERLINK(\"x\")"]
    assert rows[1][3] == "Date of seizure: This field is required."
    assert rows[2][:3] == ["", "-3", "'-x"]  # a negative number stays a number
    assert rows[2][3] == ("Place of seizure: This field is required. | "
                          "Commodities 1: Quantity: This field is required.")
    # The problems column is never mapped onto a field when the file comes back.
    assert suggest_mapping(rows[0], template).columns["Problems to correct (Cordon)"] == ""


def test_correction_xlsx_is_a_workbook(tmp_path: Path) -> None:
    out = correction_path(tmp_path / "book.xlsx")
    assert out.suffix == ".xlsx"
    writer = CorrectionFile(out, ["Port", "Qty"], get_template("seizure-short"), "xlsx")
    writer.add(3, {"Port": "FRLEH", "Qty": 4.5}, [_problem(3, "seizure_date")])
    writer.write()
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows == [("Port", "Qty", "Problems to correct (Cordon)"),
                    ("FRLEH", 4.5, "Date of seizure: This field is required.")]
