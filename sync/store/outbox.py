"""The outbox (changes waiting to be sent), inbox cursors and the applied-package set.

Every local change goes into its table and the outbox in one transaction, so a crash loses
nothing; ``package_id`` is the idempotency key on both sides: a receiver records each applied
package and skips it when it comes again (by relay and by file).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sync.store.clock import utc_now

if TYPE_CHECKING:
    from sync.store.db import Store


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    operation_id: str
    package_id: str
    kind: str
    payload: bytes
    created_at: str
    attempts: int
    last_error: str | None
    sent_at: str | None


_COLUMNS = "seq, operation_id, package_id, kind, payload, created_at, attempts, last_error, sent_at"


class Outbox:
    def __init__(self, store: Store) -> None:
        self._store = store

    def enqueue(self, operation_id: str, package_id: str, kind: str, payload: bytes) -> int:
        """Add a package to send; returns its sequence number (the same one if queued before)."""
        self._store.execute(
            "INSERT INTO outbox (operation_id, package_id, kind, payload, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (package_id) DO NOTHING",
            (operation_id, package_id, kind, payload, utc_now()),
        )
        row = self._store.query_one("SELECT seq FROM outbox WHERE package_id = ?", (package_id,))
        assert row is not None
        return int(row[0])

    def pending(self, operation_id: str | None = None, limit: int = 100) -> list[OutboxEntry]:
        """Unsent packages, oldest first."""
        sql = f"SELECT {_COLUMNS} FROM outbox WHERE sent_at IS NULL"  # noqa: S608
        params: tuple[Any, ...] = ()
        if operation_id is not None:
            sql += " AND operation_id = ?"
            params = (operation_id,)
        rows = self._store.query(sql + " ORDER BY seq LIMIT ?", (*params, limit))
        return [_entry(row) for row in rows]

    def unsent_counts(self) -> dict[str, int]:
        """Packages waiting to be sent, per operation."""
        rows = self._store.query(
            "SELECT operation_id, count(*) FROM outbox WHERE sent_at IS NULL GROUP BY 1"
        )
        return {str(op): int(n) for op, n in rows}

    def unsent_count(self) -> int:
        """Packages waiting to be sent, in every operation."""
        row = self._store.query_one("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        return int(row[0]) if row else 0

    def mark_sent(self, package_id: str) -> None:
        self._store.execute(
            "UPDATE outbox SET sent_at = ?, last_error = NULL WHERE package_id = ?",
            (utc_now(), package_id),
        )

    def set_aside(self, package_id: str, error: str) -> None:
        """A package the relay refuses for good (carried for a member removed meanwhile): it
        leaves the queue with the reason, so it no longer blocks what comes after it. The one
        failure path of the outbox."""
        self._store.execute(
            "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = ? "
            "WHERE package_id = ?",
            (utc_now(), error, package_id),
        )

    def prune_sent(self, operation_id: str) -> int:
        cursor = self._store.execute(
            "DELETE FROM outbox WHERE operation_id = ? AND sent_at IS NOT NULL", (operation_id,)
        )
        return int(cursor.rowcount)

    # -- sealing and carrying (the sync engine) -------------------------------------------

    def unsealed(self, operation_id: str, kind: str, limit: int) -> list[OutboxEntry]:
        """Queued changes of ``kind`` not yet sealed into a package, oldest first."""
        rows = self._store.query(
            f"SELECT {_COLUMNS} FROM outbox WHERE operation_id = ? AND kind = ? "  # noqa: S608
            "AND sent_at IS NULL ORDER BY seq LIMIT ?",
            (operation_id, kind, limit),
        )
        return [_entry(row) for row in rows]

    def seal(self, seq: int, package_id: str, kind: str, payload: bytes) -> None:
        """Replace a queued change by its sealed package (a retry sends the very same bytes)."""
        self._store.execute(
            "UPDATE outbox SET package_id = ?, kind = ?, payload = ? WHERE seq = ?",
            (package_id, kind, payload, seq),
        )

    def sealed_payloads(self, operation_id: str, unsealed_kind: str) -> list[bytes]:
        """Every sealed package held to send, sent or not (the package file export)."""
        rows = self._store.query(
            "SELECT payload FROM outbox WHERE operation_id = ? AND kind != ? ORDER BY seq",
            (operation_id, unsealed_kind),
        )
        return [bytes(row[0]) for row in rows]

    def applied_id(self, operation_id: str, sender: str, sender_seq: int) -> str | None:
        """The id of the package applied from ``sender`` with that sequence number, if any."""
        row = self._store.query_one(
            "SELECT package_id FROM applied_packages "
            "WHERE operation_id = ? AND sender = ? AND sender_seq = ?",
            (operation_id, sender, sender_seq),
        )
        return None if row is None else str(row[0])

    # -- inbox -----------------------------------------------------------------------------

    def cursor(self, operation_id: str, source: str) -> str | None:
        row = self._store.query_one(
            "SELECT cursor FROM inbox_cursors WHERE operation_id = ? AND source = ?",
            (operation_id, source),
        )
        return None if row is None else str(row[0])

    def set_cursor(self, operation_id: str, source: str, cursor: str) -> None:
        self._store.execute(
            "INSERT INTO inbox_cursors (operation_id, source, cursor, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (operation_id, source) "
            "DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
            (operation_id, source, cursor, utc_now()),
        )

    def is_applied(self, operation_id: str, package_id: str) -> bool:
        return (
            self._store.query_one(
                "SELECT 1 FROM applied_packages WHERE operation_id = ? AND package_id = ?",
                (operation_id, package_id),
            )
            is not None
        )

    def mark_applied(
        self, operation_id: str, package_id: str, sender: str, sender_seq: int
    ) -> bool:
        """Record an applied package (in the transaction that applied it); False if known."""
        cursor = self._store.execute(
            "INSERT INTO applied_packages (operation_id, package_id, sender, sender_seq, "
            "applied_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (operation_id, package_id, sender, sender_seq, utc_now()),
        )
        return bool(cursor.rowcount)

    def last_sender_seq(self, operation_id: str, sender: str) -> int:
        """The highest sequence number applied from ``sender`` (0 if none), to spot gaps."""
        row = self._store.query_one(
            "SELECT max(sender_seq) FROM applied_packages WHERE operation_id = ? AND sender = ?",
            (operation_id, sender),
        )
        return int(row[0]) if row and row[0] is not None else 0


def _entry(row: tuple[Any, ...]) -> OutboxEntry:
    return OutboxEntry(
        int(row[0]), row[1], row[2], row[3], bytes(row[4]), row[5], int(row[6]), row[7], row[8]
    )
