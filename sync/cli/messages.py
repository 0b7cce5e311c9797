"""Message commands: ``cordon msg send|list`` (docs/cli.md); the rules are
``sync.services.messages``'s."""

from __future__ import annotations

import argparse
from typing import Any

from locales import _
from sync.cli.ops import session
from sync.cli.output import emit, table
from sync.client import state
from sync.services import messages


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    msg = subparsers.add_parser("msg", parents=[common], help=_("messages and alerts"))
    sub = msg.add_subparsers(dest="msg_command", metavar="ACTION", required=True)
    send = sub.add_parser("send", parents=[common], help=_("message the operation or one member"))
    send.add_argument("operation", metavar="OP")
    send.add_argument("--subject", default="", help=_("required unless --reply-to is given"))
    send.add_argument("--body", required=True)
    send.add_argument(
        "--reply-to",
        metavar="MESSAGE",
        help=_("reply in the thread of this message (its subject and audience)"),
    )
    send.add_argument("--to", metavar="DEVICE", help=_("one member only (sealed to that device)"))
    send.add_argument("--alert", action="store_true", help=_("send as an alert"))
    send.set_defaults(handler=cmd_send)
    listing = sub.add_parser("list", parents=[common], help=_("messages"))
    listing.add_argument("operation", metavar="OP")
    listing.set_defaults(handler=cmd_list)


def cmd_send(args: argparse.Namespace) -> int:
    with session(args) as engine:
        message_id = messages.send(
            engine.profile,
            args.operation,
            args.subject,
            args.body,
            alert=args.alert,
            to=args.to,
            reply=args.reply_to,
        )
    emit({"message_id": message_id}, args.json)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        found = engine.store.messages.list(op.operation_id)
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
        for m in found
    ]
    emit(rows, args.json, lambda r: table(r, ["message_id", "subject", "author", "alert", "sent"]))
    return 0
