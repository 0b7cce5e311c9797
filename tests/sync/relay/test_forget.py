"""Issue 15 item 10: after close, the relay keeps nothing of the operation but its tombstone.

Against the real relay process: an operation with commits (whose rosters carry the members'
names), packages, an invitation, a join request and an uploaded blob is closed; then the
relay's database file, its WAL and its log are searched for the operation id, the commit
hashes, fragments of every ciphertext, the upload token and the people's names. Only the 410
answer remains. On PostgreSQL the rows are gone and the tables were vacuumed (what its WAL and
backups keep is documented in docs/relay.md).
"""

from __future__ import annotations

import hashlib
import os
import time
from urllib.parse import urlsplit

import psycopg
import pytest

from sync.client.relay_http import RelayError
from sync.primitives.identity import Identity
from sync.protocol import build_join_request, close_operation, invitation_id
from sync.relay.store import id_hash
from tests.sync.relay.conftest import INFO, Op, RelayProcess

NAMES = ("Ana Souza", "Jan de Vries", "Eva Lind", "Olga Berg", "Li Wei", INFO.name)


def _needles(op: Op, bodies: list[bytes], token: str) -> dict[str, bytes]:
    """What must not be found, as raw bytes and as text."""
    needles = {"operation id": op.id, "operation id hex": op.id.hex().encode()}
    for n, commit in enumerate(op.commits):
        needles[f"commit {n} hash"] = commit.hash
        needles[f"commit {n} hash hex"] = commit.hash.hex().encode()
        needles[f"commit {n} bytes"] = commit.raw[-48:]
    for n, body in enumerate(bodies):
        for at in range(0, len(body) - 24, max(24, len(body) // 8)):
            needles[f"ciphertext {n} at {at}"] = body[at : at + 24]
    needles["upload token"] = token.encode()
    for name in NAMES:
        needles[name] = name.encode()
    return needles


def _found(blob: bytes, needles: dict[str, bytes]) -> list[str]:
    return [what for what, needle in needles.items() if needle in blob]


def _fill(relay: RelayProcess, op: Op) -> tuple[list[bytes], str]:
    coordinator = relay.client(op.people["coord"])
    part = relay.client(op.people["part"])
    bodies = [os.urandom(300) for _ in range(5)] + [os.urandom(200_000)]  # one spills to overflow
    part.post_packages(op.id, [op.package(body=body) for body in bodies])
    blob = os.urandom(70_000)
    bodies.append(blob)
    upload_url, _blob_id = part.create_upload(op.id, len(blob), hashlib.sha256(blob).digest())
    part.upload_blob(op.id, blob, upload_url=upload_url)
    token = urlsplit(upload_url).path.rsplit("/", 1)[-1]
    invite = b"one-time-token-" + os.urandom(8)
    coordinator.register_invitation(op.id, invitation_id(invite))
    joiner = build_join_request(
        Identity.generate(),
        operation_id=op.id,
        token=invite,
        name="Li Wei",
        agency="GACC",
        country="CN",
    )
    relay.client(None).post_join_request(op.id, joiner)
    bodies.append(joiner[-64:])
    assert len(part.fetch_packages(op.id).packages) == 6
    return bodies, token


def _refused_as_gone(relay: RelayProcess, op: Op) -> None:
    with pytest.raises(RelayError) as refused:
        relay.client(op.people["coord"]).fetch_packages(op.id)
    assert refused.value.status == 410


def test_close_leaves_only_the_tombstone(relay: RelayProcess, op: Op) -> None:
    bodies, token = _fill(relay, op)
    needles = _needles(op, bodies, token)
    closing, _secret = close_operation(op.people["coord"], op.latest, 7)
    relay.client(op.people["coord"]).post_commit(op.id, closing.raw)
    relay.client(op.people["coord"]).close_operation(op.id)
    _refused_as_gone(relay, op)
    time.sleep(0.3)  # the log line of the last request is flushed
    log = relay.log_path.read_bytes()
    assert _found(log, needles) == [], "the relay's log mentions the closed operation"
    if relay.database_url:
        _check_postgres(relay.database_url, op)
        return
    files = [relay.data / "relay.db", relay.data / "relay.db-wal"]
    contents = b"".join(p.read_bytes() for p in files if p.exists())
    assert _found(contents, needles) == [], "the relay's database files keep the operation"
    assert (
        not (relay.data / "relay.db-wal").exists()
        or (relay.data / "relay.db-wal").stat().st_size == 0
    )
    tombstone = id_hash(op.id)
    assert tombstone in (relay.data / "relay.db").read_bytes()
    blobs = relay.data / "blobs"
    assert not [p for p in blobs.rglob("*") if p.is_file()] if blobs.exists() else True


def _check_postgres(url: str, op: Op) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND column_name = 'operation_id'"
            )
        ]
        for table in tables:
            count = conn.execute(
                f"SELECT count(*) FROM {table} WHERE operation_id = %s",  # noqa: S608
                (op.id,),
            ).fetchone()
            assert count is not None and count[0] == 0, table
        assert (
            conn.execute("SELECT count(*) FROM operations WHERE id = %s", (op.id,)).fetchone()[0]
            == 0
        )  # type: ignore[index]
        tombstone = id_hash(op.id)
        assert (
            conn.execute(
                "SELECT count(*) FROM closed_operations WHERE id_hash = %s", (tombstone,)
            ).fetchone()[0]
            == 1
        )  # type: ignore[index]
        # The dead rows were vacuumed away, not left for autovacuum to find some day.
        deadline = time.monotonic() + 20
        while True:
            rows = conn.execute(
                "SELECT relname, n_dead_tup, last_vacuum FROM pg_stat_user_tables "
                "WHERE relname IN ('packages', 'commits', 'blobs', 'join_requests')"
            ).fetchall()
            if all(r[2] is not None and r[1] == 0 for r in rows):
                break
            assert time.monotonic() < deadline, rows
            time.sleep(0.5)
