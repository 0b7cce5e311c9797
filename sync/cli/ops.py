"""Operation commands: ``cordon op create|list|invite|join|pending|admit|members|remove|role|
close`` (see docs/cli.md), and the session helper the other sync command modules share."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

from locales import _
from sync.cli.output import emit, table
from sync.cli.passphrase import read_passphrase
from sync.client import lifecycle, state
from sync.client.engine import Progress, SyncEngine
from sync.errors import CordonError, UsageError
from sync.services import roster
from sync.services.roles import ROLES
from sync.store import profile as profiles


@contextlib.contextmanager
def session(args: argparse.Namespace) -> Iterator[SyncEngine]:
    """Unlock the profile, shred closed operations past their retention, yield an engine."""
    if not profiles.exists(args.home):
        raise CordonError(
            _("There is no profile in {home}; create one with `cordon init`.").format(
                home=args.home
            )
        )
    with contextlib.closing(
        profiles.unlock(args.home, read_passphrase(args.passphrase_file))
    ) as profile:
        lifecycle.purge_expired(profile)
        yield SyncEngine(profile, progress=_progress if not args.json else None)


def _progress(event: Progress) -> None:
    if event.stage == "offline":
        print(_("The relay cannot be reached; retrying."), file=sys.stderr)


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    op = subparsers.add_parser("op", parents=[common], help=_("operations: create, join, members"))
    sub = op.add_subparsers(dest="op_command", metavar="ACTION", required=True)

    create = sub.add_parser("create", parents=[common], help=_("create an operation"))
    create.add_argument("--name", required=True, help=_("the operation's name"))
    create.add_argument("--relay", required=True, metavar="URL", help=_("the relay's URL"))
    create.add_argument("--templates", default="", metavar="T,...", help=_("template ids"))
    create.add_argument("--ends", metavar="DATE", help=_("planned end date (YYYY-MM-DD)"))
    create.set_defaults(handler=cmd_create)

    listing = sub.add_parser("list", parents=[common], help=_("operations in this profile"))
    listing.set_defaults(handler=cmd_list)

    invite = sub.add_parser("invite", parents=[common], help=_("a one-time invitation code"))
    invite.add_argument("operation", metavar="OP")
    invite.add_argument("--role", choices=ROLES, default="participant")
    invite.set_defaults(handler=cmd_invite)

    join = sub.add_parser("join", parents=[common], help=_("ask to join with an invitation"))
    join.add_argument("code", metavar="CODE")
    join.add_argument("--wait", type=float, default=0.0, metavar="S", help=_("wait S seconds"))
    join.set_defaults(handler=cmd_join)

    pending = sub.add_parser("pending", parents=[common], help=_("join requests to review"))
    pending.add_argument("operation", metavar="OP")
    pending.set_defaults(handler=cmd_pending)

    admit = sub.add_parser("admit", parents=[common], help=_("admit a requester (new epoch)"))
    admit.add_argument("operation", metavar="OP")
    admit.add_argument("device", metavar="DEVICE")
    admit.add_argument("--role", choices=ROLES, help=_("override the invitation's role"))
    check = admit.add_mutually_exclusive_group()
    check.add_argument(
        "--fingerprint",
        metavar="DIGITS",
        help=_("the fingerprint the person read out to you (required unless --unverified)"),
    )
    check.add_argument(
        "--unverified",
        action="store_true",
        help=_("admit without comparing the fingerprint (logged, and shown to every member)"),
    )
    admit.set_defaults(handler=cmd_admit)

    members = sub.add_parser("members", parents=[common], help=_("the roster"))
    members.add_argument("operation", metavar="OP")
    members.set_defaults(handler=cmd_members)

    remove = sub.add_parser("remove", parents=[common], help=_("remove a member (new epoch)"))
    remove.add_argument("operation", metavar="OP")
    remove.add_argument("device", metavar="DEVICE")
    remove.set_defaults(handler=cmd_remove)

    role = sub.add_parser("role", parents=[common], help=_("give a member another role"))
    role.add_argument("operation", metavar="OP")
    role.add_argument("device", metavar="DEVICE")
    role.add_argument("role", metavar="ROLE", choices=ROLES)
    role.set_defaults(handler=cmd_role)

    close = sub.add_parser("close", parents=[common], help=_("end the operation"))
    close.add_argument("operation", metavar="OP")
    close.add_argument(
        "--keep-days",
        type=int,
        metavar="N",
        help=_("every member keeps the read-only copy N days (default 30)"),
    )
    close.add_argument("--shred", action="store_true", help=_("erase the local copy now"))
    close.set_defaults(handler=cmd_close)


def cmd_create(args: argparse.Namespace) -> int:
    templates = [t.strip() for t in args.templates.split(",") if t.strip()]
    if args.ends:
        import datetime as dt

        try:
            dt.date.fromisoformat(args.ends)
        except ValueError:
            raise UsageError(_("--ends must be a date like 2027-03-31.")) from None
    if not args.name.strip():
        raise UsageError(_("--name must not be empty."))
    with session(args) as engine:
        op_id = lifecycle.create_operation(
            engine, args.name.strip(), args.relay, templates, args.ends
        )
    emit({"operation_id": op_id, "name": args.name.strip()}, args.json)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with session(args) as engine:
        rows = [
            {
                "operation_id": op.operation_id,
                "name": op.name,
                "role": op.role,
                "status": op.status,
                "epoch": op.current_epoch,
                "relay": op.relay_url,
            }
            for op in engine.store.operations.list()
        ]
    emit(rows, args.json, lambda r: table(r, ["operation_id", "name", "role", "status"]))
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    with session(args) as engine:
        code = lifecycle.invite(engine, args.operation, args.role)
    emit({"invite": code, "role": args.role}, args.json, lambda r: str(r["invite"]))
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op_id = lifecycle.join(engine, args.code)
        deadline = time.monotonic() + max(0.0, args.wait)
        active = False
        while True:
            active = lifecycle.try_activate(engine, op_id)
            if active or time.monotonic() >= deadline:
                break
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        op = state.require_operation(engine.store, op_id)
    emit({"operation_id": op_id, "status": op.status, "name": op.name}, args.json)
    return 0


def cmd_pending(args: argparse.Namespace) -> int:
    with session(args) as engine:
        rows = [r.as_dict() for r in lifecycle.pending(engine, args.operation)]
    emit(
        rows,
        args.json,
        lambda r: table(r, ["device_id", "name", "agency", "country", "fingerprint"]),
    )
    return 0


def cmd_admit(args: argparse.Namespace) -> int:
    if args.fingerprint is None and not args.unverified and sys.stdin.isatty():
        # A person at a terminal is asked for the digits; a script must say which it did.
        print(_("Fingerprint the person reads out to you: "), end="", file=sys.stderr, flush=True)
        args.fingerprint = sys.stdin.readline().strip() or None
    with session(args) as engine:
        epoch = roster.admit(
            engine,
            args.operation,
            args.device,
            args.role,
            fingerprint=args.fingerprint,
            unverified=args.unverified,
        )
    emit({"epoch": epoch}, args.json)
    return 0


def cmd_members(args: argparse.Namespace) -> int:
    with session(args) as engine:
        rows = lifecycle.members(engine.store, args.operation)
    emit(
        rows,
        args.json,
        lambda r: table(r, ["device_id", "name", "role", "status", "verified", "fingerprint"]),
    )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with session(args) as engine:
        epoch = lifecycle.remove(engine, args.operation, args.device)
    emit({"epoch": epoch}, args.json)
    return 0


def cmd_role(args: argparse.Namespace) -> int:
    with session(args) as engine:
        op = state.require_operation(engine.store, args.operation)
        member = roster.find_member(engine.store, op.operation_id, args.device)
        epoch = roster.change_role(engine, op.operation_id, member.device_id, args.role)
    emit({"device_id": member.device_id, "role": args.role, "epoch": epoch}, args.json)
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    if args.keep_days is not None and args.keep_days < 0:
        raise UsageError(_("--keep-days must be 0 or more."))
    with session(args) as engine:
        status = lifecycle.close(engine, args.operation, args.keep_days, args.shred)
    emit({"status": status}, args.json)
    return 0
