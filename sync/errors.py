"""Errors that reach a person: each carries one clear, translatable sentence and no secrets."""

from __future__ import annotations


class CordonError(Exception):
    """A refused or failed action. ``str(error)`` is the sentence shown to the user (CLI exit 1)."""


class UsageError(CordonError):
    """The command was called the wrong way (CLI exit 2)."""


class WrongPassphrase(CordonError):
    """The passphrase does not open the key file."""


class CorruptProfile(CordonError):
    """The key file or the database is damaged; it is left untouched."""


class ProtocolError(CordonError):
    """Bytes from outside (a package, a commit, a request) failed a check and were rejected."""
