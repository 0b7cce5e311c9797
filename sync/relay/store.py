"""Relay storage: one SQLAlchemy Core engine (SQLite in WAL mode or PostgreSQL), blocking calls.

The web layer calls these from worker threads; package inserts go through the group-commit
writer (writer.py) instead, which calls :meth:`RelayStore.insert_package_batches`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, delete, event, func, select, text, update

from sync.errors import ProtocolError
from sync.protocol.sealing import open_value, seal_value
from sync.protocol.wire import MAX_ENVELOPE_BYTES
from sync.relay import schema as t

NOTIFY_CHANNEL = "cordon_relay"


log = logging.getLogger("cordon.relay")
ERASE_TRIES = 100  # SQLite WAL truncation after a close: tries, ERASE_PAUSE seconds apart
ERASE_PAUSE = 0.05


class StoreError(Exception):
    """A refused storage action; ``status`` and ``code`` become the HTTP answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def gone() -> StoreError:
    return StoreError(410, "operation_closed", "This operation has been closed.")


def not_found() -> StoreError:
    return StoreError(404, "unknown_operation", "There is no such operation on this relay.")


_CLOSING_DOMAIN = b"cordon-closing-commit-v2\x00"


def _seal_closing(operation_id: bytes, raw: bytes) -> bytes:
    """The closing commit as the tombstone keeps it: encrypted under a key derived from the
    operation id, which the relay forgets at close (only its hash stays), so the files hold
    neither the id nor the commit in the clear; a member asking with the id can read it."""
    return seal_value(operation_id, b"", _CLOSING_DOMAIN, id_hash(operation_id), raw)


def _open_closing(operation_id: bytes, sealed: bytes) -> bytes:
    value = open_value(
        operation_id,
        b"",
        _CLOSING_DOMAIN,
        id_hash(operation_id),
        sealed,
        "closing commit",
        MAX_ENVELOPE_BYTES + 64,
    )
    if not isinstance(value, bytes):
        raise ProtocolError("closing commit")
    return value


def id_hash(operation_id: bytes) -> bytes:
    return hashlib.sha256(b"cordon-closed-operation\x00" + operation_id).digest()


@dataclass(frozen=True)
class OperationState:
    epoch: int
    head_hash: bytes
    last_seq: int
    used_bytes: int
    quota_bytes: int


@dataclass
class PackageBatch:
    """One request's packages, to be stored atomically, and what the writer reports back."""

    operation_id: bytes
    epoch: int  # the roster epoch the request was authorised under
    items: Sequence[tuple[bytes, bytes, bytes]]  # (package_id, sender, raw), no duplicates
    results: list[tuple[bytes, int, bool]] = field(default_factory=list)  # (id, seq, duplicate)
    error: StoreError | None = None
    stored: list[tuple[int, bytes]] = field(default_factory=list)  # (seq, raw) newly stored


