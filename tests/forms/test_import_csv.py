"""CSV import: encodings, delimiters, headers in other languages, the refusal report, the
all-or-nothing default, streaming a million rows in constant memory, and hypothesis."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.importing import ColumnMapping, ImportedRecord, ImportFileError, import_file
from forms.importing.csv_reader import detect_encoding, sniff_delimiter
from forms.registry import get_template
from forms.validation import ValidationContext
from tests.forms.conftest import TODAY

CTX = ValidationContext(today=TODAY)
FIXTURE = HealthCheck.function_scoped_fixture  # tmp_path is reused on purpose
FR_HEADER = (
    "Date de saisie;Lieu;Moyen de transport;Catégorie;Description;Quantité;Unité;"
    "Code de traitement;Fiabilité de la source;Exactitude de l'information"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_french_semicolon_csv_with_bom(tmp_path: Path) -> None:
    path = write(
        tmp_path / "saisies.csv",
        "\ufeff" + FR_HEADER + "\n"
        "02/11/2026;FRCDG;Air;Drugs;cocaïne;12,5;kg;H1;B;2\n"
        "\n"
        "03/11/2026;ESALG;sea;tobacco;cigarettes;480 000;sticks;H0;A;1\n",
    )
    report = import_file(path, get_template("seizure-short"), context=CTX)
    assert report.format == "csv" and report.rows == 2 and report.imported == 2
    first = report.records[0]
    assert first.row == 2 and first.values["commodities"][0] == {
        "category": "drugs",
        "description": "cocaïne",
        "quantity": 12.5,
        "unit": "kg",
    }
    assert report.records[1].row == 4  # the blank line keeps the file's numbering
    assert report.mapping.columns["Date de saisie"] == "seizure_date"


def test_cp1252_file_is_decoded(tmp_path: Path) -> None:
    text = FR_HEADER + "\n02/11/2026;FRCDG;air;drugs;héroïne, coupée;1,2;kg;H1;B;2\n"
    path = write(tmp_path / "windows.csv", text, "cp1252")
    assert detect_encoding(path.read_bytes(), True) == "cp1252"
    report = import_file(path, get_template("seizure-short"), context=CTX)
    assert report.imported == 1
    assert report.records[0].values["commodities"][0]["description"] == "héroïne, coupée"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    header = [
        "Matrícula",
        "País",
        "Marca",
        "Código de tratamiento",
        "Fiabilidad de la fuente",
        "Exactitud de la información",
    ]
    row = ["1234 BCD", "España", "Seat, S.A." if delimiter != "," else "Seat", "H0", "A", "1"]
    if delimiter != ",":
        row[2] = "Seat, S.A."
    text = delimiter.join(header) + "\n" + delimiter.join(row) + "\n"
    path = write(tmp_path / "vehiculos.csv", text)
    assert sniff_delimiter(text) == delimiter
    report = import_file(path, get_template("vehicle"), context=CTX)
    assert report.imported == 1, report.to_dict()
    assert report.records[0].values["country"] == "ES"


def test_refused_rows_block_the_import_by_default(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mixed.csv",
        FR_HEADER + "\n"
        "02/11/2026;FRCDG;air;drugs;cocaïne;12,5;kg;H1;B;2\n"
        "31/02/2026;FRCDG;air;drugs;cocaïne;12,5;kg;H1;B;2\n"
        "02/11/2026;XXXXX;train;drugs;cocaïne;beaucoup;kg;H9;B;2\n",
    )
    template = get_template("seizure-short")
    report = import_file(path, template, context=CTX)
    assert report.blocked and report.imported == 0 and report.records == []
    assert (report.rows, report.valid_rows, report.refused_rows) == (3, 1, 2)
    reasons = {(r.row, r.field, r.column) for r in report.refused}
    assert (3, "seizure_date", "Date de saisie") in reasons
    assert (4, "place", "Lieu") in reasons
    assert (4, "conveyance", "Moyen de transport") in reasons
    assert (4, "commodities[0].quantity", "Quantité") in reasons
    assert (4, "handling_code", "Code de traitement") in reasons
    assert all(r.reason for r in report.refused)
    rejected = report.to_dict()["rejected"]
    assert {"row", "field", "column", "reason"} <= set(rejected[0])

    partial = import_file(path, template, context=CTX, import_valid_rows=True)
    assert partial.imported == 1 and partial.records[0].row == 2

    dry = import_file(path, template, context=CTX, dry_run=True, import_valid_rows=True)
    assert dry.imported == 0 and dry.records == [] and not dry.blocked


def test_sink_receives_records_in_a_second_pass(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ok.csv",
        FR_HEADER
        + "\n"
        + "\n".join(f"02/11/2026;FRCDG;air;drugs;lot {i};{i + 1};kg;H1;B;2" for i in range(50))
        + "\n",
    )
    for limit in (100, 10):  # held in memory, or read a second time
        got: list[ImportedRecord] = []
        report = import_file(
            path, get_template("seizure-short"), context=CTX, sink=got.append, buffer_records=limit
        )
        assert report.imported == 50 and report.records == [] and len(got) == 50
        assert got[49].values["commodities"][0]["quantity"] == 50
        assert [r.row for r in got] == list(range(2, 52))
    bad = path.read_text(encoding="utf-8") + "99/99/2026;FRCDG;air;drugs;x;1;kg;H1;B;2\n"
    path.write_text(bad, encoding="utf-8")
    for limit in (100, 10):
        got = []
        report = import_file(
            path, get_template("seizure-short"), context=CTX, sink=got.append, buffer_records=limit
        )
        assert report.blocked and got == []


def test_mapping_is_editable_and_savable(tmp_path: Path) -> None:
    path = write(tmp_path / "odd.csv", "Col A,Col B,Code,Src,Acc\nAB-123-CD,FR,H0,A,1\n")
    template = get_template("vehicle")
    with pytest.raises(ImportFileError):
        import_file(path, template, context=CTX)  # nothing recognisable
    mapping = ColumnMapping(
        {
            "Col A": "plate",
            "Col B": "country",
            "Code": "handling_code",
            "Src": "source_reliability",
            "Acc": "information_accuracy",
        },
        "vehicle",
    )
    saved = tmp_path / "mapping.json"
    mapping.save(saved)
    loaded = ColumnMapping.load(saved)
    assert loaded == mapping
    report = import_file(path, template, loaded, context=CTX)
    assert report.imported == 1
    with pytest.raises(ImportFileError, match="does not have"):
        import_file(path, template, ColumnMapping({"Col A": "wings"}), context=CTX)


def test_title_row_before_the_header_is_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path / "titled.csv",
        "Opération COCAIR VI - saisies,,,,\n,,,,\n"
        "Plaque,Pays,Code de traitement,Fiabilité de la source,"
        "Exactitude de l'information\nAB-123-CD,France,H0,A,1\n",
    )
    report = import_file(path, get_template("vehicle"), context=CTX)
    assert report.imported == 1 and report.records[0].row == 4


def test_mixed_scripts_survive(tmp_path: Path) -> None:
    path = write(
        tmp_path / "persons.csv",
        "Nom,Prénom,Nom latin,Date de naissance,Rôle,Code de traitement,"
        "Fiabilité de la source,Exactitude de l'information\n"
        "محمد,علي,MOHAMED,1990-01-02,courier,H2,B,2\n"
        "王,小明,WANG,1985-06-07,suspect,H2,C,3\n"
        "Иванов,Сергей,IVANOV,1984-03-09,organiser,H2,B,2\n",
    )
    report = import_file(path, get_template("person"), context=CTX)
    assert report.imported == 3, report.to_dict()
    names = [(r.values["family_name"], r.values["family_name_latin"]) for r in report.records]
    assert names == [("محمد", "MOHAMED"), ("王", "WANG"), ("Иванов", "IVANOV")]


def test_formula_text_in_csv_is_only_text(tmp_path: Path) -> None:
    path = write(
        tmp_path / "evil.csv",
        "Plaque,Pays,Modèle,Code de traitement,"
        "Fiabilité de la source,Exactitude de l'information\n"
        "AB-123-CD,FR,\"=cmd|' /C calc'!A0\",H0,A,1\n",
    )
    report = import_file(path, get_template("vehicle"), context=CTX)
    assert report.records[0].values["model"] == "=cmd|' /C calc'!A0"


def test_not_utf8_midway_is_a_file_error(tmp_path: Path) -> None:
    good = "Plaque,Pays,Code de traitement,Fiabilité de la source,Exactitude de l'information\n"
    rows = "".join(f"AB-{i:03d}-CD,FR,H0,A,1\n" for i in range(30000))
    path = tmp_path / "late.csv"
    path.write_bytes((good + rows).encode("utf-8") + b"\xff\xfe broken\n")
    with pytest.raises(ImportFileError, match="UTF-8"):
        import_file(path, get_template("vehicle"), context=CTX, dry_run=True)


def test_a_million_rows_stream_in_constant_memory(tmp_path: Path) -> None:
    """Every row is read, mapped and validated; memory stays flat (sampled while it runs)."""
    import threading

    import psutil

    path = tmp_path / "million.csv"
    countries = ("FR", "DE", "ES", "TR", "NL", "BE", "IT", "PT")
    with path.open("w", encoding="utf-8") as fh:
        fh.write("plate,country,make,handling_code,source_reliability,information_accuracy\n")
        for block in range(100):
            fh.write(
                "".join(
                    f"AB-{block:03d}-{i:05d},{countries[i % 8]},Scania,H{i % 2},A,{1 + i % 4}\n"
                    for i in range(10_000)
                )
            )
    assert path.stat().st_size > 30_000_000
    process = psutil.Process(os.getpid())
    before = process.memory_info().rss
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    try:
        report = import_file(path, get_template("vehicle"), context=CTX, dry_run=True)
    finally:
        done.set()
        sampler.join()
    elapsed = time.perf_counter() - start
    assert report.rows == 1_000_000 and report.valid_rows == 1_000_000
    grown = (peak[0] - before) / 1e6
    assert grown < 40, f"memory grew by {grown:.0f} MB"
    print(f"1,000,000 rows in {elapsed:.1f} s, RSS growth {grown:.1f} MB")


@settings(max_examples=60, deadline=None, suppress_health_check=[FIXTURE])
@given(data=st.binary(max_size=400))
def test_any_bytes_give_a_report_or_a_file_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(b"plate,country,handling_code\n" + data)
    try:
        report = import_file(path, get_template("vehicle"), context=CTX, dry_run=True)
    except ImportFileError as exc:
        assert str(exc)
        return
    assert report.rows == report.valid_rows + report.refused_rows


@settings(max_examples=40, deadline=None, suppress_health_check=[FIXTURE])
@given(
    cells=st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=6), min_size=1, max_size=8)
)
def test_any_text_table_gives_a_report_or_a_file_error(
    tmp_path: Path, cells: list[list[str]]
) -> None:
    import csv

    path = tmp_path / "fuzz2.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Plaque", "Pays", "VIN", "Code de traitement"])
        writer.writerows(cells)
    try:
        report = import_file(path, get_template("vehicle"), context=CTX, dry_run=True)
    except ImportFileError:
        return
    assert report.refused_rows <= report.rows
