"""What the sync engine keeps about an operation's commit chain: the epochs (each commit with
the secret this device got, if any) and the roster each commit brings; and what a removed
member wrote after its removal (to take it back out).

This is the one write path for epochs: a verified commit is kept by :meth:`Chain.add`, which
also brings the ``members`` table and the operation's row in line with the commit's roster,
inside the caller's transaction. ``sync.client.state`` verifies; this module only stores.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sync.store.clock import utc_now
from sync.store.operations import Member

if TYPE_CHECKING:
    from sync.store.db import Store


@dataclass(frozen=True)
class RosterEntry:
    """One member as a commit names it."""

    device_id: str
    public_key: bytes
    name: str
    role: str
    agency: str
    country: str


@dataclass(frozen=True)
class ChainEntry:
    """A verified commit to keep, with what it says about the operation."""

    operation_id: str
    epoch: int
    secret: bytes | None  # None when this device did not receive the epoch's secret
    commit_hash: bytes
    commit_blob: bytes
    roster: Sequence[RosterEntry]
    name: str
    ends_at: str | None
    templates: Sequence[str]
    coordinator: str | None  # the first coordinator in the roster
    my_role: str | None  # None when this device is not in the roster
    # False for an epoch this device holds no secret of (it was removed, or joined later): the
    # names and metadata stay sealed, only who is in and out is applied.
    opened: bool = True


@dataclass(frozen=True)
class HeldCommit:
    """A kept commit and the secret this device holds for its epoch (None if it has none)."""

    epoch: int
    commit_blob: bytes
    secret: bytes | None


class Chain:
    """The epochs and roster of operations, as commits bring them."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def commits(self, operation_id: str) -> list[HeldCommit]:
        """The operation's kept commits in epoch order."""
        rows = self._store.query(
            "SELECT epoch, secret, commit_blob FROM epochs "
            "WHERE operation_id = ? AND commit_blob IS NOT NULL ORDER BY epoch",
            (operation_id,),
        )
        return [
            HeldCommit(
                int(row[0]),
                bytes(row[2]),
                bytes(row[1]) if row[1] and len(row[1]) == 32 else None,
            )
            for row in rows
        ]

    def add(self, entry: ChainEntry) -> bool:
        """Keep a verified commit and apply its roster; False if its epoch was kept before
        (the roster is brought in line all the same)."""
        op = entry.operation_id
        store = self._store
        now = utc_now()
        with store.transaction():
            cursor = store.execute(
                "INSERT INTO epochs (operation_id, epoch, secret, commit_hash, commit_blob, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (op, entry.epoch, entry.secret or b"", entry.commit_hash, entry.commit_blob, now),
            )
            current = {m.device_id for m in entry.roster}
            for member in entry.roster if entry.opened else ():
                known = store.operations.member(op, member.device_id)
                store.operations.save_member(
                    Member(
                        op,
                        member.device_id,
                        member.public_key,
                        member.name,
                        member.role,
                        "active",
                        member.agency,
                        member.country,
                        known.joined_at if known and known.joined_at else now,
                        None,
                    )
                )
            for known in store.operations.members(op):
                if known.device_id not in current and known.status == "active":
                    store.execute(
                        "UPDATE members SET status = 'removed', removed_at = ? "
                        "WHERE operation_id = ? AND device_id = ?",
                        (now, op, known.device_id),
                    )
            standing = "active" if entry.my_role is not None else "removed"
            store.execute(
                "UPDATE operations SET current_epoch = max(current_epoch, ?), "
                "name = CASE WHEN ? THEN ? ELSE name END, "
                "ends_at = CASE WHEN ? THEN ? ELSE ends_at END, "
                "templates = CASE WHEN ? THEN ? ELSE templates END, "
                "coordinator = ?, role = coalesce(?, role), "
                "status = CASE WHEN ? = 'active' AND status IN ('pending', 'active', 'removed') "
                "THEN 'active' WHEN ? = 'removed' AND status = 'active' THEN 'removed' "
                "ELSE status END "
                "WHERE operation_id = ?",
                (
                    entry.epoch,
                    entry.opened,
                    entry.name,
                    entry.opened,
                    entry.ends_at,
                    entry.opened,
                    json.dumps(list(entry.templates), ensure_ascii=False),
                    entry.coordinator,
                    entry.my_role,
                    standing,
                    standing,
                    op,
                ),
            )
        return bool(cursor.rowcount)


@dataclass(frozen=True)
class WrittenAfter:
    """What a member wrote with a clock after a cut (its removal): the ids to take back out."""

    records: list[str]
    messages: list[str]
    library: list[str]

    @property
    def count(self) -> int:
        return len(self.records) + len(self.messages) + len(self.library)


def written_after(store: Store, operation_id: str, author: str, cut: str) -> WrittenAfter:
    """Records, messages and library items ``author`` wrote with a clock after ``cut`` (HLC
    text: ``format_hlc(ms, 9999, "z")`` cuts after millisecond ``ms``)."""
    params = (operation_id, author, cut)
    records = store.query(
        "SELECT record_id FROM records WHERE operation_id = ? AND author = ? AND created_hlc > ?",
        params,
    )
    messages = store.query(
        "SELECT message_id FROM messages WHERE operation_id = ? AND author = ? AND sent_hlc > ?",
        params,
    )
    library = store.query(
        "SELECT item_id FROM library_items WHERE operation_id = ? AND author = ? AND added_hlc > ?",
        params,
    )
    return WrittenAfter(
        [str(r[0]) for r in records], [str(r[0]) for r in messages], [str(r[0]) for r in library]
    )


STATUS_KEY = "@status"  # as sync.store.records keeps the status's clock in field_hlc


def take_back_revisions(store: Store, operation_id: str, author: str, cut: str) -> int:
    """Remove the revisions ``author`` made with a clock after ``cut`` to records that stay,
    and merge each such record again from the revisions that remain (per field, the latest
    clock wins, as when they were applied). Returns how many revisions were removed."""
    removed = 0
    affected = store.query(
        "SELECT DISTINCT record_id FROM record_revisions "
        "WHERE operation_id = ? AND author = ? AND hlc > ?",
        (operation_id, author, cut),
    )
    for (record_id,) in affected:
        cursor = store.execute(
            "DELETE FROM record_revisions "
            "WHERE operation_id = ? AND record_id = ? AND author = ? AND hlc > ?",
            (operation_id, record_id, author, cut),
        )
        removed += int(cursor.rowcount)
        rows = store.query(
            "SELECT revision, hlc, status, changes FROM record_revisions "
            "WHERE operation_id = ? AND record_id = ? ORDER BY hlc, revision",
            (operation_id, record_id),
        )
        if not rows:
            continue
        fields: dict[str, Any] = {}
        clocks: dict[str, str] = {}
        status = None
        for _revision, hlc, revision_status, changes in rows:
            for name, value in json.loads(changes).items():
                if hlc > clocks.get(name, ""):
                    clocks[name], fields[name] = hlc, value
            if revision_status is not None and hlc > clocks.get(STATUS_KEY, ""):
                clocks[STATUS_KEY], status = hlc, revision_status
        store.execute(
            "UPDATE records SET fields = ?, field_hlc = ?, status = coalesce(?, status), "
            "revision = ?, updated_hlc = ? WHERE operation_id = ? AND record_id = ?",
            (
                _dumps(fields),
                _dumps(clocks),
                status,
                max(int(r[0]) for r in rows),
                max(str(r[1]) for r in rows),
                operation_id,
                record_id,
            ),
        )
    return removed


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
