"""`cordon import` and `cordon export` through the real command, against a real relay process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.cli.conftest import Run
from tests.sync.relay.conftest import RelayProcess


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    process = RelayProcess(tmp_path_factory.mktemp("relay") / "data").start()
    yield process
    process.stop()


HEADER = (
    "Family name;Given names;Role;Nationality;Handling code;Source reliability;Information accuracy"
)


def _json(result: object) -> object:
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    return json.loads(result.stdout)  # type: ignore[attr-defined]


@pytest.fixture
def operation(cordon: Run, relay: RelayProcess) -> str:
    _json(
        cordon("init", "--name", "Lina Haddad", "--agency", "Customs", "--country", "JO", "--json")
    )
    created = _json(
        cordon("op", "create", "--name", "Desert Falcon", "--relay", relay.url, "--json")
    )
    return str(created["operation_id"])  # type: ignore[index]


def test_import_dry_run_then_import_and_export_every_format(
    cordon: Run, operation: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "people.csv"
    sheet.write_text(
        f"{HEADER}\n"
        "Okafor;Chinedu;courier;NG;H1;B;2\n"
        ";Nobody;courier;FR;H1;B;2\n"  # no family name: refused
        "Haddad;Rami;organiser;JO;H1;B;2\n",
        encoding="utf-8",
    )
    dry = cordon("import", operation, str(sheet), "--template", "person", "--dry-run", "--json")
    report = _json(dry)
    assert report["imported"] == 0  # type: ignore[index]
    assert [r["row"] for r in report["rejected"]] == [3]  # type: ignore[index]

    refused = cordon("import", operation, str(sheet), "--template", "person", "--json")
    assert refused.returncode == 1  # nothing is stored while a row is refused
    sheet.write_text(
        f"{HEADER}\nOkafor;Chinedu;courier;NG;H1;B;2\nHaddad;Rami;organiser;JO;H1;B;2\n",
        encoding="utf-8",
    )
    done = _json(cordon("import", operation, str(sheet), "--template", "person", "--json"))
    assert done["imported"] == 2  # type: ignore[index]

    for fmt in ("xlsx", "csv", "xml", "pdf"):
        out = tmp_path / f"export.{fmt}"
        result = _json(cordon("export", operation, "--format", fmt, "--out", str(out), "--json"))
        assert result == {"path": str(out), "records": 2, "left_out_restricted": 0}
        assert out.stat().st_size > 0
    assert "Okafor" in (tmp_path / "export.csv").read_text(encoding="utf-8")
    assert (tmp_path / "export.pdf").read_bytes().startswith(b"%PDF-")


def test_pdf_report_text_holds_the_records(cordon: Run, operation: str, tmp_path: Path) -> None:
    pdf = pytest.importorskip("PySide6.QtPdf")
    _json(
        cordon(
            "record",
            "add",
            operation,
            "--template",
            "person",
            "--set",
            "family_name=Okafor",
            "--set",
            "role=courier",
            "--set",
            "remarks=MSCU1234565 in the lining",
            "--set",
            "handling_code=H1",
            "--set",
            "source_reliability=B",
            "--set",
            "information_accuracy=2",
            "--json",
        )
    )
    out = tmp_path / "report.pdf"
    _json(cordon("export", operation, "--format", "pdf", "--out", str(out), "--json"))
    from PySide6 import QtWidgets

    # A QApplication, not a bare QGuiApplication: widget tests later in the same process
    # reuse the instance and a QWidget aborts the process under a QGuiApplication.
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    document = pdf.QPdfDocument(app)
    assert document.load(str(out)) == pdf.QPdfDocument.Error.None_
    text = "".join(document.getAllText(page).text() for page in range(document.pageCount()))
    assert "Okafor" in text and "MSCU1234565" in text
    assert "Desert Falcon" in text


def test_unknown_export_format_is_a_usage_error(cordon: Run, operation: str) -> None:
    result = cordon("export", operation, "--format", "docx", "--out", "x.docx")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_a_missing_file_or_a_folder_is_one_clear_sentence(
    cordon: Run, operation: str, tmp_path: Path
) -> None:
    missing = cordon("import", operation, str(tmp_path / "nope.csv"), "--template", "person")
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"cordon: There is no file or folder {tmp_path / 'nope.csv'}."
    folder = cordon("import", operation, str(tmp_path), "--template", "person")
    assert folder.returncode == 1 and "is a folder; give a file" in folder.stderr
    out = tmp_path / "missing-folder" / "x.csv"
    export = cordon("export", operation, "--format", "csv", "--out", str(out))
    assert export.returncode == 1 and "Errno" not in export.stderr
