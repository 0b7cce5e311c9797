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


def file_error_text(exc: OSError) -> str:
    """One sentence for a file that could not be opened, read or written (not "[Errno 2] ...")."""
    from locales import _

    path = str(exc.filename) if exc.filename is not None else ""
    if isinstance(exc, FileNotFoundError):
        return _("There is no file or folder {path}.").format(path=path)
    if isinstance(exc, IsADirectoryError):
        return _("{path} is a folder; give a file.").format(path=path)
    if isinstance(exc, PermissionError):
        return _("{path} cannot be used: permission denied.").format(path=path)
    reason = exc.strerror or type(exc).__name__
    if path:
        return _("{path} cannot be used: {reason}.").format(path=path, reason=reason)
    return _("A file could not be used: {reason}.").format(reason=reason)