def make_engine(url: str) -> Engine:
    """An engine with the pragmas durability needs (SQLite: WAL, synchronous=FULL)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, pool_size=8, max_overflow=16, pool_pre_ping=False)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: the WAL is fsynced at every commit, so an acknowledged package survives a
            # power cut, not only a crash; group commit keeps that to one fsync per batch.
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            # Deleted rows (a closed operation's) are overwritten with zeros, not just unlinked.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


class RelayStore:
    """Rows of operations, commits, packages, invitations, join requests and blob metadata."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    # --- operations and commits -------------------------------------------------------------

    def check_open(self, conn: Connection, operation_id: bytes) -> OperationState:
        row = conn.execute(
            select(
                t.operations.c.epoch,
                t.operations.c.head_hash,
                t.operations.c.last_seq,
                t.operations.c.used_bytes,
                t.operations.c.quota_bytes,
            ).where(t.operations.c.id == operation_id)
        ).first()
        if row is None:
            closed = conn.execute(
                select(t.closed_operations.c.id_hash).where(
                    t.closed_operations.c.id_hash == id_hash(operation_id)
                )
            ).first()
            raise gone() if closed is not None else not_found()
        return OperationState(row[0], row[1], row[2], row[3], row[4])

    def state(self, operation_id: bytes) -> OperationState:
        with self.engine.connect() as conn:
            return self.check_open(conn, operation_id)

    def latest_commit(self, operation_id: bytes) -> tuple[int, bytes]:
        """(epoch, raw) of the newest accepted commit; 404/410 as StoreError."""
        with self.engine.connect() as conn:
            state = self.check_open(conn, operation_id)
            raw = conn.execute(
                select(t.commits.c.raw).where(
                    t.commits.c.operation_id == operation_id, t.commits.c.epoch == state.epoch
                )
            ).scalar_one()
            return state.epoch, bytes(raw)

    def commits_after(self, operation_id: bytes, after: int, limit: int) -> list[tuple[int, bytes]]:
        with self.engine.connect() as conn:
            self.check_open(conn, operation_id)
            rows = conn.execute(
                select(t.commits.c.epoch, t.commits.c.raw)
                .where(t.commits.c.operation_id == operation_id, t.commits.c.epoch > after)
                .order_by(t.commits.c.epoch)
                .limit(limit)
            ).all()
            return [(row[0], bytes(row[1])) for row in rows]

    def create_operation(
        self,
        operation_id: bytes,
        commit_hash: bytes,
        raw: bytes,
        quota_bytes: int,
        creator: bytes = b"",
        max_per_creator: int = 0,
    ) -> bool:
        """Store a genesis commit; False if the very same genesis is already there.

        ``max_per_creator`` > 0: refuse (429) when ``creator`` already signed that many open
        operations' genesis commits."""
        now = time.time()
        with self.engine.begin() as conn:
            closed = conn.execute(
                select(t.closed_operations.c.id_hash).where(
                    t.closed_operations.c.id_hash == id_hash(operation_id)
                )
            ).first()
            if closed is not None:
                raise gone()
            existing = conn.execute(
                select(t.commits.c.hash).where(
                    t.commits.c.operation_id == operation_id, t.commits.c.epoch == 0
                )
            ).first()
            if existing is not None:
                if bytes(existing[0]) == commit_hash:
                    return False
                raise StoreError(409, "operation_exists", "This operation already exists.")
            if creator and max_per_creator > 0:
                count = conn.execute(
                    select(func.count())
                    .select_from(t.operation_creators)
                    .where(t.operation_creators.c.device_id == creator)
                ).scalar_one()
                if count >= max_per_creator:
                    raise StoreError(
                        429,
                        "operation_limit",
                        "This device has created as many operations as this relay allows.",
                    )
            if creator:
                conn.execute(
                    t.operation_creators.insert().values(
                        operation_id=operation_id, device_id=creator
                    )
                )
            conn.execute(
                t.operations.insert().values(
                    id=operation_id,
                    epoch=0,
                    head_hash=commit_hash,
                    last_seq=0,
                    used_bytes=len(raw),
                    quota_bytes=quota_bytes,
                    created_at=now,
                )
            )
            conn.execute(
                t.commits.insert().values(
                    operation_id=operation_id, epoch=0, hash=commit_hash, raw=raw, received_at=now
                )
            )
        return True

    def add_commit(
        self, operation_id: bytes, prev_epoch: int, epoch: int, commit_hash: bytes, raw: bytes
    ) -> None:
        """Accept a verified commit, unless another commit for this epoch won the race (409)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(t.operations)
                .where(t.operations.c.id == operation_id, t.operations.c.epoch == prev_epoch)
                .values(
                    epoch=epoch,
                    head_hash=commit_hash,
                    used_bytes=t.operations.c.used_bytes + len(raw),
                )
            )
            if result.rowcount != 1:
                self.check_open(conn, operation_id)
                raise StoreError(
                    409, "stale_epoch", "Another commit was accepted first; fetch it and retry."
                )
            conn.execute(
                t.commits.insert().values(
                    operation_id=operation_id,
                    epoch=epoch,
                    hash=commit_hash,
                    raw=raw,
                    received_at=time.time(),
                )
            )
            if self.postgres:
                conn.execute(
                    text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": NOTIFY_CHANNEL, "payload": "c" + operation_id.hex()},
                )

    def close_operation(self, operation_id: bytes, closing: bytes) -> None:
        """Delete every row of the operation and leave only the hashed tombstone, with the
        coordinator's closing commit (sealed under the operation id) for members who were
        offline; then make the deleted rows unreadable in the database's files
        (``erase_deleted``)."""
        with self.engine.begin() as conn:
            self.check_open(conn, operation_id)
            conn.execute(
                t.closing_commits.insert().values(
                    id_hash=id_hash(operation_id), raw=_seal_closing(operation_id, closing)
                )
            )
            for table in t.CONTENT_TABLES:
                conn.execute(delete(table).where(table.c.operation_id == operation_id))
            conn.execute(delete(t.operations).where(t.operations.c.id == operation_id))
            conn.execute(
                t.closed_operations.insert().values(
                    id_hash=id_hash(operation_id), closed_at=time.time()
                )
            )
            if self.postgres:
                conn.execute(
                    text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": NOTIFY_CHANNEL, "payload": "x" + operation_id.hex()},
                )
        if not self.erase_deleted():
            log.warning("the WAL still holds pages of a closed operation; readers kept it busy")

    def erase_deleted(self) -> bool:
        """Remove what deleted rows leave in the database's files.

        SQLite (``secure_delete`` is on for every connection, so the deleted cells and freed
        pages were zeroed): copy the WAL, which still holds earlier images of those pages, into
        the database and truncate it to zero bytes; retried while long polls hold a snapshot.
        PostgreSQL: VACUUM the tables, so that the dead rows and their index entries are
        removed now rather than whenever autovacuum comes by (what PostgreSQL's own WAL and
        backups keep is described in docs/relay.md). Returns False if that could not finish.
        """
        if self.postgres:
            names = ", ".join(table.name for table in (t.operations, *t.CONTENT_TABLES))
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f"VACUUM {names}"))  # noqa: S608 - constant table names
            return True
        for _try in range(ERASE_TRIES):
            with self.engine.connect() as conn:
                busy = conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).first()
                conn.commit()
            if busy is not None and not busy[0]:
                return True
            time.sleep(ERASE_PAUSE)
        return False

    def closing_commit(self, operation_id: bytes) -> bytes | None:
        """The closing commit kept with a closed operation's tombstone, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.closing_commits.c.raw).where(
                    t.closing_commits.c.id_hash == id_hash(operation_id)
                )
            ).first()
        if row is None:
            return None
        try:
            return _open_closing(operation_id, bytes(row[0]))
        except ProtocolError:
            return None

    # --- packages ---------------------------------------------------------------------------

    def insert_package_batches(self, batches: Sequence[PackageBatch]) -> None:
        """Store many requests' packages in ONE transaction (group commit: one fsync).

        Each batch is all-or-nothing: its checks (open, epoch, quota) run before any of its rows
        are written. Per operation the row lock taken by the UPDATE orders cursors by commit, so
        a reader never sees cursor n+1 before cursor n.
        """
        notified: set[bytes] = set()
        with self.engine.begin() as conn:
            for batch in batches:
                self._insert_batch(conn, batch)
                if batch.stored:
                    notified.add(batch.operation_id)
            if self.postgres:
                for operation_id in notified:
                    conn.execute(
                        text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": NOTIFY_CHANNEL, "payload": "p" + operation_id.hex()},
                    )

    def _insert_batch(self, conn: Connection, batch: PackageBatch) -> None:
        operation_id = batch.operation_id
        ids = [item[0] for item in batch.items]
        # Lock the operation row first (PostgreSQL: FOR UPDATE) so cursors follow commit order.
        query = select(
            t.operations.c.epoch,
            t.operations.c.last_seq,
            t.operations.c.used_bytes,
            t.operations.c.quota_bytes,
        ).where(t.operations.c.id == operation_id)
        if self.postgres:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            batch.error = gone()
            return
        epoch, last_seq, used, quota = row
        if epoch != batch.epoch:
            batch.error = StoreError(409, "epoch_changed", "The roster changed; retry.")
            return
        existing: dict[bytes, int] = {}
        if ids:
            for package_id, seq in conn.execute(
                select(t.packages.c.package_id, t.packages.c.seq).where(
                    t.packages.c.operation_id == operation_id, t.packages.c.package_id.in_(ids)
                )
            ):
                existing[bytes(package_id)] = seq
        new_items = [item for item in batch.items if item[0] not in existing]
        size = sum(len(item[2]) for item in new_items)
        if used + size > quota:
            batch.error = StoreError(
                413, "quota_exceeded", "This operation has used its storage quota on the relay."
            )
            return
        now = time.time()
        rows: list[dict[str, Any]] = []
        seq = last_seq
        assigned: dict[bytes, int] = {}
        for package_id, sender, raw in new_items:
            seq += 1
            assigned[package_id] = seq
            rows.append(
                {
                    "operation_id": operation_id,
                    "seq": seq,
                    "package_id": package_id,
                    "sender": sender,
                    "raw": raw,
                    "received_at": now,
                }
            )
            batch.stored.append((seq, raw))
        if rows:
            conn.execute(t.packages.insert(), rows)
            conn.execute(
                update(t.operations)
                .where(t.operations.c.id == operation_id)
                .values(last_seq=seq, used_bytes=used + size)
            )
        for package_id in ids:
            if package_id in existing:
                batch.results.append((package_id, existing[package_id], True))
            else:
                batch.results.append((package_id, assigned[package_id], False))

    def packages_after(
        self, operation_id: bytes, after: int, limit: int, max_bytes: int
    ) -> tuple[list[tuple[int, bytes]], int]:
        """Packages with cursor > ``after`` in cursor order, and the operation's last cursor."""
        with self.engine.connect() as conn:
            state = self.check_open(conn, operation_id)
            rows = conn.execute(
                select(t.packages.c.seq, t.packages.c.raw)
                .where(t.packages.c.operation_id == operation_id, t.packages.c.seq > after)
                .order_by(t.packages.c.seq)
                .limit(limit)
            ).all()
        result: list[tuple[int, bytes]] = []
        total = 0
        for seq, raw in rows:
            if result and total + len(raw) > max_bytes:
                break
            result.append((seq, bytes(raw)))
            total += len(raw)
        return result, state.last_seq

    # --- invitations and join requests ------------------------------------------------------

    def add_invitation(
        self, operation_id: bytes, token_hash: bytes, created_by: bytes, ttl: float
    ) -> None:
        now = time.time()
        with self.engine.begin() as conn:
            self.check_open(conn, operation_id)
            exists = conn.execute(
                select(t.invitations.c.token_hash).where(
                    t.invitations.c.operation_id == operation_id,
                    t.invitations.c.token_hash == token_hash,
                )
            ).first()
            if exists is not None:
                raise StoreError(409, "invitation_exists", "This invitation is already registered.")
            conn.execute(
                t.invitations.insert().values(
                    operation_id=operation_id,
                    token_hash=token_hash,
                    created_by=created_by,
                    created_at=now,
                    expires_at=now + ttl,
                    used_at=None,
                )
            )

    def add_join_request(
        self, operation_id: bytes, token_hash: bytes, device_id: bytes, raw: bytes, request_id: str
    ) -> None:
        """Use the one-time invitation and keep the request for the coordinators."""
        now = time.time()
        with self.engine.begin() as conn:
            self.check_open(conn, operation_id)
            result = conn.execute(
                update(t.invitations)
                .where(
                    t.invitations.c.operation_id == operation_id,
                    t.invitations.c.token_hash == token_hash,
                    t.invitations.c.used_at.is_(None),
                    t.invitations.c.expires_at > now,
                )
                .values(used_at=now)
            )
            if result.rowcount != 1:
                raise StoreError(
                    403,
                    "invalid_invitation",
                    "This invitation is unknown, expired or already used.",
                )
            conn.execute(
                t.join_requests.insert().values(
                    id=request_id,
                    operation_id=operation_id,
                    token_hash=token_hash,
                    device_id=device_id,
                    raw=raw,
                    received_at=now,
                )
            )

    def join_requests(self, operation_id: bytes) -> list[tuple[str, bytes, float]]:
        with self.engine.connect() as conn:
            self.check_open(conn, operation_id)
            rows = conn.execute(
                select(t.join_requests.c.id, t.join_requests.c.raw, t.join_requests.c.received_at)
                .where(t.join_requests.c.operation_id == operation_id)
                .order_by(t.join_requests.c.received_at)
            ).all()
            return [(row[0], bytes(row[1]), row[2]) for row in rows]

    def delete_join_request(self, operation_id: bytes, request_id: str) -> bool:
        with self.engine.begin() as conn:
            self.check_open(conn, operation_id)
            result = conn.execute(
                delete(t.join_requests).where(
                    t.join_requests.c.operation_id == operation_id,
                    t.join_requests.c.id == request_id,
                )
            )
            return bool(result.rowcount)

    # --- nonces (PostgreSQL: shared by all instances) ---------------------------------------

    def remember_nonce(self, key: str, expires_at: float) -> bool:
        """True if the nonce is new; False if it was seen in the window (a replay)."""
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        with self.engine.begin() as conn:
            # A nonce only has to outlive the 5-minute window, not a database crash: no fsync
            # per request for it (the insert is still atomic and visible to every instance).
            conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
            result = conn.execute(
                pg_insert(t.nonces)
                .values(key=key, expires_at=expires_at)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            return bool(result.rowcount)

    def purge_nonces(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(t.nonces).where(t.nonces.c.expires_at < time.time()))

    # --- counting (tests and metrics) -------------------------------------------------------

    def count_rows(self, tables: Iterable[Any] = t.CONTENT_TABLES) -> int:
        with self.engine.connect() as conn:
            return sum(
                int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for table in tables
            )


def sqlite_url(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    return "sqlite:///" + os.fspath(data_dir / "relay.db")
