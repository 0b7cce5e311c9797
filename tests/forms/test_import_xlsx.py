"""xlsx import of workbooks as other programs write them (odd headers in French, Spanish and
Arabic, merged title cells, blank rows, dates as Excel serials and as text), formulas never
evaluated, and zip bombs refused before anything is inflated."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from forms.importing import ImportFileError, import_file
from forms.importing.xlsx_reader import check_archive
from forms.registry import get_template
from forms.validation import ValidationContext
from tests.forms.conftest import TODAY

CTX = ValidationContext(today=TODAY)


def workbook(
    path: Path,
    rows: list[list[Any]],
    merge: str | None = None,
    number_formats: dict[str, str] | None = None,
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Saisies"
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    for cell, fmt in (number_formats or {}).items():
        ws[cell].number_format = fmt
    wb.save(path)
    return path


def test_french_workbook_with_merged_title_blank_rows_and_every_date_shape(
    tmp_path: Path,
) -> None:
    header = [
        "Date de saisie",
        "Lieu (UN/LOCODE)",
        "Moyen de transport",
        "Catégorie",
        "Désignation",
        "Quantité",
        "Unité",
        "Code de traitement",
        "Fiabilité de la source",
        "Exactitude de l'information",
    ]
    rows: list[list[Any]] = [
        ["Opération COCAIR VI — relevé des saisies", None, None, None],
        [],
        header,
        [
            dt.datetime(2026, 11, 2),
            "FRCDG",
            "Avion",
            "drugs",
            "cocaïne",
            12.5,
            "kg",
            "H1",
            "B",
            "2",
        ],
        [],
        [46329, "FRORY", "air", "drugs", "cocaïne", 3, "kg", "H1", "B", 2],  # Excel serial
        ["04/11/2026", "FRMRS", "sea", "tobacco", "cigarettes", "480000", "sticks", "H0", "A", "1"],
        [None] * 10,
        ["2026-11-05", "FRLYS", "air", "drugs", "herbe", "2,5", "kg", "H1", "B", "2"],
    ]
    path = workbook(
        tmp_path / "saisies.xlsx", rows, merge="A1:J1", number_formats={"A4": "dd/mm/yyyy"}
    )
    report = import_file(path, get_template("seizure-short"), context=CTX, import_valid_rows=True)
    assert report.format == "xlsx"
    dates = [(r.row, r.values["seizure_date"]) for r in report.records]
    # Row 6 holds the Excel serial 46329; rows 7 and 9 hold dates typed as text.
    assert dates == [(6, "2026-11-03"), (7, "2026-11-04"), (9, "2026-11-05")]
    # "Avion" is no choice value nor label: refused with its row, field and column; its date cell
    # (a real Excel date) was read without complaint.
    refused = {(r.row, r.field, r.column) for r in report.refused}
    assert refused == {(4, "conveyance", "Moyen de transport")}
    assert report.rows == 4 and report.imported == 3


def test_spanish_and_arabic_headers_are_recognised(tmp_path: Path) -> None:
    es = workbook(
        tmp_path / "es.xlsx",
        [
            [
                "Matrícula",
                "País",
                "Número de bastidor",
                "Marca",
                "Modelo",
                "Código de tratamiento",
                "Fiabilidad de la fuente",
                "Exactitud de la información",
            ],
            ["1234 BCD", "ES", "1M8GDM9AXKP042788", "Seat", "León", "H0", "A", "1"],
        ],
    )
    ar = workbook(
        tmp_path / "ar.xlsx",
        [
            ["رقم اللوحة", "البلد", "الماركة", "رمز المعالجة", "موثوقية المصدر", "دقة المعلومات"],
            ["12345 أ ب", "SA", "تويوتا", "H0", "A", "1"],
        ],
    )
    for path in (es, ar):
        report = import_file(path, get_template("vehicle"), context=CTX)
        assert report.imported == 1, report.to_dict()
    assert report.records[0].values["make"] == "تويوتا"


def test_formula_cells_are_never_evaluated_and_refused(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "formula.xlsx",
        [
            [
                "Plaque",
                "Pays",
                "Modèle",
                "Code de traitement",
                "Fiabilité de la source",
                "Exactitude de l'information",
            ],
            ["AB-123-CD", "FR", '=HYPERLINK("http://evil","x")', "H0", "A", "1"],
            ["EF-456-GH", "FR", "'=not a formula", "H0", "A", "1"],
        ],
    )
    report = import_file(path, get_template("vehicle"), context=CTX, import_valid_rows=True)
    assert [(r.row, r.field, r.code) for r in report.refused] == [(2, "model", "formula")]
    assert report.records[0].values["model"] == "=not a formula"


def _bomb(path: Path, size: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * size)
    return path


def test_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", 50 * 1024 * 1024)
    assert path.stat().st_size < 200_000
    with pytest.raises(ImportFileError, match="zip bomb"):
        check_archive(path)
    with pytest.raises(ImportFileError, match="zip bomb"):
        import_file(path, get_template("vehicle"), context=CTX)


def test_lying_zip_directory_cannot_inflate_beyond_declared_size(tmp_path: Path) -> None:
    """A member declaring a small size is never inflated past it (zipfile stops there)."""
    path = _bomb(tmp_path / "liar.xlsx", 4 * 1024 * 1024)
    data = bytearray(path.read_bytes())
    # Patch the central directory's uncompressed size of the big member to 1000 bytes.
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        offset = data.find(b"PK\x01\x02", 0)
        while offset >= 0:
            name_len = int.from_bytes(data[offset + 28 : offset + 30], "little")
            name = bytes(data[offset + 46 : offset + 46 + name_len])
            if name == info.filename.encode():
                data[offset + 24 : offset + 28] = (1000).to_bytes(4, "little")
            offset = data.find(b"PK\x01\x02", offset + 4)
    path.write_bytes(bytes(data))
    check_archive(path)  # the directory now claims a harmless size ...
    with zipfile.ZipFile(path) as archive:
        inflated = b""
        # ... and reading stops there, with an error.
        with pytest.raises(zipfile.BadZipFile), archive.open("xl/worksheets/sheet1.xml") as member:
            while chunk := member.read(65536):
                inflated += chunk
                assert len(inflated) <= 1000
    with pytest.raises(ImportFileError):
        import_file(path, get_template("vehicle"), context=CTX)


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken"])
def test_not_a_workbook_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(content)
    with pytest.raises(ImportFileError):
        import_file(path, get_template("vehicle"), context=CTX)


def test_zip_without_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError):
        import_file(path, get_template("vehicle"), context=CTX)
