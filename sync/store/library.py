"""The operation's library: documents and photos, each possibly kept locally as an attachment.

An item is known (title, size, hash) as soon as its package arrives; ``available`` says whether
its encrypted file is here yet (``attachment_id`` set) or still only on the relay (``blob_ref``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sync.store import audit
from sync.store.ids import new_id

if TYPE_CHECKING:
    from sync.store.db import Store


@dataclass(frozen=True)
class LibraryItem:
    operation_id: str
    item_id: str
    title: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    record_id: str | None
    author: str
    added_hlc: str
    attachment_id: str | None
    blob_ref: str | None
    blob_key: bytes | None

    @property
    def available(self) -> bool:
        return self.attachment_id is not None


_COLUMNS = (
    "operation_id, item_id, title, file_name, media_type, size, sha256, record_id, author, "
    "added_hlc, attachment_id, blob_ref, blob_key"
)


class Library:
    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        operation_id: str,
        title: str,
        size: int,
        sha256: str,
        author: str,
        added_hlc: str,
        *,
        item_id: str | None = None,
        file_name: str = "",
        media_type: str = "application/octet-stream",
        record_id: str | None = None,
        attachment_id: str | None = None,
        blob_ref: str | None = None,
        blob_key: bytes | None = None,
    ) -> LibraryItem | None:
        """Store an item; returns None when ``item_id`` is already there (a duplicate)."""
        item = LibraryItem(
            operation_id,
            item_id or new_id(),
            title,
            file_name,
            media_type,
            size,
            sha256,
            record_id,
            author,
            added_hlc,
            attachment_id,
            blob_ref,
            blob_key,
        )
        with self._store.transaction():
            cursor = self._store.execute(
                f"INSERT INTO library_items ({_COLUMNS}) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (operation_id, item_id) DO NOTHING",
                (
                    item.operation_id,
                    item.item_id,
                    item.title,
                    item.file_name,
                    item.media_type,
                    item.size,
                    item.sha256,
                    item.record_id,
                    item.author,
                    item.added_hlc,
                    item.attachment_id,
                    item.blob_ref,
                    item.blob_key,
                ),
            )
            if cursor.rowcount:
                self._store.audit.append(audit.COLLECTION, item.item_id, operation_id)
        return item if cursor.rowcount else None

    def get(self, operation_id: str, item_id: str) -> LibraryItem | None:
        row = self._store.query_one(
            f"SELECT {_COLUMNS} FROM library_items WHERE operation_id = ? AND item_id = ?",  # noqa: S608
            (operation_id, item_id),
        )
        return None if row is None else _item(row)

    def list(self, operation_id: str, *, record_id: str | None = None) -> list[LibraryItem]:
        sql = f"SELECT {_COLUMNS} FROM library_items WHERE operation_id = ?"  # noqa: S608
        params: tuple[Any, ...] = (operation_id,)
        if record_id is not None:
            sql += " AND record_id = ?"
            params += (record_id,)
        rows = self._store.query(sql + " ORDER BY added_hlc DESC, id DESC", params)
        return [_item(row) for row in rows]

    def set_attachment(self, operation_id: str, item_id: str, attachment_id: str | None) -> None:
        """Mark the item available locally (or not, with None)."""
        self._store.execute(
            "UPDATE library_items SET attachment_id = ? WHERE operation_id = ? AND item_id = ?",
            (attachment_id, operation_id, item_id),
        )

    def set_blob(self, operation_id: str, item_id: str, blob_ref: str, blob_key: bytes) -> None:
        self._store.execute(
            "UPDATE library_items SET blob_ref = ?, blob_key = ? "
            "WHERE operation_id = ? AND item_id = ?",
            (blob_ref, blob_key, operation_id, item_id),
        )

    def delete(self, operation_id: str, item_id: str) -> bool:
        with self._store.transaction():
            cursor = self._store.execute(
                "DELETE FROM library_items WHERE operation_id = ? AND item_id = ?",
                (operation_id, item_id),
            )
            if cursor.rowcount:
                self._store.audit.append(audit.ERASURE, item_id, operation_id)
        return bool(cursor.rowcount)


def _item(row: tuple[Any, ...]) -> LibraryItem:
    return LibraryItem(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        int(row[5]),
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
        row[11],
        None if row[12] is None else bytes(row[12]),
    )
