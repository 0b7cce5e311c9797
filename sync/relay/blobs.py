"""Attachment blobs: metadata rows, bytes in sharded folders (SQLite) or chunk rows (PostgreSQL).

Blobs are ciphertext the client encrypted; the relay stores and serves byte ranges and nothing
else. An upload advances only by whole, verified PATCH requests, so the stored offset always
marks bytes that are on disk (fsynced) or committed in the database.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from sync.relay import schema as t
from sync.relay.store import RelayStore, StoreError

CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class BlobInfo:
    operation_id: bytes
    blob_id: str
    created_by: bytes
    length: int
    offset: int
    complete: bool
    sha256: bytes | None


def upload_hash(upload_token: str) -> bytes:
    return hashlib.sha256(b"cordon-upload\x00" + upload_token.encode("ascii")).digest()


class BlobStore:
    """Blob metadata in the database; bytes in ``root`` (files) or in ``blob_chunks`` rows."""

    def __init__(self, store: RelayStore, root: Path | None) -> None:
        self.store = store
        self.engine: Engine = store.engine
        self.root = root  # None: bytes live in the database (PostgreSQL mode)

    # --- metadata ---------------------------------------------------------------------------

    def create(
        self,
        operation_id: bytes,
        blob_id: str,
        token_hash: bytes,
        created_by: bytes,
        length: int,
        sha256: bytes | None,
        *,
        max_pending: int = 0,
        expiry_seconds: float = 0,
    ) -> None:
        """Register an upload and reserve its length against the operation's quota.

        The quota counts reservations, so that what is promised always fits. So that nobody
        can hold the quota with uploads never sent: uploads of this operation not finished
        ``expiry_seconds`` after their creation are dropped first (their reservation released),
        and one device's unfinished reservations may not pass ``max_pending`` bytes (0: no cap).
        """
        dropped: list[str] = []
        with self.engine.begin() as conn:
            if expiry_seconds > 0:
                dropped = self._drop_expired(conn, operation_id, time.time() - expiry_seconds)
            state = self.store.check_open(conn, operation_id)
            if max_pending > 0:
                pending = conn.execute(
                    select(func.coalesce(func.sum(t.blobs.c.length), 0)).where(
                        t.blobs.c.operation_id == operation_id,
                        t.blobs.c.created_by == created_by,
                        t.blobs.c.complete.is_(False),
                    )
                ).scalar_one()
                if int(pending) + length > max_pending:
                    raise StoreError(
                        429,
                        "pending_uploads",
                        "This device has too many unfinished uploads here; finish them first.",
                    )
            if state.used_bytes + length > state.quota_bytes:
                raise StoreError(
                    413, "quota_exceeded", "This operation has used its storage quota on the relay."
                )
            conn.execute(
                update(t.operations)
                .where(t.operations.c.id == operation_id)
                .values(used_bytes=t.operations.c.used_bytes + length)
            )
            conn.execute(
                t.blobs.insert().values(
                    operation_id=operation_id,
                    blob_id=blob_id,
                    upload_hash=token_hash,
                    created_by=created_by,
                    length=length,
                    offset=0,
                    complete=length == 0,
                    sha256=sha256,
                    created_at=time.time(),
                )
            )
        if self.root is not None:
            for old in dropped:
                self.path(operation_id, old).unlink(missing_ok=True)
            path = self.path(operation_id, blob_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()

    def _drop_expired(self, conn: Connection, operation_id: bytes, before: float) -> list[str]:
        """Delete the operation's unfinished uploads created before ``before`` and give their
        reservations back to the quota; returns their blob ids (files removed afterwards)."""
        rows = conn.execute(
            select(t.blobs.c.blob_id, t.blobs.c.length).where(
                t.blobs.c.operation_id == operation_id,
                t.blobs.c.complete.is_(False),
                t.blobs.c.created_at < before,
            )
        ).all()
        if not rows:
            return []
        ids = [str(row[0]) for row in rows]
        released = sum(int(row[1]) for row in rows)
        conn.execute(
            delete(t.blob_chunks).where(
                t.blob_chunks.c.operation_id == operation_id, t.blob_chunks.c.blob_id.in_(ids)
            )
        )
        conn.execute(
            delete(t.blobs).where(
                t.blobs.c.operation_id == operation_id, t.blobs.c.blob_id.in_(ids)
            )
        )
        conn.execute(
            update(t.operations)
            .where(t.operations.c.id == operation_id)
            .values(used_bytes=t.operations.c.used_bytes - released)
        )
        return ids

    def _info(self, row: Any) -> BlobInfo:
        sha = row[6]
        return BlobInfo(
            bytes(row[0]),
            str(row[1]),
            bytes(row[2]),
            int(row[3]),
            int(row[4]),
            bool(row[5]),
            bytes(sha) if sha is not None else None,
        )

    _columns = (
        t.blobs.c.operation_id,
        t.blobs.c.blob_id,
        t.blobs.c.created_by,
        t.blobs.c.length,
        t.blobs.c.offset,
        t.blobs.c.complete,
        t.blobs.c.sha256,
    )

    def by_upload(self, operation_id: bytes, token_hash: bytes) -> BlobInfo | None:
        with self.engine.connect() as conn:
            self.store.check_open(conn, operation_id)
            row = conn.execute(
                select(*self._columns).where(
                    t.blobs.c.operation_id == operation_id, t.blobs.c.upload_hash == token_hash
                )
            ).first()
            return None if row is None else self._info(row)

    def get(self, operation_id: bytes, blob_id: str) -> BlobInfo | None:
        with self.engine.connect() as conn:
            self.store.check_open(conn, operation_id)
            row = conn.execute(
                select(*self._columns).where(
                    t.blobs.c.operation_id == operation_id, t.blobs.c.blob_id == blob_id
                )
            ).first()
            return None if row is None else self._info(row)

    # --- bytes ------------------------------------------------------------------------------

    def path(self, operation_id: bytes, blob_id: str) -> Path:
        assert self.root is not None
        # Sharded: one folder per operation (deleted whole on close), 256 folders inside it.
        return self.root / operation_id.hex() / blob_id[:2] / blob_id

    def append(self, info: BlobInfo, data: IO[bytes], size: int) -> int:
        """Write ``size`` bytes of ``data`` at the current offset; returns the new offset."""
        new_offset = info.offset + size
        complete = new_offset == info.length
        if complete and info.sha256 is not None:
            digest = self._digest_with(info, data)
            if digest != info.sha256:
                raise StoreError(
                    400, "checksum_mismatch", "The uploaded bytes do not match their checksum."
                )
        data.seek(0)
        if self.root is not None:
            path = self.path(info.operation_id, info.blob_id)
            if not path.exists():  # the operation was closed meanwhile
                raise StoreError(410, "operation_closed", "This operation has been closed.")
            with open(path, "r+b") as handle:
                handle.seek(info.offset)
                handle.truncate(info.offset)
                shutil.copyfileobj(data, handle, CHUNK_BYTES)
                handle.flush()
                os.fsync(handle.fileno())
            with self.engine.begin() as conn:
                self._advance(conn, info, new_offset, complete)
            return new_offset
        with self.engine.begin() as conn:
            offset = info.offset
            while True:
                chunk = data.read(CHUNK_BYTES)
                if not chunk:
                    break
                conn.execute(
                    t.blob_chunks.insert().values(
                        operation_id=info.operation_id,
                        blob_id=info.blob_id,
                        offset=offset,
                        data=chunk,
                    )
                )
                offset += len(chunk)
            self._advance(conn, info, new_offset, complete)
        return new_offset

    def _advance(self, conn: object, info: BlobInfo, new_offset: int, complete: bool) -> None:
        from sqlalchemy import Connection

        assert isinstance(conn, Connection)
        self.store.check_open(conn, info.operation_id)
        result = conn.execute(
            update(t.blobs)
            .where(
                t.blobs.c.operation_id == info.operation_id,
                t.blobs.c.blob_id == info.blob_id,
                t.blobs.c.offset == info.offset,
            )
            .values(offset=new_offset, complete=complete)
        )
        if result.rowcount != 1:
            raise StoreError(409, "offset_mismatch", "The upload offset changed; ask for it again.")

    def _digest_with(self, info: BlobInfo, tail: IO[bytes]) -> bytes:
        digest = hashlib.sha256()
        for piece in self.read(info, 0, info.offset):
            digest.update(piece)
        tail.seek(0)
        while True:
            chunk = tail.read(CHUNK_BYTES)
            if not chunk:
                break
            digest.update(chunk)
        return digest.digest()

    def read(self, info: BlobInfo, start: int, end: int) -> Iterator[bytes]:
        """Bytes [start, end) of the blob, in pieces of at most a MiB."""
        if start >= end:
            return
        if self.root is not None:
            with open(self.path(info.operation_id, info.blob_id), "rb") as handle:
                handle.seek(start)
                remaining = end - start
                while remaining > 0:
                    piece = handle.read(min(CHUNK_BYTES, remaining))
                    if not piece:
                        return
                    remaining -= len(piece)
                    yield piece
            return
        with self.engine.connect() as conn:
            first = conn.execute(
                select(t.blob_chunks.c.offset)
                .where(
                    t.blob_chunks.c.operation_id == info.operation_id,
                    t.blob_chunks.c.blob_id == info.blob_id,
                    t.blob_chunks.c.offset <= start,
                )
                .order_by(t.blob_chunks.c.offset.desc())
                .limit(1)
            ).scalar()
            position = first if first is not None else 0
            while position < end:
                row = conn.execute(
                    select(t.blob_chunks.c.offset, t.blob_chunks.c.data).where(
                        t.blob_chunks.c.operation_id == info.operation_id,
                        t.blob_chunks.c.blob_id == info.blob_id,
                        t.blob_chunks.c.offset == position,
                    )
                ).first()
                if row is None:
                    return
                data = bytes(row[1])
                lo = max(start - position, 0)
                hi = min(end - position, len(data))
                if lo < hi:
                    yield data[lo:hi]
                position += len(data)

    def delete_operation_files(self, operation_id: bytes) -> None:
        if self.root is not None:
            shutil.rmtree(self.root / operation_id.hex(), ignore_errors=True)

    def delete_chunks(self, operation_id: bytes) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(t.blob_chunks).where(t.blob_chunks.c.operation_id == operation_id))
