"""``cordon import`` and ``cordon export``: bulk records through the forms API (xlsx, csv, xml).

The rules are ``sync.services.imports``'s (the window's wizards follow the same): imported
records become local changes like any other (a hundred per package); both directions are
audit-logged. Records with handling code H2 or H3 are exported only with
``--include-restricted``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from locales import N_, _
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


def cmd_import(args: argparse.Namespace) -> int:
    from forms.importing import ColumnMapping, ImportFileError, import_file

    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        template = template_for(args.template, op)
        try:
            mapping = ColumnMapping.load(Path(args.mapping)) if args.mapping else None
            report = import_file(args.file, template, mapping, dry_run=args.dry_run)
        except OSError as exc:
            raise CordonError(file_error_text(exc)) from exc
        except (ImportFileError, ValueError) as exc:
            raise CordonError(str(exc)) from exc
        ids: list[str] = []
        if not args.dry_run and not report.refused_rows:
            rows = [r.values for r in report.records]
            ids = imports.store_rows(engine.profile, op.operation_id, template, rows)
    result = {
        "imported": len(ids),
        "rejected": [r.to_dict() for r in report.refused],
        "rows": report.rows,
        "dry_run": bool(args.dry_run),
    }
    emit(result, args.json)
    return 1 if report.refused_rows and not args.dry_run else 0


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
