"""Scenarios with their own relay processes: several instances, crashes, limits, secrecy."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sync.client.relay_http import RelayError
from sync.crypto.epochs import OperationKeys
from sync.crypto.packages import seal_package
from sync.primitives.identity import Identity
from tests.sync.relay.conftest import Postgres, RelayProcess, make_operation


@pytest.mark.postgres
def test_two_instances_share_wakeups(
    postgres: Postgres, tmp_path: Path, people: dict[str, Identity]
) -> None:
    first = RelayProcess(tmp_path / "a", postgres.url).start()
    second = RelayProcess(tmp_path / "b", postgres.url).start()
    try:
        op = make_operation(first, people)
        reader = second.client(people["obs"])
        outcome: dict[str, float] = {}

        def poll() -> None:
            result = reader.fetch_packages(op.id, after=0, wait=20)
            outcome["at"] = time.monotonic()
            outcome["count"] = len(result.packages)

        thread = threading.Thread(target=poll)
        thread.start()
        time.sleep(1.0)  # the long poll is waiting on the second instance
        posted_at = time.monotonic()
        first.client(people["part"]).post_packages(op.id, [op.package()])
        thread.join(timeout=10)
        assert outcome["count"] == 1
        assert outcome["at"] - posted_at < 1.0
        # A removal accepted by one instance is enforced by the other at once.
        from sync.protocol import remove_members

        commit, _ = remove_members(people["coord"], op.latest, [people["part2"].device_id])
        first.client(people["coord"]).post_commit(op.id, commit.raw)
        with pytest.raises(RelayError) as refused:
            second.client(people["part2"]).fetch_packages(op.id)
        assert refused.value.status == 403
    finally:
        first.stop()
        second.stop()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_kill_during_concurrent_posts_loses_no_acknowledged_package(
    backend: str, tmp_path: Path, people: dict[str, Identity], request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("postgres").url if backend == "postgres" else None
    relay = RelayProcess(tmp_path / "data", url).start()
    op = make_operation(relay, people)
    packages = [op.package(body=os.urandom(2048)) for _ in range(1000)]
    acknowledged: list[str] = []
    lock = threading.Lock()
    client_pool = [relay.client(people["part"]) for _ in range(50)]

    def post(index: int) -> None:
        try:
            result = client_pool[index % 50].post_packages(op.id, [packages[index]])
        except Exception:
            return  # the relay died under this request: not acknowledged
        with lock:
            acknowledged.append(result[0].package_id)

    with ThreadPoolExecutor(max_workers=50) as pool:
        futures = [pool.submit(post, index) for index in range(1000)]
        while True:
            with lock:
                if len(acknowledged) >= 200:
                    break
            time.sleep(0.005)
        relay.stop(signal.SIGKILL)
        for future in futures:
            future.result()
    assert 200 <= len(acknowledged) < 1000
    restarted = RelayProcess(tmp_path / "data", url).start()
    try:
        client = restarted.client(people["coord"])
        stored: set[str] = set()
        after = 0
        while True:
            page = client.fetch_packages(op.id, after=after, limit=1000)
            if not page.packages:
                break
            import hashlib

            stored.update(hashlib.sha256(raw).hexdigest() for _c, raw in page.packages)
            after = page.cursor
        missing = set(acknowledged) - stored
        assert not missing, f"{len(missing)} acknowledged packages lost"
        # Cursors stay dense and ordered after the crash.
        assert after == len(stored)
    finally:
        restarted.stop()


def _scan(paths: list[Path], marker: bytes) -> list[str]:
    hits = []
    for root in paths:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            if marker in path.read_bytes():
                hits.append(str(path))
    return hits


def test_marker_plaintext_never_reaches_relay_storage_or_logs(
    relay: RelayProcess, people: dict[str, Identity], request: pytest.FixtureRequest
) -> None:
    op = make_operation(relay, people)
    marker = b"MARKER-" + os.urandom(8).hex().encode()
    keys = OperationKeys.from_chain(people["part"], [c.raw for c in op.commits])
    sealed = [
        seal_package(
            people["part"],
            keys,
            kind="record",
            seq=i + 1,
            hlc=1_700_000_000_000 + i,
            body=b'{"seizure": "' + marker + b'", "n": %d}' % i,
        )
        for i in range(20)
    ]
    client = relay.client(people["part"])
    client.post_packages(op.id, sealed)
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    attachment = nonce + AESGCM(key).encrypt(nonce, marker * 1000, None)
    blob_id = client.upload_blob(op.id, attachment)
    assert relay.client(people["obs"]).download_blob(op.id, blob_id) == attachment
    assert len(relay.client(people["obs"]).fetch_packages(op.id).packages) == 20
    places = [relay.data, relay.log_path]
    if relay.database_url:
        places.append(request.getfixturevalue("postgres").data)
    assert _scan(places, marker) == []


def test_close_leaves_no_rows_and_no_files(tmp_path: Path, people: dict[str, Identity]) -> None:
    relay = RelayProcess(tmp_path / "data").start()
    try:
        op = make_operation(relay, people)
        client = relay.client(people["part"])
        client.post_packages(op.id, [op.package() for _ in range(10)])
        client.upload_blob(op.id, os.urandom(50_000))
        client.upload_blob(op.id, os.urandom(10))
        relay.client(people["coord"]).register_invitation(op.id, os.urandom(32))
        blob_dir = relay.data / "blobs" / op.id.hex()
        assert any(blob_dir.rglob("*"))
        from sync.protocol import close_operation

        closing, _secret = close_operation(people["coord"], op.latest, 30)
        relay.client(people["coord"]).post_commit(op.id, closing.raw)
        relay.client(people["coord"]).close_operation(op.id)
        assert not blob_dir.exists()
    finally:
        code = relay.stop()  # SIGTERM: a graceful shutdown exits 0
    assert code == 0
    lines = relay.log_path.read_text().splitlines()
    records = [json.loads(line) for line in lines]  # structured: every line is one JSON object
    assert any(r.get("msg") == "request" and r.get("status") == 204 for r in records)
    assert any(r.get("msg") == "relay stopped" for r in records)
    from sqlalchemy import create_engine, text

    engine = create_engine("sqlite:///" + str(relay.data / "relay.db"))
    with engine.connect() as conn:
        for table in (
            "operations",
            "commits",
            "packages",
            "invitations",
            "join_requests",
            "blobs",
            "blob_chunks",
        ):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0  # noqa: S608
    engine.dispose()
    assert _scan([relay.data], op.id) == []
    assert _scan([relay.data], op.id.hex().encode()) == []


def test_rate_limit_and_quota(tmp_path: Path, people: dict[str, Identity]) -> None:
    relay = RelayProcess(
        tmp_path / "data",
        env={
            "CORDON_RELAY_RATE_PER_SECOND": "2",
            "CORDON_RELAY_RATE_BURST": "30",
            "CORDON_RELAY_QUOTA_BYTES": "200000",
        },
    ).start()
    try:
        op = make_operation(relay, people)
        client = relay.client(people["part"])
        with pytest.raises(RelayError) as refused:
            for _ in range(20):
                client.post_packages(op.id, [op.package(body=os.urandom(20_000))])
        assert refused.value.status == 413 and refused.value.code == "quota_exceeded"
        with pytest.raises(RelayError) as limited:
            for _ in range(40):
                client.operation_state(op.id)
        assert limited.value.status == 429 and limited.value.retry_after
        response = requests.get(relay.url + "/healthz", timeout=5)
        assert response.status_code == 200
    finally:
        relay.stop()


@pytest.mark.parametrize("verify_all", [False, True])
def test_own_packages_with_bad_signature(
    verify_all: bool, tmp_path: Path, people: dict[str, Identity]
) -> None:
    """Own packages are authorised by the request signature; optionally verified one by one."""
    from sync.protocol import parse_package
    from sync.protocol.wire import encode

    env = {"CORDON_RELAY_VERIFY_ALL_PACKAGE_SIGNATURES": "true" if verify_all else "false"}
    relay = RelayProcess(tmp_path / "data", env=env).start()
    try:
        op = make_operation(relay, people)
        good = parse_package(op.package("part"))
        bad = encode({"h": good.header_bytes, "c": good.ciphertext, "s": bytes(64)})
        client = relay.client(people["part"])
        if verify_all:
            with pytest.raises(RelayError) as refused:
                client.post_packages(op.id, [bad])
            assert refused.value.status == 403
        else:
            assert client.post_packages(op.id, [bad])[0].cursor == 1
        # Forwarded by someone else, a bad signature is always refused.
        with pytest.raises(RelayError) as refused:
            relay.client(people["part2"]).post_packages(op.id, [bad])
        assert refused.value.status == 403
    finally:
        relay.stop()
