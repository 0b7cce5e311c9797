"""``cordon templates list [OP]``: the templates Cordon ships, or those an operation uses."""

from __future__ import annotations

import argparse
from typing import Any

from locales import _
from sync.cli.output import emit, table
from sync.errors import CordonError


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    templates = subparsers.add_parser(
        "templates", parents=[common], help=_("list the record templates")
    )
    actions = templates.add_subparsers(dest="templates_action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", parents=[common], help=_("templates available (or those an operation uses)")
    )
    listing.add_argument("operation", nargs="?", metavar="OP", help=_("operation id"))
    listing.set_defaults(handler=list_templates)


def template_rows(template_set: Any = None) -> list[dict[str, Any]]:
    """Rows of id, version, title (translated) for shipped templates or an operation's set."""
    from forms.registry import list_templates as shipped

    templates = [use.template for use in template_set] if template_set is not None else shipped()
    return [{"id": t.id, "version": t.version, "title": _(t.title)} for t in templates]


def list_templates(args: argparse.Namespace) -> int:
    template_set = _operation_template_set(args) if args.operation else None
    rows = template_rows(template_set)
    emit(rows, args.json, lambda r: table(r, ["id", "version", "title"]))
    return 0


def _operation_template_set(args: argparse.Namespace) -> Any:
    """The template set stored with operation ``args.operation`` in the encrypted profile."""
    import contextlib

    from forms.model import TemplateError
    from forms.templateset import template_set_from_stored
    from sync.cli.passphrase import read_passphrase
    from sync.store import profile as profiles

    if not profiles.exists(args.home):
        raise CordonError(
            _("There is no profile in {home}; create one with `cordon init`.").format(
                home=args.home
            )
        )
    passphrase = read_passphrase(args.passphrase_file)
    with contextlib.closing(profiles.unlock(args.home, passphrase)) as profile:
        operation = profile.store.operations.get(args.operation)
    if operation is None:
        raise CordonError(
            _("There is no operation {op} in this profile.").format(op=args.operation)
        )
    try:
        return template_set_from_stored(operation.templates)
    except TemplateError:
        raise CordonError(
            _("The template set of operation {op} is missing or damaged.").format(op=args.operation)
        ) from None
