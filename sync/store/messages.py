"""Messages: to the whole operation, alerts, and direct messages to one participant."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sync.store import audit
from sync.store.clock import utc_now
from sync.store.ids import new_id

if TYPE_CHECKING:
    from sync.store.db import Store

KINDS = ("operation", "alert", "direct")


@dataclass(frozen=True)
class Message:
    operation_id: str
    message_id: str
    kind: str
    author: str
    recipient: str | None
    subject: str
    body: str
    sent_hlc: str
    received_at: str
    read: bool


@dataclass(frozen=True)
class UnreadAlert:
    """An unread alert with the names a person reads it by."""

    operation_id: str
    operation_name: str
    message_id: str
    subject: str
    author_name: str  # the member's name, or the device id when not in the roster


_COLUMNS = (
    "operation_id, message_id, kind, author, recipient, subject, body, sent_hlc, received_at, read"
)


class Messages:
    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        operation_id: str,
        author: str,
        subject: str,
        body: str,
        sent_hlc: str,
        *,
        kind: str = "operation",
        recipient: str | None = None,
        message_id: str | None = None,
        read: bool = False,
    ) -> Message | None:
        """Store a message; returns None when ``message_id`` is already there (a duplicate)."""
        if kind not in KINDS:
            raise ValueError(f"unknown message kind {kind!r}")
        if (kind == "direct") != (recipient is not None):
            raise ValueError("a direct message has exactly one recipient")
        message = Message(
            operation_id,
            message_id or new_id(),
            kind,
            author,
            recipient,
            subject,
            body,
            sent_hlc,
            utc_now(),
            read,
        )
        with self._store.transaction():
            cursor = self._store.execute(
                f"INSERT INTO messages ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
                "ON CONFLICT (operation_id, message_id) DO NOTHING",
                (
                    message.operation_id,
                    message.message_id,
                    message.kind,
                    message.author,
                    message.recipient,
                    message.subject,
                    message.body,
                    message.sent_hlc,
                    message.received_at,
                    int(message.read),
                ),
            )
            if cursor.rowcount:
                self._store.audit.append(audit.COLLECTION, message.message_id, operation_id)
        return message if cursor.rowcount else None

    def get(self, operation_id: str, message_id: str) -> Message | None:
        row = self._store.query_one(
            f"SELECT {_COLUMNS} FROM messages WHERE operation_id = ? AND message_id = ?",  # noqa: S608
            (operation_id, message_id),
        )
        return None if row is None else _message(row)

    def list(
        self,
        operation_id: str,
        *,
        kind: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Message]:
        """Messages newest first."""
        sql = f"SELECT {_COLUMNS} FROM messages WHERE operation_id = ?"  # noqa: S608
        params: tuple[Any, ...] = (operation_id,)
        if kind is not None:
            sql += " AND kind = ?"
            params += (kind,)
        sql += " ORDER BY sent_hlc DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += (limit, offset)
        return [_message(row) for row in self._store.query(sql, params)]

    def mark_read(self, operation_id: str, message_id: str) -> None:
        self._store.execute(
            "UPDATE messages SET read = 1 WHERE operation_id = ? AND message_id = ?",
            (operation_id, message_id),
        )

    def mark_read_many(self, operation_id: str, message_ids: Iterable[str]) -> int:
        """Mark messages read in one transaction; returns how many were named."""
        count = 0
        with self._store.transaction():
            for message_id in message_ids:
                self.mark_read(operation_id, message_id)
                count += 1
        return count

    def unread_by_operation(self, kind: str | None = None) -> dict[str, int]:
        """Unread messages (of one ``kind``, or all) per operation."""
        sql = "SELECT operation_id, count(*) FROM messages WHERE read = 0"
        params: tuple[Any, ...] = ()
        if kind is not None:
            sql += " AND kind = ?"
            params = (kind,)
        return {str(op): int(n) for op, n in self._store.query(sql + " GROUP BY 1", params)}

    def unread_alerts(self, me: str, limit: int = 20) -> builtins.list[UnreadAlert]:
        """Newest unread alerts written by others than ``me``, across operations."""
        rows = self._store.query(
            "SELECT m.operation_id, o.name, m.message_id, m.subject, coalesce(p.name, m.author) "
            "FROM messages m JOIN operations o ON o.operation_id = m.operation_id "
            "LEFT JOIN members p ON p.operation_id = m.operation_id AND p.device_id = m.author "
            "WHERE m.kind = 'alert' AND m.read = 0 AND m.author != ? "
            "ORDER BY m.sent_hlc DESC LIMIT ?",
            (me, limit),
        )
        return [UnreadAlert(str(a), str(b), str(c), str(d), str(e)) for a, b, c, d, e in rows]

    def unread_count(self, operation_id: str) -> int:
        row = self._store.query_one(
            "SELECT count(*) FROM messages WHERE operation_id = ? AND read = 0", (operation_id,)
        )
        return int(row[0]) if row else 0

    def delete(self, operation_id: str, message_id: str) -> bool:
        with self._store.transaction():
            cursor = self._store.execute(
                "DELETE FROM messages WHERE operation_id = ? AND message_id = ?",
                (operation_id, message_id),
            )
            if cursor.rowcount:
                self._store.audit.append(audit.ERASURE, message_id, operation_id)
        return bool(cursor.rowcount)


def _message(row: tuple[Any, ...]) -> Message:
    return Message(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], bool(row[9])
    )
