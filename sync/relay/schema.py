"""The relay's tables (SQLAlchemy Core) and its numbered schema migrations, run at start-up.

Every row the relay keeps is either ciphertext it cannot read (packages, blobs, join requests
that are signed public keys and names the joiner chose to send), or routing data (ids, epochs,
cursors, sizes). Closed operations leave one tombstone: the SHA-256 of their id, so the relay can
answer 410 Gone without keeping the id itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    select,
    text,
)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", Float, nullable=False),
)

operations = Table(
    "operations",
    metadata,
    Column("id", LargeBinary(16), primary_key=True),
    Column("epoch", Integer, nullable=False),
    Column("head_hash", LargeBinary(32), nullable=False),
    Column("last_seq", BigInteger, nullable=False),  # the newest package cursor handed out
    Column("used_bytes", BigInteger, nullable=False),
    Column("quota_bytes", BigInteger, nullable=False),
    Column("created_at", Float, nullable=False),
)

commits = Table(
    "commits",
    metadata,
    Column("operation_id", LargeBinary(16), primary_key=True),
    Column("epoch", Integer, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("received_at", Float, nullable=False),
)

packages = Table(
    "packages",
    metadata,
    Column("operation_id", LargeBinary(16), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("package_id", LargeBinary(32), nullable=False),
    Column("sender", LargeBinary(16), nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("received_at", Float, nullable=False),
    UniqueConstraint("operation_id", "package_id", name="packages_unique_id"),
)

invitations = Table(
    "invitations",
    metadata,
    Column("operation_id", LargeBinary(16), primary_key=True),
    Column("token_hash", LargeBinary(32), primary_key=True),
    Column("created_by", LargeBinary(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float, nullable=True),
)

join_requests = Table(
    "join_requests",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("operation_id", LargeBinary(16), nullable=False, index=True),
    Column("token_hash", LargeBinary(32), nullable=False),
    Column("device_id", LargeBinary(16), nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("received_at", Float, nullable=False),
)

blobs = Table(
    "blobs",
    metadata,
    Column("operation_id", LargeBinary(16), primary_key=True),
    Column("blob_id", String(32), primary_key=True),
    Column("upload_hash", LargeBinary(32), nullable=False, unique=True),
    Column("created_by", LargeBinary(16), nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("sha256", LargeBinary(32), nullable=True),
    Column("created_at", Float, nullable=False),
)

# Blob bytes for the PostgreSQL backend, so that every relay instance reaches every blob.
blob_chunks = Table(
    "blob_chunks",
    metadata,
    Column("operation_id", LargeBinary(16), primary_key=True),
    Column("blob_id", String(32), primary_key=True),
    Column("offset", BigInteger, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

closed_operations = Table(
    "closed_operations",
    metadata,
    Column("id_hash", LargeBinary(32), primary_key=True),
    Column("closed_at", Float, nullable=False),
)

# The coordinator-signed closing commit of a closed operation, kept with its tombstone (same key)
# so that members who were offline learn the closure and its retention from the coordinator, not
# from the relay's word (protocol version 2).
closing_commits = Table(
    "closing_commits",
    metadata,
    Column("id_hash", LargeBinary(32), primary_key=True),
    Column("raw", LargeBinary, nullable=False),
)

# Request nonces seen in the clock window (PostgreSQL: shared by every instance).
nonces = Table(
    "nonces",
    metadata,
    Column("key", String(120), primary_key=True),
    Column("expires_at", Float, nullable=False, index=True),
)

# Which device signed each open operation's genesis: max-operations-per-device (issue 20).
operation_creators = Table(
    "operation_creators",
    metadata,
    Column("operation_id", LargeBinary(16), primary_key=True),
    Column("device_id", LargeBinary(16), nullable=False, index=True),
)

CONTENT_TABLES = (
    commits,
    packages,
    invitations,
    join_requests,
    blobs,
    blob_chunks,
    operation_creators,
)


def _v1(conn: Connection) -> None:
    for table in (
        operations,
        commits,
        packages,
        invitations,
        join_requests,
        blobs,
        blob_chunks,
        closed_operations,
        nonces,
    ):
        table.create(conn, checkfirst=True)


def _v2(conn: Connection) -> None:
    closing_commits.create(conn, checkfirst=True)


def _v3(conn: Connection) -> None:
    operation_creators.create(conn, checkfirst=True)


# Append only: a deployed relay has run every migration up to its stored version.
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_v1, _v2, _v3)


def migrate(engine: Engine) -> int:
    """Bring the schema up to the newest version; safe when several instances start at once."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # One migrating instance at a time; the others wait, then find nothing to do.
            conn.execute(text("SELECT pg_advisory_xact_lock(727274)"))
        schema_migrations.create(conn, checkfirst=True)
        current = conn.execute(select(schema_migrations.c.version)).scalars().all()
        version = max(current, default=0)
        for number, step in enumerate(MIGRATIONS, start=1):
            if number > version:
                step(conn)
                conn.execute(
                    schema_migrations.insert().values(version=number, applied_at=time.time())
                )
                version = number
        return version
