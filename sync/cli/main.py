"""Parser construction, dispatch and the error conventions of the ``cordon`` command.

Errors: one sentence on stderr, no traceback; exit 1 for a refused or failed action, 2 for a
usage mistake.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, NoReturn

from locales import _
from sync import __version__
from sync.errors import CordonError, UsageError, file_error_text

# Command groups, in the order `cordon --help` lists them. Each has register(subparsers, common).
COMMAND_MODULES: tuple[str, ...] = (
    "sync.cli.profile",
    "sync.cli.forms_cmds",
    "sync.cli.ops",
    "sync.cli.records",
    "sync.cli.bulk",
    "sync.cli.messages",
    "sync.cli.library",
    "sync.cli.search",
    "sync.cli.sync_cmds",
)

Launcher = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {message}\n")


def _add_globals(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """--home, --passphrase-file and --json, accepted before or after the command."""
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--home",
        default=default,
        help=_("profile folder (default: CORDON_HOME or the platform's user data folder)"),
    )
    parser.add_argument(
        "--passphrase-file",
        default=default,
        metavar="FILE",
        help=_("read the passphrase from FILE (else CORDON_PASSPHRASE, else a prompt)"),
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help=_("print the result as one JSON document"),
    )


def build_parser(extra_modules: Sequence[ModuleType] = ()) -> argparse.ArgumentParser:
    parser = _Parser(prog="cordon", description=_("Secure case exchange for joint operations."))
    parser.add_argument("--version", action="version", version=f"cordon {__version__}")
    _add_globals(parser, suppress=False)
    common = _Parser(add_help=False)
    _add_globals(common, suppress=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    modules = [importlib.import_module(name) for name in COMMAND_MODULES] + list(extra_modules)
    for module in modules:
        module.register(subparsers, common)
    return parser


def resolve_home(args: argparse.Namespace) -> str:
    """The profile folder: --home, else CORDON_HOME, else the platform's user data folder."""
    if getattr(args, "home", None):
        return str(args.home)
    env = os.environ.get("CORDON_HOME")
    if env:
        return env
    import platformdirs

    return platformdirs.user_data_dir("Cordon", "Cordon")


def main(
    argv: Sequence[str] | None = None,
    *,
    extra_modules: Sequence[ModuleType] = (),
    launch_gui: Launcher | None = None,
) -> int:
    import locales

    # Messages, help and reports in the user's language (CORDON_LANGUAGE, LANGUAGE, LC_*, LANG).
    locales.set_language(locales.language_from_environment())
    parser = build_parser(extra_modules)
    args = parser.parse_args(argv)
    args.home = resolve_home(args)
    try:
        if args.command is None:
            if launch_gui is None:
                raise UsageError(_("No command given; see `cordon --help`."))
            return launch_gui(args)
        handler: Callable[[argparse.Namespace], int | None] = args.handler
        return handler(args) or 0
    except UsageError as exc:
        print(f"cordon: {exc}", file=sys.stderr)
        return 2
    except CordonError as exc:
        print(f"cordon: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("cordon: interrupted."), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``cordon ... | head``): stop quietly, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:
        if isinstance(exc, OSError) and exc.filename is not None:
            # A file named on the command line: missing, a folder, or not readable.
            print(f"cordon: {file_error_text(exc)}", file=sys.stderr)
            return 1
        # A bug, not a refusal. The contract is one sentence and no traceback; the details (which
        # may quote case data) are shown only to someone who asks for them.
        if os.environ.get("CORDON_DEBUG"):
            raise
        print(
            _(
                "cordon: unexpected error ({kind}); run again with CORDON_DEBUG=1 for details."
            ).format(kind=type(exc).__name__),
            file=sys.stderr,
        )
        return 1
