"""The correction file of an import that took the valid rows: the refused rows only, with the
file's own columns in the file's own order, plus one column naming each row's problems in the
reader's language (field labels, never internal paths).

It is written in the input's format (CSV with the same separator, or xlsx; an XML input gets a
CSV file), so it opens in any spreadsheet program; once fixed it imports like the original, and
since it holds only the refused rows, nothing already imported comes in twice. Its problems
column is never mapped onto a field (see ``mapping.PROBLEMS_HEADER``)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from forms.importing.core import RefusedRow
from forms.importing.mapping import PROBLEMS_HEADER
from forms.model import Template
from locales import _

# Leading characters a spreadsheet program reads as a formula: such a text is written behind an
# apostrophe (the importer takes it off again).
_FORMULA_START = ("=", "+", "-", "@")


def correction_path(source: Path) -> Path:
    """Where the correction file of ``source`` goes by default: beside it,
    ``name.corrections.csv`` (or ``.xlsx``)."""
    suffix = ".xlsx" if source.suffix.lower() in (".xlsx", ".xlsm") else ".csv"
    return source.with_name(f"{source.stem}.corrections{suffix}")


def field_label(template: Template, path: str) -> str:
    """The translated label of a validation path such as ``commodities[1].quantity``:
    ``Commodities 2: Quantity``; an unknown path is shown as it is."""
    head, _sep, rest = path.partition("[")
    f = template.field(head)
    if f is None:
        return path
    label = _(f.label)
    if not rest:
        return label
    index, _close, sub = rest.partition("]")
    sub_field = f.subfield(sub.lstrip(".")) if sub else None
    number = int(index) + 1 if index.isdigit() else index
    if sub_field is None:
        return f"{label} {number}"
    return f"{label} {number}: {_(sub_field.label)}"


def describe(template: Template, problems: list[RefusedRow]) -> str:
    """One row's problems as one cell: ``Label: reason`` each, separated by `` | ``."""
    return " | ".join(f"{field_label(template, p.field)}: {p.reason}" for p in problems)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value  # never a live formula in the file we hand out
    return value


class CorrectionFile:
    """Collects refused rows and writes them. Rows are kept in memory: MAX_ROWS at most (a file
    with more refused rows needs its mapping fixed first, not row-by-row correction)."""

    MAX_ROWS = 100_000

    def __init__(
        self, path: Path, headers: list[str], template: Template, fmt: str, delimiter: str = ","
    ) -> None:
        self.path = path
        self.headers = [h for h in headers]
        self.template = template
        self.format = "xlsx" if fmt == "xlsx" else "csv"
        self.delimiter = delimiter if fmt == "csv" else ","
        self.rows: list[tuple[dict[str, Any], str]] = []
        self.left_out = 0

    def add(self, number: int, row: dict[str, Any], problems: list[RefusedRow]) -> None:
        if len(self.rows) >= self.MAX_ROWS:
            self.left_out += 1
            return
        self.rows.append((dict(row), describe(self.template, problems)))

    def write(self) -> Path | None:
        """Write the file (nothing when no row was refused); returns its path."""
        if not self.rows:
            return None
        header = [*self.headers, _(PROBLEMS_HEADER)]
        lines = [[_cell(row.get(h)) for h in self.headers] + [text] for row, text in self.rows]
        if self.format == "xlsx":
            self._write_xlsx(header, lines)
        else:
            with self.path.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh, delimiter=self.delimiter)
                writer.writerow(header)
                for line in lines:
                    writer.writerow(["" if v is None else _text(v) for v in line])
        return self.path

    def _write_xlsx(self, header: list[str], lines: list[list[Any]]) -> None:
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Corrections"))
        sheet.append(header)
        for line in lines:
            sheet.append(line)
        workbook.save(self.path)


def _text(value: Any) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
