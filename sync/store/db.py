"""The encrypted store: one SQLCipher database opened with the raw 256-bit store key.

One connection per thread is the safe pattern: a ``Store`` belongs to the thread that opened
it; ``Store.reopen()`` gives another thread its own. The desktop serialises writes on one
worker; readers may use their own stores (WAL lets them read while it writes).

Opening checks that the database really is this profile's (the key decrypts page 1) and that it
is not truncated, before anything is written; a damaged database raises ``CorruptProfile`` and is
left exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3.dbapi2 as sqlcipher

from locales import _
from sync.errors import CordonError, CorruptProfile
from sync.store import migrations
from sync.store.search import index_pending

if TYPE_CHECKING:
    from sync.store.search import SearchHit

KEY_BYTES = 32
PAGE_SIZE = 4096  # SQLCipher 4's default; the truncation check relies on it

DatabaseError = sqlcipher.DatabaseError
IntegrityError = sqlcipher.IntegrityError


def _damaged(path: Path) -> str:
    return _(
        "The encrypted store {path} is damaged or truncated; it was left untouched, restore it "
        "from a backup."
    ).format(path=path)


# Applied right after the key, before the first read: they define the file format, so they
# must be the same on every open. HMAC-SHA256 (hardware SHA on current x86 and ARM CPUs) is
# markedly cheaper per page than SQLCipher 4's default HMAC-SHA512, at no loss that matters
# for page authentication.
CIPHER_SETTINGS: tuple[str, ...] = ("PRAGMA cipher_hmac_algorithm = HMAC_SHA256",)


def apply_key(conn: Any, key: bytes) -> None:
    """Key a fresh connection with the raw store key and the format settings."""
    # SQLCipher logs a failed page check to stderr; the user gets one sentence from us instead.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    for statement in CIPHER_SETTINGS:
        conn.execute(statement)


def _pragmas(conn: Any) -> None:
    """Settings shared by the encrypted store and the benchmark's plain baseline."""
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")  # no temporary file may hold plaintext
    conn.execute("PRAGMA busy_timeout = 10000")
    # 64 MiB of pages: a large store's indexes stay in memory, so pages are not decrypted
    # again and again while records are inserted.
    conn.execute("PRAGMA cache_size = -65536")


def _open_existing(path: Path, key: bytes | None) -> Any:
    """Connect, key and check ``path`` without writing to it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CordonError(_("There is no store at {path}.").format(path=path)) from None
    if size == 0 or size % PAGE_SIZE:
        raise CorruptProfile(_damaged(path))
    conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=True)
    try:
        if key is not None:
            apply_key(conn, key)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        page_count = int(conn.execute("PRAGMA page_count").fetchone()[0])
        wal = Path(f"{path}-wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        # Another connection may have checkpointed the WAL into the main file meanwhile (the
        # desktop's sync thread opens while the writer works): look at the file size again.
        size = max(size, path.stat().st_size)
        # Without WAL frames every page lives in the main file: a shorter file was truncated.
        if wal_size == 0 and page_count * page_size > size:
            raise CorruptProfile(_damaged(path))
    except DatabaseError:
        conn.close()
        raise CorruptProfile(_damaged(path)) from None
    except BaseException:
        conn.close()
        raise
    return conn


class Store:
    """An open store: a connection, a transaction helper, and one repository per area."""

    def __init__(self, conn: Any, path: Path, key: bytes | None) -> None:
        self.conn = conn
        self.path = path
        self._key = key
        self._owner = threading.get_ident()
        from sync.store.audit import AuditLog
        from sync.store.cases import Cases
        from sync.store.library import Library
        from sync.store.messages import Messages
        from sync.store.operations import Operations
        from sync.store.outbox import Outbox
        from sync.store.records import Records
        from sync.store.settings import Settings

        self.audit = AuditLog(self)
        self.settings = Settings(self)
        self.operations = Operations(self)
        self.records = Records(self)
        self.messages = Messages(self)
        self.library = Library(self)
        self.outbox = Outbox(self)
        self.cases = Cases(self)

    def __repr__(self) -> str:  # never print the key
        return f"Store({str(self.path)!r})"

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, key: bytes) -> Store:
        """Create a new encrypted database at ``path`` (mode 0600) with the latest schema."""
        from sync.store.fsutil import create_private_file

        _check_key(key)
        create_private_file(path)
        conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=True)
        apply_key(conn, key)
        return cls._finish(conn, path, key)

    @classmethod
    def open(cls, path: Path, key: bytes) -> Store:
        """Open an existing database; ``CorruptProfile`` if damaged (nothing is written then)."""
        _check_key(key)
        return cls._finish(_open_existing(path, key), path, key)

    @classmethod
    def open_unencrypted_for_baseline(cls, path: Path) -> Store:
        """A plain, unencrypted database with the same schema: only for benchmark baselines."""
        conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=True)
        return cls._finish(conn, path, None)

    @classmethod
    def _finish(cls, conn: Any, path: Path, key: bytes | None) -> Store:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise CorruptProfile(_damaged(path))
            conn.execute("PRAGMA synchronous = FULL")
            _pragmas(conn)
            migrations.migrate(conn)
        except DatabaseError:
            conn.close()
            raise CorruptProfile(_damaged(path)) from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, path, key)

    def reopen(self) -> Store:
        """Another connection to the same database, for use on another thread."""
        if self._key is None:
            return Store.open_unencrypted_for_baseline(self.path)
        return Store.open(self.path, self._key)

    def close(self) -> None:
        with contextlib.suppress(DatabaseError):
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        """``with store.transaction():`` runs the block in one write transaction (nestable:
        an inner block joins the outer one). The full-text indexes catch up with what the
        block wrote just before it commits (sync.store.search.index_pending)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            index_pending(self)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextlib.contextmanager
    def savepoint(self, name: str = "block") -> Iterator[Any]:
        """``with store.savepoint():`` inside a transaction: the block's writes are undone
        if it raises (the transaction goes on)."""
        self.conn.execute(f'SAVEPOINT "{name}"')
        try:
            yield self.conn
        except BaseException:
            self.conn.execute(f'ROLLBACK TO "{name}"')
            self.conn.execute(f'RELEASE "{name}"')
            raise
        self.conn.execute(f'RELEASE "{name}"')

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> Any:
        return self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        return list(self.conn.execute(sql, params).fetchall())

    def query_one(self, sql: str, params: Any = ()) -> tuple[Any, ...] | None:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else tuple(row)

    def search(
        self, query: str, operation_id: str | None = None, *, limit: int = 50
    ) -> list[SearchHit]:
        """Full-text search (see sync.store.search), scoped to an operation when given."""
        from sync.store.search import search

        return search(self, query, operation_id, limit=limit)

    def schema_version(self) -> int:
        return migrations.user_version(self.conn)

    def integrity_check(self) -> bool:
        """Full check of every page's HMAC and the b-trees (slow on a large store)."""
        try:
            bad = self.conn.execute("PRAGMA cipher_integrity_check").fetchall()
            ok = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        except DatabaseError:
            return False
        return not bad and ok == "ok"

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (for backups and closing cleanly)."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError("the store key must be 32 bytes")


def database_files(path: Path) -> list[Path]:
    """The database and its WAL companions, those that exist."""
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def remove_database(path: Path) -> None:
    for file in database_files(path):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(file)
