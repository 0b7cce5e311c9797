"""``import_file``: read a spreadsheet, CSV or XML file, map its columns onto a template,
validate every row, and hand the valid records to the caller (the sync engine stores them).

By default the import is all or nothing: if any row is refused, no record is handed over (the
file is read twice, so memory stays flat whatever its size). ``import_valid_rows=True`` takes
the valid rows anyway (``on_refused`` receives each refused row, as read, for a correction
file); ``dry_run=True`` only reports. ``fixed`` values fill the fields a row lacks: a value in
the row always wins."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from forms.importing.errors import ImportFileError
from forms.importing.mapping import (
    ColumnMapping,
    apply_mapping,
    check_fixed,
    check_mapping,
    header_score,
    suggest_mapping,
)
from forms.importing.table import Table
from forms.importing.xlsx_reader import FormulaCell
from forms.issues import Issue
from forms.model import Field, FieldType, Template
from forms.validation import ValidationContext, validate_record
from locales import N_, _

FORMATS = ("xlsx", "csv", "xml")
MAX_REFUSALS = 10_000  # beyond this the report stops listing (the counts stay exact)
# Valid records held back in memory while the rest of the file is checked (all or nothing);
# a larger file is read a second time instead, so memory stays bounded whatever its size.
BUFFER_RECORDS = 100_000


@dataclass(frozen=True)
class RefusedRow:
    row: int
    field: str
    column: str | None
    code: str
    msgid: str
    params: dict[str, Any] = dc_field(default_factory=dict)
    value: Any = None  # the cell (or fixed value) at fault, for the report; not in to_dict

    @property
    def reason(self) -> str:
        return _(self.msgid).format(**self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "column": self.column,
                "code": self.code, "reason": self.reason}


@dataclass
class ImportedRecord:
    row: int
    values: dict[str, Any]
    warnings: list[Issue]


@dataclass
class ImportReport:
    template: str  # template key, id@version
    format: str
    mapping: ColumnMapping
    dry_run: bool
    rows: int = 0  # data rows read (blank rows are not counted)
    valid_rows: int = 0
    refused_rows: int = 0
    imported: int = 0
    refused: list[RefusedRow] = dc_field(default_factory=list)  # one entry per problem
    records: list[ImportedRecord] = dc_field(default_factory=list)  # when no sink was given
    warnings: int = 0
    truncated: bool = False  # more refusals than MAX_REFUSALS

    @property
    def blocked(self) -> bool:
        """Nothing was imported because some rows were refused (the default policy)."""
        return not self.dry_run and self.refused_rows > 0 and self.imported == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "format": self.format,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "valid_rows": self.valid_rows,
            "refused_rows": self.refused_rows,
            "imported": self.imported,
            "warnings": self.warnings,
            "rejected": [r.to_dict() for r in self.refused],
            "truncated": self.truncated,
            "mapping": self.mapping.to_dict(),
        }


Sink = Callable[[ImportedRecord], None]
# Receives each refused row: its number, the row as read ({header: cell}) and its problems.
RefusedSink = Callable[[int, dict[str, Any], list[RefusedRow]], None]


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    if suffix == "xml":
        return "xml"
    with path.open("rb") as fh:
        head = fh.read(512)
    if head.startswith(b"PK"):
        return "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "xml"
    return "csv"


def open_table(
    path: Path, template: Template, fmt: str | None = None,
    mapping: ColumnMapping | None = None, sheet: str | None = None,
) -> Table:
    """Open the file as a Table, the header row chosen as the one naming most fields."""
    fmt = fmt or detect_format(path)

    def choose(rows: list[list[Any]]) -> int:
        def score(cells: list[Any]) -> int:
            if mapping is not None:
                names = {str(c).strip() for c in cells if c is not None}
                return sum(1 for h in mapping.columns if h in names)
            return header_score(cells, template)
        scores = [score(r) for r in rows]
        best = max(scores)
        return scores.index(best) if best > 0 else 0

    if fmt == "csv":
        from forms.importing.csv_reader import read_csv

        return read_csv(path, choose)
    if fmt == "xlsx":
        from forms.importing.xlsx_reader import read_xlsx

        return read_xlsx(path, choose, sheet)
    if fmt == "xml":
        from forms.importing.xml_reader import read_xml

        return read_xml(path)
    raise ImportFileError(N_("Unknown import format {format}."), format=fmt)


def preview_mapping(
    path: Path, template: Template, fmt: str | None = None, sheet: str | None = None
) -> tuple[list[str], ColumnMapping]:
    """The file's headers and the suggested mapping, for the mapping editor."""
    table = open_table(path, template, fmt, sheet=sheet)
    headers = table.headers
    _close(table.rows)
    return headers, suggest_mapping(headers, template)


def _close(rows: Iterator[Any]) -> None:
    close = getattr(rows, "close", None)
    if close is not None:
        close()


