"""Library commands: ``cordon library add|list|get`` (docs/cli.md); the rules are
``sync.services.library``'s."""

from __future__ import annotations

import argparse
from typing import Any

from locales import _
from sync.cli.ops import session
from sync.cli.output import emit, table
from sync.client import files, state
from sync.services import library


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    lib = subparsers.add_parser("library", parents=[common], help=_("documents and photos"))
    sub = lib.add_subparsers(dest="library_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", parents=[common], help=_("add a document or photo"))
    add.add_argument("operation", metavar="OP")
    add.add_argument("file", metavar="FILE")
    add.add_argument("--title", metavar="T")
    add.add_argument("--record", metavar="RID")
    add.set_defaults(handler=cmd_add)
    listing = sub.add_parser("list", parents=[common], help=_("the library"))
    listing.add_argument("operation", metavar="OP")
    listing.set_defaults(handler=cmd_list)
    get = sub.add_parser("get", parents=[common], help=_("fetch and decrypt an item"))
    get.add_argument("operation", metavar="OP")
    get.add_argument("item", metavar="ITEM")
    get.add_argument("--out", required=True, metavar="FILE")
    get.set_defaults(handler=cmd_get)


def cmd_add(args: argparse.Namespace) -> int:
    with session(args) as engine:
        item_id = library.add(engine.profile, args.operation, args.file, args.title, args.record)
    emit({"item_id": item_id}, args.json)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        items = engine.store.library.list(op.operation_id)
    rows = [
        {
            "item_id": i.item_id,
            "title": i.title,
            "size": i.size,
            "sha256": i.sha256,
            "available": i.available,
            "author": i.author,
            "record_id": i.record_id,
        }
        for i in items
    ]
    emit(rows, args.json, lambda r: table(r, ["item_id", "title", "size", "available"]))
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        item = library.find_item(engine.profile, op.operation_id, args.item)
        files.fetch_item(engine, op.operation_id, item)
        path = library.save_copy(engine.profile, op.operation_id, item.item_id, args.out)
    emit({"path": str(path), "item_id": item.item_id, "sha256": item.sha256}, args.json)
    return 0
