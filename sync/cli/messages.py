"""Message commands: ``cordon msg send|list`` (docs/cli.md)."""

from __future__ import annotations

import argparse
from typing import Any

from locales import _
from sync.cli.ops import session
from sync.cli.output import emit, table
from sync.client import state
from sync.client.local import LocalChanges
from sync.errors import CordonError


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    msg = subparsers.add_parser("msg", parents=[common], help=_("messages and alerts"))
    sub = msg.add_subparsers(dest="msg_command", metavar="ACTION", required=True)
    send = sub.add_parser("send", parents=[common], help=_("message the operation or one member"))
    send.add_argument("operation", metavar="OP")
    send.add_argument("--subject", required=True)
    send.add_argument("--body", required=True)
    send.add_argument("--to", metavar="DEVICE", help=_("one member only (sealed to that device)"))
    send.add_argument("--alert", action="store_true", help=_("send as an alert"))
    send.set_defaults(handler=cmd_send)
    listing = sub.add_parser("list", parents=[common], help=_("messages"))
    listing.add_argument("operation", metavar="OP")
    listing.set_defaults(handler=cmd_list)


def cmd_send(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        to = None
        if args.to:
            text = args.to.strip().lower()
            found = [
                m.device_id
                for m in engine.store.operations.members(op.operation_id, "active")
                if m.device_id == text or (len(text) >= 6 and m.device_id.startswith(text))
            ]
            if len(found) != 1:
                raise CordonError(_("No single member matches {device}.").format(device=args.to))
            to = found[0]
        message_id = LocalChanges(engine.profile, op.operation_id).send_message(
            args.subject, args.body, alert=args.alert, to=to
        )
    emit({"message_id": message_id}, args.json)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        messages = engine.store.messages.list(op.operation_id)
    rows = [
        {
            "message_id": m.message_id,
            "subject": m.subject,
            "body": m.body,
            "author": m.author,
            "recipient": m.recipient,
            "alert": m.kind == "alert",
            "direct": m.kind == "direct",
            "sent": m.sent_hlc,
        }
        for m in messages
    ]
    emit(rows, args.json, lambda r: table(r, ["message_id", "subject", "author", "alert", "sent"]))
    return 0
