"""``cordon import`` and ``cordon export``: bulk records through the forms API (xlsx, csv, xml).

Imported records become local changes like any other (several per package); both directions
are audit-logged. Records with handling code H2 or H3 are exported only with
``--include-restricted``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from locales import _
from sync.cli.ops import session
from sync.cli.output import emit
from sync.cli.records import template_for
from sync.client import state
from sync.client.local import LocalChanges
from sync.errors import CordonError, UsageError
from sync.store import audit

RECORDS_PER_PACKAGE = 100


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
    exp.add_argument("--format", required=True, choices=("xlsx", "csv", "xml"))
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
        template = template_for(args.template, op.templates)
        changes = None if args.dry_run else LocalChanges(engine.profile, op.operation_id)
        try:
            mapping = ColumnMapping.load(Path(args.mapping)) if args.mapping else None
            report = import_file(args.file, template, mapping, dry_run=args.dry_run)
        except (ImportFileError, OSError, ValueError) as exc:
            raise CordonError(str(exc)) from exc
        ids: list[str] = []
        if changes is not None and not report.refused_rows:
            rows = [r.values for r in report.records]
            for start in range(0, len(rows), RECORDS_PER_PACKAGE):
                ids += changes.add_records(
                    template.id,
                    int(template.version),
                    rows[start : start + RECORDS_PER_PACKAGE],
                    "draft",
                    audit_each=False,
                )
            engine.store.audit.append(audit.COLLECTION, f"import:{len(ids)}", op.operation_id)
    result = {
        "imported": len(ids),
        "rejected": [r.to_dict() for r in report.refused],
        "rows": report.rows,
        "dry_run": bool(args.dry_run),
    }
    emit(result, args.json)
    return 1 if report.refused_rows and not args.dry_run else 0


def cmd_export(args: argparse.Namespace) -> int:
    from forms.exporting.core import ExportRecord, export_records

    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        records = engine.store.records.list(op.operation_id, template_id=args.template)
        cache: dict[str, Any] = {}
        rows = []
        for r in records:
            if r.template_id not in cache:
                cache[r.template_id] = template_for(r.template_id, [])
            rows.append(
                ExportRecord(
                    r.record_id,
                    cache[r.template_id],
                    r.fields,
                    {"status": r.status, "author": r.author, "updated": r.updated_hlc},
                )
            )
        try:
            summary = export_records(
                rows,
                args.out,
                args.format,
                include_restricted=args.include_restricted,
                meta_columns=("status", "author", "updated"),
            )
        except (OSError, ValueError) as exc:
            raise UsageError(str(exc)) from exc
        engine.store.audit.append(audit.DISCLOSURE, f"export:{summary.records}", op.operation_id)
    emit(
        {
            "path": str(summary.path),
            "records": summary.records,
            "left_out_restricted": summary.left_out_restricted,
        },
        args.json,
    )
    return 0
