"""Writers for xlsx (one sheet per template), csv (one table, a column per field path) and
xml, sharing the flattening of groups (``group.N.sub`` columns) and the neutralisation."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from forms.model import RESTRICTED_HANDLING_CODES, FieldType, Template

EXPORT_FORMATS = ("xlsx", "csv", "xml")
XML_NAMESPACE = "urn:cordon:records:1"
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with an apostrophe (OWASP
    CSV-injection advice); the importer strips it again."""
    return "'" + text if text.startswith(_DANGEROUS_START) else text


@dataclass(frozen=True)
class ExportRecord:
    record_id: str
    template: Template
    values: Mapping[str, Any]
    meta: Mapping[str, Any] = field(default_factory=dict)  # status, author, updated ...

    @property
    def restricted(self) -> bool:
        return self.values.get("handling_code") in RESTRICTED_HANDLING_CODES


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    format: str
    records: int
    left_out_restricted: int


def _scalar(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"template", "record_id"}:
        return f"{value['template']}:{value['record_id']}"
    if isinstance(value, list):
        return "; ".join(str(_scalar(v)) for v in value)
    return value


def flatten_record(template: Template, values: Mapping[str, Any]) -> dict[str, Any]:
    """Field path -> cell value: lists joined with "; ", links as ``template:record_id``,
    group entries as ``group.N.sub`` (N from 1)."""
    out: dict[str, Any] = {}
    for f in template.fields():
        value = values.get(f.id)
        if value is None:
            continue
        if f.type is FieldType.GROUP and isinstance(value, list):
            for n, item in enumerate(value, start=1):
                for sub in f.fields:
                    if isinstance(item, Mapping) and item.get(sub.id) is not None:
                        out[f"{f.id}.{n}.{sub.id}"] = _scalar(item[sub.id])
        else:
            out[f.id] = _scalar(value)
    return out


def _columns(template: Template, flats: Iterable[Mapping[str, Any]]) -> list[str]:
    counts: dict[str, int] = {}
    for flat in flats:
        for key in flat:
            if key.count(".") == 2:
                group, index, _ = key.split(".")
                counts[group] = max(counts.get(group, 0), int(index))
    columns: list[str] = []
    for f in template.fields():
        if f.type is FieldType.GROUP:
            for n in range(1, counts.get(f.id, 0) + 1):
                columns += [f"{f.id}.{n}.{sub.id}" for sub in f.fields]
        else:
            columns.append(f.id)
    return columns


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    return value


def export_records(
    records: Iterable[ExportRecord],
    path: Path | str,
    fmt: str,
    *,
    include_restricted: bool = False,
    meta_columns: tuple[str, ...] = (),
) -> ExportSummary:
    """Write ``records`` to ``path`` in ``fmt``; H2/H3 records only with include_restricted."""
    path = Path(path)
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    kept: list[ExportRecord] = []
    left_out = 0
    for record in records:
        if record.restricted and not include_restricted:
            left_out += 1
        else:
            kept.append(record)
    if fmt == "xml":
        _write_xml(kept, path)
    else:
        by_template: dict[str, list[tuple[ExportRecord, dict[str, Any]]]] = {}
        for record in kept:
            by_template.setdefault(record.template.id, []).append(
                (record, flatten_record(record.template, record.values))
            )
        if fmt == "csv":
            _write_csv(by_template, path, meta_columns)
        else:
            _write_xlsx(by_template, path, meta_columns)
    return ExportSummary(path, fmt, len(kept), left_out)


def _write_csv(
    by_template: dict[str, list[tuple[ExportRecord, dict[str, Any]]]], path: Path,
    meta_columns: tuple[str, ...],
) -> None:
    header = ["record_id", "template", *meta_columns]
    for rows in by_template.values():
        for column in _columns(rows[0][0].template, (flat for _, flat in rows)):
            if column not in header:
                header.append(column)
    # utf-8-sig: Excel opens it with the right encoding.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for rows in by_template.values():
            for record, flat in rows:
                line = {"record_id": record.record_id, "template": record.template.key,
                        **{m: record.meta.get(m) for m in meta_columns}, **flat}
                writer.writerow(
                    ["" if line.get(c) is None else _cell(str(line[c])) for c in header]
                )


def _write_xlsx(
    by_template: dict[str, list[tuple[ExportRecord, dict[str, Any]]]], path: Path,
    meta_columns: tuple[str, ...],
) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    for template_id, rows in by_template.items():
        sheet = workbook.create_sheet(title=template_id[:31])
        columns = ["record_id", *meta_columns,
                   *_columns(rows[0][0].template, (flat for _, flat in rows))]
        sheet.append(columns)
        for record, flat in rows:
            line = {"record_id": record.record_id,
                    **{m: record.meta.get(m) for m in meta_columns}, **flat}
            cells = []
            for column in columns:
                value = line.get(column)
                cell = WriteOnlyCell(sheet, value=None)
                if isinstance(value, bool | int | float):
                    cell.value = value
                elif value is not None:
                    # Set as a string explicitly: openpyxl would store "=..." as a formula.
                    cell.value = neutralise(str(value))
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    if not by_template:
        workbook.create_sheet(title="records").append(["record_id"])
    workbook.save(path)


def _write_xml(records: list[ExportRecord], path: Path) -> None:
    """Streamed XML in the shape of cordon-records.xsd; text is escaped, never interpreted."""
    with path.open("w", encoding="utf-8") as fh:
        gen = XMLGenerator(fh, encoding="utf-8", short_empty_elements=True)
        gen.startDocument()
        gen.startElement("records", _attrs({"xmlns": XML_NAMESPACE}))
        for record in records:
            gen.startElement("record", _attrs({
                "id": record.record_id, "template": record.template.id,
                "version": str(record.template.version),
            }))
            _xml_fields(gen, record.template.fields(), record.values)
            gen.endElement("record")
        gen.endElement("records")
        gen.endDocument()


def _attrs(values: dict[str, str]) -> AttributesImpl[str]:
    return AttributesImpl(values)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_fields(gen: XMLGenerator, fields: Iterable[Any], values: Mapping[str, Any]) -> None:
    for f in fields:
        value = values.get(f.id)
        if value is None:
            continue
        if f.type is FieldType.GROUP:
            gen.startElement("group", _attrs({"name": f.id}))
            for item in value:
                gen.startElement("item", _attrs({}))
                _xml_fields(gen, f.fields, item)
                gen.endElement("item")
            gen.endElement("group")
        elif f.type is FieldType.LINK:
            gen.startElement("link", _attrs({"name": f.id}))
            for ref in value if isinstance(value, list) else [value]:
                attrs = {"template": ref["template"], "record": ref["record_id"]}
                gen.startElement("ref", _attrs(attrs))
                gen.endElement("ref")
            gen.endElement("link")
        elif isinstance(value, list):
            gen.startElement("list", _attrs({"name": f.id}))
            for item in value:
                gen.startElement("value", _attrs({}))
                gen.characters(_text(item))
                gen.endElement("value")
            gen.endElement("list")
        else:
            gen.startElement("field", _attrs({"name": f.id}))
            gen.characters(_text(value))
            gen.endElement("field")
