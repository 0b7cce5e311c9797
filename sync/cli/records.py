"""Record commands: ``cordon record add|edit|show|list|submit|validate|return`` (docs/cli.md).

Values are checked by the operation's templates (``forms``): invalid data is refused with every
field error listed; quality warnings are reported but do not block saving."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from locales import _
from sync.cli.ops import session
from sync.cli.output import emit, table
from sync.client import state
from sync.client.local import LocalChanges
from sync.errors import CordonError, UsageError
from sync.store import audit


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    record = subparsers.add_parser("record", parents=[common], help=_("records of an operation"))
    sub = record.add_subparsers(dest="record_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", parents=[common], help=_("create a record"))
    add.add_argument("operation", metavar="OP")
    add.add_argument("--template", required=True, metavar="T")
    source = add.add_mutually_exclusive_group(required=True)
    source.add_argument("--set", action="append", metavar="FIELD=VALUE", dest="assignments")
    source.add_argument("--from-json", metavar="FILE")
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


def template_for(template_id: str, allowed: list[Any]) -> Any:
    from forms.registry import get_template

    if allowed and template_id not in [str(t) for t in allowed]:
        raise CordonError(
            _("Template {template} is not used in this operation.").format(template=template_id)
        )
    try:
        return get_template(template_id)
    except KeyError:
        raise CordonError(
            _("There is no template {template}.").format(template=template_id)
        ) from None


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


def _validate(template: Any, values: dict[str, Any], record_id: str | None = None) -> Any:
    from forms.validation import ValidationContext, validate_record

    result = validate_record(template, values, ValidationContext(record_id=record_id))
    if not result.ok:
        lines = [f"{e.field}: {e.message}" for e in result.errors]
        raise CordonError(
            _("The record was refused; fix these fields: {errors}").format(errors="; ".join(lines))
        )
    return result


def cmd_add(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        template = template_for(args.template, op.templates)
        result = _validate(template, _values(template, args.assignments, args.from_json))
        changes = LocalChanges(engine.profile, op.operation_id)
        (record_id,) = changes.add_records(
            template.id, int(template.version), [result.values], "draft"
        )
    warnings = [w.to_dict() for w in result.warnings]
    emit({"record_id": record_id, "warnings": warnings}, args.json)
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        record = _record(engine, op.operation_id, args.record)
        template = template_for(record.template_id, [])
        changes_in = _values(template, args.assignments, None)
        merged = {**record.fields, **changes_in}
        result = _validate(template, merged, record.record_id)
        changes = {k: result.values.get(k) for k in changes_in}
        revision = LocalChanges(engine.profile, op.operation_id).revise(record.record_id, changes)
    emit({"record_id": record.record_id, "revision": revision}, args.json)
    return 0


def _record(engine: Any, operation_id: str, record_id: str) -> Any:
    text = record_id.strip().lower()
    record = engine.store.records.get(operation_id, text)
    if record is None and len(text) >= 6:
        rows = engine.store.query(
            "SELECT record_id FROM records WHERE operation_id = ? AND record_id LIKE ? LIMIT 2",
            (operation_id, text + "%"),
        )
        if len(rows) == 1:
            record = engine.store.records.get(operation_id, rows[0][0])
    if record is None:
        raise CordonError(_("There is no record {id} in this operation.").format(id=record_id))
    return record


def cmd_show(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        record = _record(engine, op.operation_id, args.record)
        rows = engine.store.query(
            "SELECT revision, revision_id, author, hlc, status, changes, comment, conflict "
            "FROM record_revisions WHERE operation_id = ? AND record_id = ? ORDER BY hlc, revision",
            (op.operation_id, record.record_id),
        )
        engine.store.audit.append(audit.CONSULTATION, record.record_id, op.operation_id)
    history = [
        {
            "revision": int(r[0]),
            "revision_id": r[1],
            "author": r[2],
            "hlc": r[3],
            "status": r[4],
            "changes": json.loads(r[5]),
            "comment": r[6],
            "conflict": bool(r[7]),
        }
        for r in rows
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
        records = engine.store.records.list(
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
        for r in records
    ]
    emit(
        rows,
        args.json,
        lambda r: table(r, ["record_id", "template", "status", "author", "updated"]),
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        record = _record(engine, op.operation_id, args.record)
        if args.new_status in ("validated", "returned") and op.role != "coordinator":
            raise CordonError(_("Only a coordinator can validate or return a record."))
        if (
            args.new_status == "submitted"
            and record.author != engine.profile.device_id
            and op.role != "coordinator"
        ):
            raise CordonError(_("Only the record's author can submit it."))
        LocalChanges(engine.profile, op.operation_id).revise(
            record.record_id, {}, status=args.new_status, comment=args.comment
        )
    emit({"record_id": record.record_id, "status": args.new_status}, args.json)
    return 0