_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _prepare(f: Field | None, value: Any) -> Any:
    """Spreadsheet quirks before validation: Excel serial dates, apostrophe-escaped cells."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]  # our own export's neutralisation, undone
    if f is not None and f.type is FieldType.DATE:
        serial: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            serial = float(value)
        elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 5:
            serial = float(value.strip())
        if serial is not None and 1 <= serial < 2_958_466:
            return (_EXCEL_EPOCH + dt.timedelta(days=int(serial))).isoformat()
    if isinstance(value, dt.datetime) and f is not None and f.type is FieldType.DATE:
        return value.date().isoformat()
    return value


def _row_values(
    template: Template, mapped: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Prepared values and the paths of formula cells (refused, never evaluated)."""
    formulas: list[tuple[str, str]] = []
    out: dict[str, Any] = {}
    for key, value in mapped.items():
        f = template.field(key)
        if type(value) is str and value[0] != "'" and (f is None or f.type is not FieldType.DATE):
            out[key] = value  # plain text needs no preparation (the common case)
            continue
        if isinstance(value, list) and f is not None and f.type is FieldType.GROUP:
            items = []
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    items.append(item)
                    continue
                prepared = {}
                for sub_id, sub_value in item.items():
                    if isinstance(sub_value, FormulaCell):
                        formulas.append((f"{key}[{i}].{sub_id}", sub_value))
                        continue
                    prepared[sub_id] = _prepare(f.subfield(sub_id), sub_value)
                items.append(prepared)
            out[key] = items
        elif isinstance(value, FormulaCell):
            formulas.append((key, value))
        else:
            out[key] = _prepare(f, value)
    return out, formulas


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _validate_rows(
    table: Table, template: Template, mapping: ColumnMapping, context: ValidationContext,
    report: ImportReport, on_valid: Sink | None, fixed: dict[str, Any],
    on_refused: RefusedSink | None = None,
) -> None:
    for number, row in table.rows:
        report.rows += 1
        mapped = apply_mapping(row, mapping)
        for key, value in fixed.items():
            if _blank(mapped.get(key)):
                mapped[key] = value  # the row lacks it: the value for every row fills it
        values, formulas = _row_values(template, mapped)
        result = validate_record(template, values, context)

        faults = [(e.field, e.code, e.msgid, e.params) for e in result.errors]
        faults += [
            (path, "formula", N_("The cell holds a formula; formulas are never imported."), {})
            for path, _formula in formulas
        ]
        problems = []
        for path, code, msgid, params in faults:
            column = mapping.column_for(path)
            value = row.get(column) if column is not None else mapped.get(path)
            problems.append(RefusedRow(number, path, column, code, msgid, params, value))
        if problems:
            if on_refused is not None:
                on_refused(number, row, problems)
            report.refused_rows += 1
            room = MAX_REFUSALS - len(report.refused)
            if room <= 0:
                report.truncated = True
            report.refused.extend(problems[:max(room, 0)])
            continue
        report.valid_rows += 1
        report.warnings += len(result.warnings)
        if on_valid is not None:
            on_valid(ImportedRecord(number, result.values, result.warnings))


def import_file(
    path: Path | str,
    template: Template,
    mapping: ColumnMapping | None = None,
    *,
    format: str | None = None,  # noqa: A002 - the CLI's own word
    dry_run: bool = False,
    import_valid_rows: bool = False,
    sink: Sink | None = None,
    context: ValidationContext | None = None,
    sheet: str | None = None,
    buffer_records: int = BUFFER_RECORDS,
    fixed: dict[str, Any] | None = None,
    on_refused: RefusedSink | None = None,
) -> ImportReport:
    """Import ``path`` as records of ``template``.

    ``mapping`` (header -> field path) defaults to the suggested one. Valid records go to
    ``sink`` one by one when given, else into ``report.records``; with a sink, at most
    ``buffer_records`` are held in memory (beyond that the file is read twice). Raises
    ImportFileError when the whole file is refused (unsafe, unreadable, or a bad mapping).
    ``fixed`` (field -> value, over the mapping's own fixed values) fills each row lacking the
    field; ``on_refused`` gets every refused row as read (the report keeps at most
    MAX_REFUSALS problems).
    """
    path = Path(path)
    fmt = format or detect_format(path)
    if fmt not in FORMATS:
        raise ImportFileError(N_("Unknown import format {format}."), format=fmt)
    base = context or ValidationContext()
    ctx = dataclasses.replace(
        base, memo={} if base.memo is None else base.memo, today=base.today or dt.date.today()
    )
    table = open_table(path, template, fmt, mapping, sheet)
    if mapping is None:
        mapping = suggest_mapping(table.headers, template)
    every_row: dict[str, Any] = {**mapping.fixed, **(fixed or {})}
    every_row = {k: v for k, v in every_row.items() if not _blank(v)}
    unknown = check_mapping(template, mapping) + check_fixed(template, fixed or {})
    if unknown:
        _close(table.rows)
        raise ImportFileError(
            N_("The mapping names fields that {template} does not have: {fields}."),
            template=template.id, fields=", ".join(unknown),
        )
    if not any(mapping.columns.values()) and not every_row:
        _close(table.rows)
        raise ImportFileError(N_("No column of the file matches a field of {template}."),
                              template=template.id)
    report = ImportReport(template.key, fmt, mapping, dry_run)
    held: list[ImportedRecord] | None = [] if not dry_run else None

    def keep(record: ImportedRecord) -> None:
        nonlocal held
        if held is None:
            return
        if sink is not None and len(held) >= buffer_records:
            held = None  # too many to hold: the sink gets them from a second reading
            return
        held.append(record)

    _validate_rows(table, template, mapping, ctx, report, keep, every_row, on_refused)
    if dry_run:
        return report
    if report.refused_rows and not import_valid_rows:
        return report  # all or nothing: nothing is handed over
    if sink is None:
        report.records = held or []
        report.imported = len(report.records)
        return report
    if held is not None:
        for record in held:
            sink(record)
        report.imported = len(held)
        return report
    # Second pass: stream the valid records to the sink.
    second = ImportReport(template.key, fmt, mapping, dry_run)
    counter = [0]

    def deliver(record: ImportedRecord) -> None:
        counter[0] += 1
        sink(record)

    _validate_rows(open_table(path, template, fmt, mapping, sheet), template, mapping, ctx,
                   second, deliver, every_row)
    report.imported = counter[0]
    return report
