"""Profile commands: ``cordon init``, ``whoami``, ``passwd`` and ``audit`` (see docs/cli.md)."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from locales import _
from sync.cli.output import emit, table
from sync.cli.passphrase import read_new_passphrase, read_passphrase
from sync.errors import CordonError, UsageError
from sync.store import profile as profiles


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    init = subparsers.add_parser(
        "init", parents=[common], help=_("create your identity and encrypted store")
    )
    init.add_argument("--name", required=True, help=_("your name, as others will see it"))
    init.add_argument("--agency", required=True, help=_("your agency (e.g. French Customs)"))
    init.add_argument(
        "--country", required=True, metavar="CC", help=_("your country, ISO 3166 alpha-2 code")
    )
    init.set_defaults(handler=cmd_init)

    whoami = subparsers.add_parser("whoami", parents=[common], help=_("show your identity"))
    whoami.set_defaults(handler=cmd_whoami)

    passwd = subparsers.add_parser("passwd", parents=[common], help=_("change your passphrase"))
    passwd.set_defaults(handler=cmd_passwd)

    audit = subparsers.add_parser(
        "audit", parents=[common], help=_("show and verify the local audit log")
    )
    audit.add_argument("operation", nargs="?", metavar="OP", help=_("only this operation"))
    audit.set_defaults(handler=cmd_audit)


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code in upper case; ``UsageError`` when it is not one."""
    import pycountry

    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise UsageError(
            _(
                "{value} is not an ISO 3166 two-letter country code (for example FR, NG, BR)."
            ).format(value=value)
        )
    return code


def _identity(profile: profiles.Profile) -> dict[str, Any]:
    return {
        "device_id": profile.device_id,
        "name": profile.name,
        "agency": profile.agency,
        "country": profile.country,
        "fingerprint": profile.fingerprint,
        "home": str(profile.paths.home),
    }


def _require_profile(home: str) -> None:
    if not profiles.exists(home):
        raise CordonError(
            _("There is no profile in {home}; create one with `cordon init`.").format(home=home)
        )


def cmd_init(args: argparse.Namespace) -> int:
    country = country_code(args.country)
    if not args.name.strip():
        raise UsageError(_("--name must not be empty."))
    if profiles.exists(args.home):
        raise CordonError(
            _("A profile already exists in {home}; nothing was changed.").format(home=args.home)
        )
    passphrase = read_passphrase(args.passphrase_file, confirm=True)
    with contextlib.closing(
        profiles.create(args.home, passphrase, args.name, args.agency, country)
    ) as profile:
        result = _identity(profile)
    emit(result, args.json, _human_created)
    return 0


def _human_created(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            _("Profile created in {home}.").format(home=result["home"]),
            _("Device id:   {device_id}").format(device_id=result["device_id"]),
            _("Fingerprint: {fingerprint}").format(fingerprint=result["fingerprint"]),
        ]
    )


def cmd_whoami(args: argparse.Namespace) -> int:
    _require_profile(args.home)
    with contextlib.closing(profiles.unlock(args.home, read_passphrase(args.passphrase_file))) as p:
        result = _identity(p)
    emit(result, args.json, _human_identity)
    return 0


def _human_identity(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            _("Name:        {name}").format(name=result["name"]),
            _("Agency:      {agency}").format(agency=result["agency"]),
            _("Country:     {country}").format(country=result["country"]),
            _("Device id:   {device_id}").format(device_id=result["device_id"]),
            _("Fingerprint: {fingerprint}").format(fingerprint=result["fingerprint"]),
        ]
    )


def cmd_passwd(args: argparse.Namespace) -> int:
    _require_profile(args.home)
    old = read_passphrase(args.passphrase_file)
    new = read_new_passphrase()
    profiles.change_passphrase(args.home, old, new)
    emit({"ok": True}, args.json, lambda _r: _("Passphrase changed."))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    _require_profile(args.home)
    with contextlib.closing(profiles.unlock(args.home, read_passphrase(args.passphrase_file))) as p:
        verification = p.store.audit.verify()
        entries = p.store.audit.entries(args.operation)
    rows = [
        {
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "object": e.object,
            "operation_id": e.operation_id,
        }
        for e in entries
    ]
    if args.json:
        emit(rows, True)
    else:
        if rows:
            print(table(rows, ["seq", "at", "actor", "action", "object", "operation_id"]))
        if verification.ok:
            print(
                _("The audit chain is intact ({count} entries verified).").format(
                    count=verification.count
                )
            )
    if not verification.ok:
        raise CordonError(
            _("The audit log has been tampered with: the chain breaks at entry {seq}.").format(
                seq=verification.first_bad_seq
            )
        )
    return 0
