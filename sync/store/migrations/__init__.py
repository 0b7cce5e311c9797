"""Numbered schema migrations: ``NNNN_name.sql`` files applied in order, tracked by
``PRAGMA user_version``. Each runs in one transaction with the version bump, so a failed
migration leaves the previous version intact. Never edit a released migration; add one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from locales import _
from sync.errors import CordonError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def all_migrations() -> tuple[Migration, ...]:
    """Every migration shipped with this version of Cordon, in order (1, 2, ...)."""
    found = []
    for entry in resources.files(__name__).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("migrations must be numbered 1, 2, 3 ... without gaps")
    return tuple(found)


MIGRATIONS = all_migrations()
LATEST_VERSION = MIGRATIONS[-1].version


def user_version(conn: Any) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Any, target: int = LATEST_VERSION) -> list[int]:
    """Bring the database up to ``target``; returns the versions applied."""
    current = user_version(conn)
    if current > LATEST_VERSION:
        raise CordonError(
            _(
                "This profile was written by a newer version of Cordon (schema {found}); "
                "update Cordon to open it."
            ).format(found=current)
        )
    applied = []
    for migration in MIGRATIONS:
        if current < migration.version <= target:
            apply(conn, migration)
            applied.append(migration.version)
    return applied


def apply(conn: Any, migration: Migration) -> None:
    """Run one migration and bump user_version in a single transaction."""
    script = (
        "BEGIN IMMEDIATE;\n"
        + migration.sql
        + f"\nPRAGMA user_version = {int(migration.version)};\nCOMMIT;\n"
    )
    try:
        conn.executescript(script)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
