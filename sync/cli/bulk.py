"""``cordon import`` and ``cordon export``: bulk records through the forms API (xlsx, csv, xml).

The rules are ``sync.services.imports``'s (the window's wizards follow the same): imported
records become local changes like any other (a hundred per package); both directions are
audit-logged. Records with handling code H2 or H3 are exported only with
``--include-restricted``.

The import's plain-text report is a table (row, column, value, problem) wrapped to the terminal;
``--json`` gives the machine-readable document."""

from __future__ import annotations

import argparse
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from locales import N_, _, ngettext
from sync.cli.ops import session
from sync.cli.output import emit
from sync.cli.records import template_for
from sync.client import state
from sync.errors import CordonError, UsageError, file_error_text
from sync.services import imports

# Renders ``(records, path, title=..., left_out=...)`` into a PDF. The desktop entry point sets it
# (Qt shapes every script); the Qt-free core has no renderer of its own.
PdfWriter = Callable[..., Path]
_pdf_writer: PdfWriter | None = None


def set_pdf_writer(writer: PdfWriter | None) -> None:
    global _pdf_writer
    _pdf_writer = writer


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    imp = subparsers.add_parser("import", parents=[common], help=_("bulk import records"))
    imp.add_argument("operation", metavar="OP")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--template", required=True, metavar="T")
    imp.add_argument("--mapping", metavar="M", help=_("column mapping file (JSON)"))
    imp.add_argument("--dry-run", action="store_true", help=_("check only, store nothing"))
    imp.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        dest="fixed",
        help=_(
            "a value for every row that lacks the field (repeatable): a value in the file wins,"
            " and --set wins over the mapping's fixed values. The reporting country defaults to"
            " your profile's country."
        ),
    )
    imp.add_argument(
        "--save-mapping",
        metavar="FILE",
        help=_("save the column mapping used, with the --set values, for the next import"),
    )
    imp.add_argument(
        "--accept-valid",
        action="store_true",
        help=_(
            "import every valid row and write the refused rows, with their problems, to a"
            " correction file (default: nothing is imported while a row is refused)"
        ),
    )
    imp.add_argument(
        "--corrections",
        metavar="FILE",
        help=_("where --accept-valid writes the correction file (default: beside the input)"),
    )
    imp.set_defaults(handler=cmd_import)

    exp = subparsers.add_parser("export", parents=[common], help=_("export records to a file"))
    exp.add_argument("operation", metavar="OP")
    exp.add_argument("--format", required=True, choices=("xlsx", "csv", "xml", "pdf"))
    exp.add_argument("--out", required=True, metavar="FILE")
    exp.add_argument("--template", metavar="T")
    exp.add_argument(
        "--include-restricted",
        action="store_true",
        help=_("also export records with handling code H2 or H3 (confirms you may disclose them)"),
    )
    exp.set_defaults(handler=cmd_export)


def parse_fixed(items: list[str]) -> dict[str, str]:
    """``--set FIELD=VALUE`` options as a dict (the last one given for a field wins)."""
    fixed: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(
                _("--set takes FIELD=VALUE, for example --set handling_code=H1 (got {item}).")
                .format(item=item)
            )
        fixed[key.strip()] = value.strip()
    return fixed


def cmd_import(args: argparse.Namespace) -> int:
    from forms.importing import ColumnMapping, ImportFileError
    from forms.importing.corrections import field_label

    if args.corrections and not args.accept_valid:
        raise UsageError(_("--corrections goes with --accept-valid."))
    fixed = parse_fixed(args.fixed)
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        template = template_for(args.template, op)
        try:
            mapping = ColumnMapping.load(Path(args.mapping)) if args.mapping else None
            outcome = imports.import_path(
                engine.profile,
                op.operation_id,
                template,
                Path(args.file),
                mapping,
                fixed=fixed,
                accept_valid=args.accept_valid,
                corrections=Path(args.corrections) if args.corrections else None,
                dry_run=args.dry_run,
            )
        except OSError as exc:
            raise CordonError(file_error_text(exc)) from exc
        except (ImportFileError, ValueError) as exc:
            raise CordonError(str(exc)) from exc
    report = outcome.report
    if args.save_mapping:
        saved = report.mapping
        saved.fixed = {**saved.fixed, **fixed}
        saved.template = template.id
        try:
            saved.save(Path(args.save_mapping))
        except OSError as exc:
            raise CordonError(file_error_text(exc)) from exc
    result: dict[str, Any] = {
        "imported": len(outcome.ids),
        "rejected": [r.to_dict() for r in report.refused],
        "rows": report.rows,
        "dry_run": bool(args.dry_run),
        "already_in": outcome.already_in,  # rows equal to a record already in the operation
    }
    if args.accept_valid:
        result["corrections"] = str(outcome.corrections) if outcome.corrections else None
    problems = [
        (str(r.row), r.column or field_label(template, r.field), _shown(r.value), r.reason)
        for r in report.refused
    ]
    emit(result, args.json, lambda res: _import_text(res, report, problems, outcome.already_in))
    if args.accept_valid or args.dry_run:
        return 0
    return 1 if report.refused_rows else 0


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    return " ".join(str(value).split())


