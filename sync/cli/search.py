"""``cordon search OP QUERY``: full-text search across records, messages and library."""

from __future__ import annotations

import argparse
from typing import Any

from locales import _
from sync.cli.ops import session
from sync.cli.output import emit, table
from sync.client import state


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    search = subparsers.add_parser("search", parents=[common], help=_("full-text search"))
    search.add_argument("operation", metavar="OP")
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--limit", type=int, default=50, metavar="N")
    search.set_defaults(handler=cmd_search)


def cmd_search(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        hits = engine.store.search(args.query, op.operation_id, limit=max(1, args.limit))
    rows = [{"kind": h.kind, "id": h.id, "snippet": h.snippet} for h in hits]
    emit(rows, args.json, lambda r: table(r, ["kind", "id", "snippet"]))
    return 0
