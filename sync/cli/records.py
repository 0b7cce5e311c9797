"""Record commands: ``cordon record add|edit|show|list|submit|validate|return`` (docs/cli.md).

The rules are ``sync.services.records``'s (the window follows the same): values are checked by
the operation's templates, invalid data is refused with every field error listed, quality
warnings are reported but do not block saving; the status workflow is its one table."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from forms.model import Template
from locales import _
from sync.cli.ops import session
from sync.cli.output import emit, table
from sync.client import state
from sync.errors import CordonError, UsageError
from sync.services import records
from sync.store.operations import Operation


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    record = subparsers.add_parser("record", parents=[common], help=_("records of an operation"))
    sub = record.add_subparsers(dest="record_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", parents=[common], help=_("create a record"))
    add.add_argument("operation", metavar="OP")
    add.add_argument("--template", required=True, metavar="T")
    source = add.add_mutually_exclusive_group(required=True)
    source.add_argument("--set", action="append", metavar="FIELD=VALUE", dest="assignments")
    source.add_argument("--from-json", metavar="FILE")
    add.add_argument(
        "--draft",
        action="store_true",
        help=_("keep it as a draft on this device until `record submit` (nobody else sees it)"),
    )
    add.set_defaults(handler=cmd_add)

    edit = sub.add_parser("edit", parents=[common], help=_("change a record"))
    edit.add_argument("operation", metavar="OP")
    edit.add_argument("record", metavar="RID")
    edit.add_argument(
        "--set", action="append", required=True, metavar="FIELD=VALUE", dest="assignments"
    )
    edit.set_defaults(handler=cmd_edit)

    show = sub.add_parser("show", parents=[common], help=_("one record with its history"))
    show.add_argument("operation", metavar="OP")
    show.add_argument("record", metavar="RID")
    show.set_defaults(handler=cmd_show)

    listing = sub.add_parser("list", parents=[common], help=_("records"))
    listing.add_argument("operation", metavar="OP")
    listing.add_argument("--template", metavar="T")
    listing.add_argument("--status", metavar="S")
    listing.add_argument("--limit", type=int, metavar="N")
    listing.set_defaults(handler=cmd_list)

    for action, status, text in (
        ("submit", "submitted", _("submit a record for validation")),
        ("validate", "validated", _("validate a submitted record (coordinators)")),
        ("return", "returned", _("return a record for correction (coordinators)")),
    ):
        step = sub.add_parser(action, parents=[common], help=text)
        step.add_argument("operation", metavar="OP")
        step.add_argument("record", metavar="RID")
        step.add_argument("--comment", metavar="C")
        step.set_defaults(handler=cmd_status, new_status=status)


def template_for(template_id: str, op: Operation, *, in_use: bool = True) -> Template:
    """The operation's template ``template_id`` (see ``sync.services.records.template_for``)."""
    return records.template_for(op, template_id, in_use=in_use)


def _values(template: Any, assignments: list[str] | None, json_file: str | None) -> dict[str, Any]:
    from forms.records import (
        AssignmentError,
        load_values_json,
        parse_assignments,
    )

    try:
        if json_file:
            values: dict[str, Any] = load_values_json(Path(json_file))
            return values
        parsed: dict[str, Any] = parse_assignments(template, assignments or [])
        return parsed
    except AssignmentError as exc:
        raise UsageError(
            _("{argument} does not name a field of this template.").format(argument=exc)
        ) from None
    except (OSError, ValueError) as exc:
        raise CordonError(_("The values could not be read: {reason}").format(reason=exc)) from None


def cmd_add(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        template = records.template_for(op, args.template)
        values = _values(template, args.assignments, args.from_json)
        status = "draft" if args.draft else "submitted"
        saved = records.add(engine.profile, op.operation_id, template.id, values, status)
    warnings = [w.to_dict() for w in saved.warnings]
    emit({"record_id": saved.record_id, "warnings": warnings}, args.json)
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        record = records.find(engine.store, op.operation_id, args.record)
        template = records.template_for(op, record.template_id, in_use=False)
        changes = _values(template, args.assignments, None)
        saved = records.edit(engine.profile, op.operation_id, record.record_id, changes)
    emit({"record_id": saved.record_id, "revision": saved.revision}, args.json)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with session(args) as engine:
        record, revisions = records.show(engine.profile, args.operation, args.record)
    history = [
        {
            "revision": r.revision,
            "revision_id": r.revision_id,
            "author": r.author,
            "hlc": r.hlc,
            "status": r.status,
            "changes": r.changes,
            "comment": r.comment,
            "conflict": r.conflict,
        }
        for r in revisions
    ]
    result = {
        "record_id": record.record_id,
        "template": record.template_id,
        "template_version": record.template_version,
        "fields": record.fields,
        "status": record.status,
        "author": record.author,
        "revision": record.revision,
        "updated": record.updated_hlc,
        "conflict": any(h["conflict"] for h in history),
        "history": history,
    }
    emit(result, args.json, _human_record)
    return 0


def _human_record(result: dict[str, Any]) -> str:
    lines = [
        _("Record {id} ({template}), {status}, by {author}").format(
            id=result["record_id"],
            template=result["template"],
            status=result["status"],
            author=result["author"],
        )
    ]
    for name, value in result["fields"].items():
        lines.append(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    lines.append(_("History:"))
    for h in result["history"]:
        mark = _(" (conflict)") if h["conflict"] else ""
        lines.append(
            f"  {h['revision']}  {h['hlc']}  {h['author'][:12]}  "
            f"{json.dumps(h['changes'], ensure_ascii=False)}{mark}"
        )
    return "\n".join(lines)


def cmd_list(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        found = engine.store.records.list(
            op.operation_id, template_id=args.template, status=args.status, limit=args.limit
        )
    rows = [
        {
            "record_id": r.record_id,
            "template": r.template_id,
            "status": r.status,
            "author": r.author,
            "updated": r.updated_hlc,
        }
        for r in found
    ]
    emit(
        rows,
        args.json,
        lambda r: table(r, ["record_id", "template", "status", "author", "updated"]),
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with session(args) as engine:
        saved = records.transition(
            engine.profile, args.operation, args.record, args.new_status, args.comment
        )
    emit({"record_id": saved.record_id, "status": args.new_status}, args.json)
    return 0
