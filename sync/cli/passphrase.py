"""Where the passphrase comes from: CORDON_PASSPHRASE, --passphrase-file, or a prompt."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from locales import _
from sync.errors import CordonError, UsageError


def read_passphrase(passphrase_file: str | None, *, confirm: bool = False) -> str:
    """The user's passphrase; a prompt asks twice when ``confirm`` (a new profile)."""
    env = os.environ.get("CORDON_PASSPHRASE")
    if env is not None:
        return env
    if passphrase_file:
        return _read_file(passphrase_file)
    return _prompt(_("Passphrase: "), confirm=confirm)


def read_new_passphrase() -> str:
    """The replacement passphrase for ``cordon passwd``: CORDON_NEW_PASSPHRASE or a prompt."""
    env = os.environ.get("CORDON_NEW_PASSPHRASE")
    if env is not None:
        return env
    return _prompt(_("New passphrase: "), confirm=True)


def _read_file(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CordonError(
            _("The passphrase file {path} could not be read: {reason}.").format(
                path=path, reason=exc.strerror or exc
            )
        ) from exc
    return text.rstrip("\r\n")


def _prompt(label: str, *, confirm: bool) -> str:
    if not sys.stdin.isatty():
        raise UsageError(_("No passphrase given: set CORDON_PASSPHRASE or use --passphrase-file."))
    first = getpass.getpass(label)
    if confirm:
        again = getpass.getpass(_("Repeat the passphrase: "))
        if again != first:
            raise CordonError(_("The two passphrases differ; nothing was changed."))
    return first
