"""`cordon import` on files made by other offices: values for every row (``--set``, a saved
mapping's fixed values, the profile's country), ``--accept-valid`` with a correction file that
imports back without duplicates, and the plain-text problem table. Real command, real relay."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.sync.cli.conftest import Run
from tests.sync.relay.conftest import RelayProcess


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    process = RelayProcess(tmp_path_factory.mktemp("relay") / "data").start()
    yield process
    process.stop()


def _ok(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    return out


@pytest.fixture
def operation(cordon: Run, relay: RelayProcess) -> str:
    _ok(cordon("init", "--name", "Claire Martin", "--agency", "Douane", "--country", "FR",
               "--json"))
    created = _ok(cordon("op", "create", "--name", "Atlantique", "--relay", relay.url, "--json"))
    return str(created["operation_id"])


# A French national system's export: a title row, French headers, no handling code, no
# evaluation, no detection method, no reporting country; a semicolon between cells.
FRENCH = (
    "Rapport des saisies - Douane du Havre;;;;;;;;\n"
    "Date de saisie;Lieu;Moyen de transport;Conteneur;Catégorie;Description;Quantité;Unité;"
    "Observations\n"
    "02/11/2026;FRLEH;sea;CSQU3054383;drugs;Cocaïne;12,5;kg;conteneur reefer\n"
    "03/11/2026;FRLEH;sea;CSQU3054384;drugs;Cocaïne;8;kg;chiffre de contrôle faux\n"
    "05/11/2026;FRCDG;air;;drugs;Héroïne;douze;kg;quantité en lettres\n"
    ";FRCDG;air;;medicines;Tramadol;3000;tablets;date manquante\n"
    "06/11/2026;FRMRS;road;;tobacco;Cigarettes;10 000;sticks;\n"
)
EVERY_ROW = ("--set", "handling_code=H1", "--set", "source_reliability=B",
             "--set", "information_accuracy=2", "--set", "detection_method=xray")


def _records(cordon: Run, operation: str) -> list[dict[str, Any]]:
    listed = cordon("record", "list", operation, "--json")
    assert listed.returncode == 0, listed.stderr
    out = []
    for row in json.loads(listed.stdout):
        shown = _ok(cordon("record", "show", operation, row["record_id"], "--json"))
        out.append(shown["fields"])
    return out


def test_set_gives_every_row_its_missing_values_and_the_profile_country(
    cordon: Run, operation: str, tmp_path: Path
) -> None:
    good = tmp_path / "saisies.csv"
    lines = FRENCH.splitlines()
    good.write_text("\n".join([*lines[:3], lines[6]]) + "\n", encoding="utf-8")
    without = _ok(cordon("import", operation, str(good), "--template", "seizure-long",
                         "--dry-run", "--json"))
    assert {r["field"] for r in without["rejected"]} >= {
        "handling_code", "source_reliability", "information_accuracy", "detection_method"}
    saved = tmp_path / "douane-du-havre.json"
    done = _ok(cordon("import", operation, str(good), "--template", "seizure-long",
                      *EVERY_ROW, "--save-mapping", str(saved), "--json"))
    assert done["imported"] == 2 and done["rejected"] == []
    mapping = json.loads(saved.read_text(encoding="utf-8"))
    assert mapping["columns"]["Conteneur"] == "container_number"
    assert mapping["fixed"] == {"handling_code": "H1", "source_reliability": "B",
                                "information_accuracy": "2", "detection_method": "xray"}
    # The next officer from the same system imports in one step with the saved mapping.
    again = tmp_path / "semaine-2.csv"
    again.write_text(lines[1] + "\n" + lines[2].replace("12,5", "7") + "\n", encoding="utf-8")
    one_step = _ok(cordon("import", operation, str(again), "--template", "seizure-long",
                          "--mapping", str(saved), "--json"))
    assert one_step["imported"] == 1, one_step
    # The JSON document keeps its shape (one count added) when --accept-valid is not asked for.
    assert set(done) == {"imported", "rejected", "rows", "dry_run", "already_in"}
    stored = _records(cordon, operation)
    assert len(stored) == 3
    for fields in stored:
        assert fields["handling_code"] == "H1" and fields["source_reliability"] == "B"
        assert fields["reporting_country"] == "FR"  # the profile's country


def test_a_value_in_the_row_wins_over_set(cordon: Run, operation: str, tmp_path: Path) -> None:
    sheet = tmp_path / "codes.csv"
    sheet.write_text(
        "Date de saisie;Lieu;Moyen de transport;Catégorie;Description;Quantité;Unité;"
        "Code de traitement;Pays déclarant\n"
        "02/11/2026;FRLEH;sea;drugs;Cocaïne;2;kg;H0;BE\n"
        "03/11/2026;FRLEH;sea;drugs;Cocaïne;3;kg;;\n",
        encoding="utf-8",
    )
    done = _ok(cordon("import", operation, str(sheet), "--template", "seizure-long",
                      *EVERY_ROW, "--json"))
    assert done["imported"] == 2, done
    by_quantity = {f["commodities"][0]["quantity"]: f
                   for f in _records(cordon, operation)}
    assert by_quantity[2]["handling_code"] == "H0"  # the row's own value
    assert by_quantity[3]["handling_code"] == "H1"  # --set fills the empty cell
    assert by_quantity[2]["reporting_country"] == "BE"
    assert by_quantity[3]["reporting_country"] == "FR"


def test_a_saved_mapping_carries_values_for_every_row(
    cordon: Run, operation: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "saisies.csv"
    lines = FRENCH.splitlines()
    sheet.write_text("\n".join([lines[1], lines[2]]) + "\n", encoding="utf-8")
    mapping = tmp_path / "douane.json"
    mapping.write_text(json.dumps({
        "format": 1, "template": "seizure-long",
        "columns": {"Date de saisie": "seizure_date", "Lieu": "place",
                    "Moyen de transport": "conveyance", "Catégorie": "commodities.category",
                    "Description": "commodities.description",
                    "Quantité": "commodities.quantity", "Unité": "commodities.unit"},
        "fixed": {"handling_code": "H2", "source_reliability": "C",
                  "information_accuracy": "3", "detection_method": "dog",
                  "reporting_country": "BE"},
    }), encoding="utf-8")
    done = _ok(cordon("import", operation, str(sheet), "--template", "seizure-long",
                      "--mapping", str(mapping), "--set", "handling_code=H0", "--json"))
    assert done["imported"] == 1, done
    (fields,) = _records(cordon, operation)
    assert fields["detection_method"] == "dog" and fields["source_reliability"] == "C"
    assert fields["handling_code"] == "H0"  # --set over the mapping's value
    assert fields["reporting_country"] == "BE"  # the mapping's, over the profile's country
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"columns": {}, "fixed": {"no_such_field": "x"}}),
                   encoding="utf-8")
    refused = cordon("import", operation, str(sheet), "--template", "seizure-long",
                     "--mapping", str(bad))
    assert refused.returncode != 0 and "no_such_field" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_accept_valid_then_the_fixed_correction_file_imports_without_duplicates(
    cordon: Run, operation: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "saisies.csv"
    sheet.write_text(FRENCH, encoding="utf-8")
    base = ("import", operation, str(sheet), "--template", "seizure-long", *EVERY_ROW)
    strict = cordon(*base, "--json")
    assert strict.returncode == 1 and json.loads(strict.stdout)["imported"] == 0
    assert _records(cordon, operation) == []  # the default stays all or nothing

    done = _ok(cordon(*base, "--accept-valid", "--json"))
    assert done["imported"] == 2 and done["already_in"] == 0
    corrections = tmp_path / "saisies.corrections.csv"
    assert done["corrections"] == str(corrections)
    with corrections.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))  # the input's own separator
    header, body = rows[0], rows[1:]
    assert header[:9] == FRENCH.splitlines()[1].split(";")
    assert header[9] == "Problems to correct (Cordon)"
    assert [r[1] for r in body] == ["FRLEH", "FRCDG", "FRCDG"]  # only the refused rows
    problems = {r[5] + r[6]: r[9] for r in body}
    assert "Container number" in problems["Cocaïne8"]
    assert "Commodities 1: Quantity" in problems["Héroïnedouze"]
    assert "Date of seizure" in problems["Tramadol3000"]
    assert "[0]" not in " ".join(problems.values())  # labels, never internal paths

    again = _ok(cordon(*base, "--accept-valid", "--json"))
    assert again["imported"] == 0 and again["already_in"] == 2  # same file twice: no duplicate
    assert len(_records(cordon, operation)) == 2

    # The officer fixes the three rows in a spreadsheet program and imports the file back.
    body[0][3] = "CSQU3054383"
    body[1][6] = "12"
    body[2][0] = "07/11/2026"
    with corrections.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([header, *body])
    back = _ok(cordon("import", operation, str(corrections), "--template", "seizure-long",
                      *EVERY_ROW, "--json"))
    assert back["imported"] == 3 and back["rejected"] == []
    stored = _records(cordon, operation)
    assert len(stored) == 5
    assert sorted(f["commodities"][0]["description"] for f in stored) == [
        "Cigarettes", "Cocaïne", "Cocaïne", "Héroïne", "Tramadol"]
    # Importing the original once more after the corrections still brings nothing new twice.
    last = _ok(cordon(*base, "--accept-valid", "--json"))
    assert last["imported"] == 0 and last["already_in"] == 2
    assert len(_records(cordon, operation)) == 5


def test_xlsx_with_other_headers_round_trips_through_an_xlsx_correction_file(
    cordon: Run, operation: str, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Seizure Date", "Port", "Transport", "Box", "Category", "Goods", "Qty",
                  "Unit", "Officer notes"])
    sheet.append(["2026-11-02", "FRLEH", "sea", "CSQU3054383", "drugs", "cocaine", 4, "kg", ""])
    sheet.append(["2026-11-03", "FRLEH", "sea", "CSQU3054384", "drugs", "cocaine", 5, "kg",
                  "bad check digit"])
    sheet.append(["2026-11-04", "FRLEH", "sea", "", "drugs", "cocaine", "=2+2", "kg",
                  "a formula"])
    source = tmp_path / "other office.xlsx"
    book.save(source)
    mapping = tmp_path / "other.json"
    mapping.write_text(json.dumps({"columns": {
        "Seizure Date": "seizure_date", "Port": "place", "Transport": "conveyance",
        "Box": "container_number", "Category": "commodities.category",
        "Goods": "commodities.description", "Qty": "commodities.quantity",
        "Unit": "commodities.unit"}}), encoding="utf-8")
    out = tmp_path / "to fix.xlsx"
    done = _ok(cordon("import", operation, str(source), "--template", "seizure-long",
                      "--mapping", str(mapping), *EVERY_ROW, "--accept-valid",
                      "--corrections", str(out), "--json"))
    assert done["imported"] == 1 and done["corrections"] == str(out)
    fixed_book = openpyxl.load_workbook(out)
    rows = [list(r) for r in fixed_book.active.iter_rows(values_only=True)]
    assert rows[0][-1] == "Problems to correct (Cordon)" and len(rows) == 3
    assert rows[1][3] == "CSQU3054384" and "Container number" in rows[1][-1]
    assert rows[2][6] == "'=2+2"  # never a live formula in the file handed back
    assert "formula" in rows[2][-1]
    ws = fixed_book.active
    ws.cell(2, 4).value = "CSQU3054383"
    ws.cell(3, 7).value = 6
    fixed_book.save(out)
    back = _ok(cordon("import", operation, str(out), "--template", "seizure-long",
                      "--mapping", str(mapping), *EVERY_ROW, "--json"))
    assert back["imported"] == 2 and back["rejected"] == []
    assert sorted(f["commodities"][0]["quantity"]
                  for f in _records(cordon, operation)) == [4, 5, 6]


def test_the_plain_text_report_is_a_table_of_row_column_value_problem(
    cordon: Run, operation: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "saisies.csv"
    sheet.write_text(FRENCH, encoding="utf-8")
    result = cordon("import", operation, str(sheet), "--template", "seizure-long", *EVERY_ROW,
                    "--dry-run", COLUMNS="100")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "{" not in text and '"reason"' not in text  # no JSON line
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.split()[:1] == ["Row"])
    header = lines[head]
    assert header.split() == ["Row", "Column", "Value", "Problem"]
    assert set(lines[head + 1]) <= {"-", " "}
    value_at, problem_at = header.index("Value"), header.index("Problem")
    table = lines[head + 2:]
    assert all(len(line) <= 100 for line in table)
    quantity = next(line for line in table if "douze" in line)
    assert quantity.startswith("5 ") and "Quantité" in quantity
    assert quantity.index("douze") == value_at
    assert quantity[problem_at:].startswith("Enter a number.")
    container = next(line for line in table if "CSQU3054384" in line)
    assert container.startswith("4 ") and "Conteneur" in container
    # The container problem is longer than its column: it wraps, aligned under Problem.
    follow = table[table.index(container) + 1]
    assert follow[:problem_at].strip() == "" and follow[problem_at:].strip()
    assert "Rows read: 5. Valid: 2. Refused: 3." in text