def _import_text(
    result: dict[str, Any], report: Any, problems: list[tuple[str, str, str, str]],
    already_in: int,
) -> str:
    """The import as people read it: a summary, then each problem as a table row."""
    lines = [
        _("Rows read: {rows}. Valid: {valid}. Refused: {refused}. Imported: {imported}.").format(
            rows=report.rows, valid=report.valid_rows, refused=report.refused_rows,
            imported=result["imported"],
        )
    ]
    if already_in:
        lines.append(
            ngettext(
                "{n} row was already in the operation and was not imported again.",
                "{n} rows were already in the operation and were not imported again.",
                already_in,
            ).format(n=already_in)
        )
    if report.refused_rows and not result["dry_run"] and not result["imported"] and \
            "corrections" not in result:
        lines.append(
            _("Nothing was imported because some rows were refused; correct them, or use"
              " --accept-valid to import the valid rows.")
        )
    if result.get("corrections"):
        lines.append(
            _("The refused rows are saved in {path}: correct them there and import that"
              " file.").format(path=result["corrections"])
        )
    if problems:
        lines += ["", problem_table(problems)]
    if report.truncated:
        lines.append(_("Only the first {count} problems are listed.").format(count=len(problems)))
    return "\n".join(lines)


def problem_table(rows: list[tuple[str, str, str, str]], width: int | None = None) -> str:
    """Row, column, value and problem in aligned columns: long values and problems wrap within
    their column so the table fits the terminal."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    heads = (_("Row"), _("Column"), _("Value"), _("Problem"))
    row_w = max(len(heads[0]), *(len(r[0]) for r in rows))
    col_w = min(max(len(heads[1]), *(len(r[1]) for r in rows)), 28)
    val_w = min(max(len(heads[2]), *(len(r[2]) for r in rows)), 24)
    prob_w = max(width - row_w - col_w - val_w - 6, 24)
    widths = (row_w, col_w, val_w, prob_w)

    def block(cells: tuple[str, ...]) -> list[str]:
        wrapped = [textwrap.wrap(c, w, break_long_words=True) or [""]
                   for c, w in zip(cells, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        out = []
        for i in range(height):
            parts = [(w[i] if i < len(w) else "").ljust(n)
                     for w, n in zip(wrapped, widths, strict=True)]
            out.append("  ".join(parts).rstrip())
        return out

    lines = block(heads)
    lines.append("  ".join("-" * n for n in widths))
    for r in rows:
        lines += block(r)
    return "\n".join(lines)


def cmd_export(args: argparse.Namespace) -> int:
    from forms.exporting.core import export_records

    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        found = engine.store.records.list(op.operation_id, template_id=args.template)
        rows = imports.export_rows(op, found)
        try:
            if args.format == "pdf":
                summary = _export_pdf(
                    rows,
                    Path(args.out),
                    op.name,
                    args.include_restricted,
                    engine.store,
                    op.operation_id,
                )
            else:
                summary = export_records(
                    rows,
                    args.out,
                    args.format,
                    include_restricted=args.include_restricted,
                    meta_columns=imports.META_COLUMNS,
                )
        except OSError as exc:
            raise CordonError(file_error_text(exc)) from exc
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        imports.log_export(engine.profile, op.operation_id, summary.records)
    emit(
        {
            "path": str(summary.path),
            "records": summary.records,
            "left_out_restricted": summary.left_out_restricted,
        },
        args.json,
    )
    return 0


STATUS_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "validated": N_("Validated"),
    "returned": N_("Returned for correction"),
}


def _export_pdf(
    rows: list[Any], out: Path, title: str, include_restricted: bool, store: Any, operation: str
) -> Any:
    """The records as a printable report; the heading of each names its status, its author
    (from the roster) and when it last changed, in the reader's language."""
    import dataclasses
    import datetime as dt

    from babel.dates import format_datetime

    from forms.exporting import ExportSummary
    from locales import babel_locale
    from sync.store.clock import parse_hlc

    if _pdf_writer is None:
        raise CordonError(
            _("PDF reports are rendered by the cordon application; use `cordon export`.")
        )
    names = {m.device_id: m.name for m in store.operations.members(operation)}
    kept = []
    for row in rows:
        if row.restricted and not include_restricted:
            continue
        status, author, updated = (row.meta.get(k) for k in ("status", "author", "updated"))
        try:
            when = dt.datetime.fromtimestamp(parse_hlc(updated)[0] / 1000, dt.UTC).astimezone()
            changed = format_datetime(when, "medium", locale=babel_locale())
        except (TypeError, ValueError):
            changed = ""
        meta = {
            _("Status"): _(STATUS_LABELS[status]) if status in STATUS_LABELS else status,
            _("Author"): names.get(author, author),
            _("Last change"): changed,
        }
        kept.append(dataclasses.replace(row, meta=meta))
    left_out = len(rows) - len(kept)
    _pdf_writer(kept, out, title=title, left_out=left_out)
    return ExportSummary(out, "pdf", len(kept), left_out)
