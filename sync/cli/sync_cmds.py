"""``cordon sync [OP] [--wait S]``, ``sync OP --export FILE`` and ``sync --import FILE``."""

from __future__ import annotations

import argparse
from typing import Any

from locales import _
from sync.cli.ops import session
from sync.cli.output import emit
from sync.client import files, state
from sync.client.engine import SyncReport
from sync.errors import CordonError, UsageError


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    sync = subparsers.add_parser("sync", parents=[common], help=_("exchange packages"))
    sync.add_argument("operation", nargs="?", metavar="OP")
    sync.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="S",
        help=_("keep retrying up to S seconds while the relay cannot be reached"),
    )
    sync.add_argument("--export", metavar="FILE", help=_("write packages to FILE to carry by hand"))
    sync.add_argument(
        "--import", dest="import_file", metavar="FILE", help=_("apply a package file")
    )
    sync.set_defaults(handler=cmd_sync)


def cmd_sync(args: argparse.Namespace) -> int:
    if args.export and args.import_file:
        raise UsageError(_("Use --export or --import, not both."))
    if args.export and not args.operation:
        raise UsageError(_("--export needs the operation."))
    with session(args) as engine:
        if args.export:
            op = state.require_operation(engine.store, args.operation)
            count = files.export_packages(engine, op.operation_id, args.export)
            emit({"packages": count, "path": args.export}, args.json)
            return 0
        if args.import_file:
            op_id, report = files.import_packages(engine, args.import_file)
            emit(
                {
                    "operation_id": op_id,
                    "applied": report.received,
                    "duplicates": report.duplicates,
                    "rejected": report.rejected,
                    "reasons": sorted(set(report.reasons)),
                },
                args.json,
            )
            return 0
        ops = (
            [state.require_operation(engine.store, args.operation)]
            if args.operation
            else [o for o in engine.store.operations.list() if o.status in ("active", "pending")]
        )
        total = SyncReport()
        per_op = []
        for op in ops:
            report = engine.sync(op.operation_id, wait=args.wait)
            total.add(report)
            per_op.append({"operation_id": op.operation_id, **report.as_dict()})
        if args.operation and per_op and per_op[0]["status"] == "removed":
            raise CordonError(_("This device is no longer a member of the operation."))
    result = {**total.as_dict(), "operations": per_op}
    if args.operation:
        result["status"] = per_op[0]["status"]
    emit(result, args.json)
    return 0
