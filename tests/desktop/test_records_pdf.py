"""The records report: escaped, direction-isolated values, mirrored for right-to-left languages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

import locales
from desktop.reports.records_pdf import FSI, PDI, records_html, write_records_pdf
from forms.exporting import ExportRecord
from forms.registry import get_template

WHEN = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def english() -> Iterator[None]:
    yield
    locales.set_language("en")


def _record(**values: object) -> ExportRecord:
    template = get_template("person")
    base = {"family_name": "Okafor", "role": "courier", "nationality": "NG"}
    return ExportRecord("r1", template, {**base, **values}, {"Status": "Draft"})


def test_values_are_escaped_and_isolated(english: None) -> None:
    page = records_html([_record(remarks="<b>MSCU1234565</b> & co")], "Op", WHEN, 0)
    assert "<b>MSCU1234565</b>" not in page
    assert f"{FSI}&lt;b&gt;MSCU1234565&lt;/b&gt; &amp; co{PDI}" in page
    assert "Nigeria (NG)" in page
    assert 'dir="ltr"' in page


def test_arabic_report_runs_right_to_left(english: None) -> None:
    locales.set_language("ar")
    page = records_html([_record()], "Op", WHEN, left_out=2)
    assert 'dir="rtl"' in page
    row = page[page.index("<tr>") : page.index("</tr>")]
    assert row.index(f"{FSI}Okafor{PDI}") < row.index("<b>")  # value cell first: label on the right
    assert "H2" in page  # the left-out notice


def test_pdf_is_written(tmp_path: Path, qapp: object, english: None) -> None:
    out = write_records_pdf([_record()], tmp_path / "r.pdf", title="Op")
    assert out.read_bytes().startswith(b"%PDF-")
