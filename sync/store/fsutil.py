"""File-system helpers for the profile folder: private modes and atomic replacement."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def ensure_private_folder(path: Path) -> None:
    """Create ``path`` (and parents) if needed and make it readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    os.chmod(path, FOLDER_MODE)


def create_private_file(path: Path) -> None:
    """Create an empty file with mode 0600; refuses to replace an existing one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.close(fd)


def fsync_folder(path: Path) -> None:
    """Make a rename or creation in ``path`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some platforms and file systems refuse fsync on a folder
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a crash leaves either the old or the new file whole.

    Writes a temporary file beside it (mode 0600), fsyncs it, renames it over ``path`` and
    fsyncs the folder.
    """
    folder = path.parent
    tmp = folder / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_folder(folder)
