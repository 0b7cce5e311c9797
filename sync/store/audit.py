"""The local audit log: append-only and hash-chained.

Each entry holds the hash of the one before it and its own hash over its content and that
link, so editing, deleting or reordering past entries breaks the chain; the head (last sequence
number and hash) is kept beside the log, so cutting entries off the end is detected too.
Triggers refuse UPDATE and DELETE on the table; ``verify`` catches what gets around them.

What is logged follows the EU Law Enforcement Directive, art. 25: collection, alteration,
consultation, disclosure (including transfers and exports), combination and erasure, plus
profile events (creation, unlock, passphrase change). The ``object`` is an id, never case data:
``append`` refuses anything that is not an identifier.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sync.store.clock import utc_now

if TYPE_CHECKING:
    from sync.store.db import Store

GENESIS = bytes(32)
_HEAD_KEY = "audit.head"
_ID = re.compile(r"^[A-Za-z0-9:._\-]{0,200}$")

# Actions (LED art. 25 vocabulary, plus profile events).
COLLECTION = "collection"  # a record, message or library item entered or received
ALTERATION = "alteration"  # a record changed
CONSULTATION = "consultation"  # a record or item viewed
DISCLOSURE = "disclosure"  # sent to others, exported, fetched to a file
COMBINATION = "combination"  # records linked or cross-matched
ERASURE = "erasure"  # deleted or purged
PROFILE_CREATED = "profile_created"
UNLOCK = "unlock"
PASSPHRASE_CHANGED = "passphrase_changed"  # noqa: S105 - an action name, not a secret
ADMISSION_UNVERIFIED = "admission_unverified"  # a device admitted without its fingerprint compared

ACTIONS = frozenset(
    {
        COLLECTION,
        ALTERATION,
        CONSULTATION,
        DISCLOSURE,
        COMBINATION,
        ERASURE,
        PROFILE_CREATED,
        UNLOCK,
        PASSPHRASE_CHANGED,
        ADMISSION_UNVERIFIED,
    }
)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    object: str
    operation_id: str | None
    prev_hash: bytes
    hash: bytes

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "object": self.object,
            "operation_id": self.operation_id,
        }


@dataclass(frozen=True)
class Verification:
    """Result of ``AuditLog.verify``: ``ok``, how many entries, and the first bad one."""

    ok: bool
    count: int
    first_bad_seq: int | None = None


def entry_hash(
    seq: int,
    at: str,
    actor: str,
    action: str,
    obj: str,
    operation_id: str | None,
    prev_hash: bytes,
) -> bytes:
    """SHA-256 over a canonical encoding of the entry and the previous entry's hash."""
    content = json.dumps(
        [seq, at, actor, action, obj, operation_id], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    return hashlib.sha256(b"cordon-audit-v1\x00" + prev_hash + content).digest()


class AuditLog:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.actor = "local"  # set to the device id once the profile is unlocked

    def append(self, action: str, obj: str = "", operation_id: str | None = None) -> AuditEntry:
        """Add one entry (in the caller's transaction, if any)."""
        return self.append_many([(action, obj, operation_id)])[0]

    def append_many(self, events: Sequence[tuple[str, str, str | None]]) -> list[AuditEntry]:
        """Add one entry per ``(action, object, operation_id)``, in order, chained in one
        pass: the same entries as ``append`` called for each, with one read of the head, one
        insert statement and one head update (in the caller's transaction, if any)."""
        for action, obj, operation_id in events:
            if action not in ACTIONS:
                raise ValueError(f"unknown audit action {action!r}")
            if not _ID.match(obj) or (operation_id is not None and not _ID.match(operation_id)):
                raise ValueError("audit objects are identifiers only, never case data")
        if not events:
            return []
        with self._store.transaction():
            last = self._store.query_one(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
            )
            seq, prev = (0, GENESIS) if last is None else (int(last[0]), bytes(last[1]))
            at = utc_now()
            added = []
            for action, obj, operation_id in events:
                seq += 1
                digest = entry_hash(seq, at, self.actor, action, obj, operation_id, prev)
                added.append(
                    AuditEntry(seq, at, self.actor, action, obj, operation_id, prev, digest)
                )
                prev = digest
            self._store.executemany(
                "INSERT INTO audit_log (seq, at, actor, action, object, operation_id, "
                "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (e.seq, e.at, e.actor, e.action, e.object, e.operation_id, e.prev_hash, e.hash)
                    for e in added
                ],
            )
            self._store.settings.set(_HEAD_KEY, {"seq": seq, "hash": prev.hex()})
        return added

    def entries(self, operation_id: str | None = None) -> list[AuditEntry]:
        """Entries in order; only those about ``operation_id`` when given."""
        sql = "SELECT seq, at, actor, action, object, operation_id, prev_hash, hash FROM audit_log"
        params: tuple[Any, ...] = ()
        if operation_id is not None:
            sql += " WHERE operation_id = ?"
            params = (operation_id,)
        rows = self._store.query(sql + " ORDER BY seq", params)
        return [_entry(row) for row in rows]

    def verify(self) -> Verification:
        """Walk the whole chain; any edit, deletion, insertion or reordering fails it."""
        prev = GENESIS
        expected_seq = 1
        count = 0
        for entry in self.entries():
            count += 1
            recomputed = entry_hash(
                entry.seq,
                entry.at,
                entry.actor,
                entry.action,
                entry.object,
                entry.operation_id,
                entry.prev_hash,
            )
            if (
                entry.seq != expected_seq
                or not hmac.compare_digest(entry.prev_hash, prev)
                or not hmac.compare_digest(entry.hash, recomputed)
            ):
                return Verification(False, count, entry.seq)
            prev = entry.hash
            expected_seq += 1
        head = self._store.settings.get(_HEAD_KEY)
        last_seq = expected_seq - 1
        if head is None:
            ok = last_seq == 0
        else:
            ok = head.get("seq") == last_seq and hmac.compare_digest(
                str(head.get("hash", "")), prev.hex() if last_seq else ""
            )
        return Verification(True, count) if ok else Verification(False, count, last_seq + 1)


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(
        int(row[0]),
        str(row[1]),
        str(row[2]),
        str(row[3]),
        str(row[4]),
        None if row[5] is None else str(row[5]),
        bytes(row[6]),
        bytes(row[7]),
    )
