"""Relay benchmarks (``make bench``): ingest beside a bare Starlette+SQLite baseline, and fan-out.

Ingest: 50 concurrent clients post signed 2 KiB packages (batches of BATCH per request, as the
sync engine pushes its outbox) and count a package only when its acknowledgement arrived, i.e.
after the relay committed it durably (SQLite WAL, synchronous=FULL). The baseline is a bare
Starlette endpoint on the same uvicorn settings that inserts the same bytes into SQLite with the
same durability, one transaction per request, measured in the same run.

Fan-out: 500 long-polling connections; each posted package carries its send time in its header's
hybrid-logical-clock field, so every poller measures post->delivery itself.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import aiohttp
import cbor2
import pytest

from sync.primitives.identity import Identity
from sync.protocol import Member, PackageHeader, add_members, assemble_package, create_genesis
from sync.protocol.auth import sign_request
from sync.protocol.package import PACKAGE_VERSION
from tests.sync.relay.conftest import (
    INFO,
    RelayProcess,
    free_port,
    postgres,  # noqa: F401 - the session PostgreSQL fixture
)

CLIENTS = 50
BATCH = 20
PACKAGES = 20_000
POLLERS = int(os.environ.get("CORDON_BENCH_POLLERS", "500"))
ROUNDS = 20
RESULTS = Path(os.environ.get("CORDON_BENCH_OUT", "test-artifacts")) / "relay-bench.json"

BASELINE_APP = textwrap.dedent(
    """
    import sqlite3, sys, threading
    import cbor2, uvicorn
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    local = threading.local()

    def best(module, fallback):  # the relay's own choice (sync/relay/cli.py)
        try:
            __import__(module)
        except ImportError:
            return fallback
        return module

    def db():
        if not hasattr(local, "conn"):
            conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("CREATE TABLE IF NOT EXISTS p (id INTEGER PRIMARY KEY, raw BLOB)")
            local.conn = conn
        return local.conn

    def insert(items):
        conn = db()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO p (raw) VALUES (?)", [(raw,) for raw in items])
        conn.execute("COMMIT")

    async def post(request):
        items = cbor2.loads(await request.body())
        await run_in_threadpool(insert, items)
        return JSONResponse({"stored": len(items)})

    db()
    app = Starlette(routes=[Route("/p", post, methods=["POST"])])
    print("listening", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
                loop=best("uvloop", "asyncio"), http=best("httptools", "h11"), access_log=False)
    """
)


def _operation(relay: RelayProcess, members: int) -> tuple[Identity, list[Identity], bytes, int]:
    coord = Identity.generate()
    devices = [Identity.generate() for _ in range(members)]
    genesis, _ = create_genesis(coord, name="Bench", agency="Bench", country="NL", info=INFO)
    commit, _ = add_members(
        coord,
        genesis,
        [Member(d.public, f"P{i}", "Bench", "NL", "participant") for i, d in enumerate(devices)],
    )
    client = relay.client(coord)
    client.create_operation(genesis.raw)
    client.post_commit(genesis.operation_id, commit.raw)
    return coord, devices, genesis.operation_id, commit.epoch


def _packages(device: Identity, op: bytes, epoch: int, count: int, start: int = 1) -> list[bytes]:
    return [
        assemble_package(
            device,
            PackageHeader(PACKAGE_VERSION, op, epoch, device.device_id, start + i, "record", 1),
            os.urandom(2048),
        )
        for i in range(count)
    ]


async def _ingest(url: str, path: str, batches: list[bytes], device: Identity | None) -> float:
    """Post every batch from CLIENTS concurrent clients; returns acknowledged packages/s."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in batches:
        queue.put_nowait(body)
    done = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal done
        while not queue.empty():
            body = queue.get_nowait()
            headers = {"Content-Type": "application/cbor"}
            if device is not None:
                headers.update(sign_request(device, "POST", path, "", body))
            async with session.post(url + path, data=body, headers=headers) as response:
                assert response.status == 200, await response.text()
                await response.read()
            done += BATCH

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(CLIENTS)))
        elapsed = time.perf_counter() - start
    return done / elapsed


def _batches(packages: list[bytes]) -> list[bytes]:
    return [cbor2.dumps(packages[i : i + BATCH]) for i in range(0, len(packages), BATCH)]


def _relay_ingest(relay: RelayProcess) -> float:
    _coord, devices, op, epoch = _operation(relay, 1)
    packages = _packages(devices[0], op, epoch, PACKAGES)
    path = f"/v1/operations/{op.hex()}/packages"
    warm = _batches(_packages(devices[0], op, epoch, 1000, start=PACKAGES + 1))
    asyncio.run(_ingest(relay.url, path, warm, devices[0]))
    rate = asyncio.run(_ingest(relay.url, path, _batches(packages), devices[0]))
    stored = relay.client(devices[0]).operation_state(op)["cursor"]
    assert stored == PACKAGES + 1000
    return rate


def _baseline_ingest(tmp: Path) -> float:
    script = tmp / "baseline.py"
    script.write_text(BASELINE_APP)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp / "baseline.db"), str(port)],
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith(b"listening")
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                import requests

                requests.post(url + "/p", data=cbor2.dumps([b"x"]), timeout=1)
                break
            except Exception:
                time.sleep(0.05)
        device = Identity.generate()
        op = os.urandom(16)
        asyncio.run(_ingest(url, "/p", _batches(_packages(device, op, 1, 1000)), None))
        return asyncio.run(_ingest(url, "/p", _batches(_packages(device, op, 1, PACKAGES)), None))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def _fanout(relay: RelayProcess) -> dict[str, float]:
    _coord, devices, op, epoch = await asyncio.to_thread(_operation, relay, 10)
    path = f"/v1/operations/{op.hex()}/packages"
    latencies: list[float] = []
    ready = asyncio.Event()
    waiting = 0
    stop = False

    async def poller(session: aiohttp.ClientSession, device: Identity) -> None:
        nonlocal waiting
        after = 0
        first = True
        while not stop:
            query = f"after={after}&wait=30"
            headers = sign_request(device, "GET", path, query)
            if first:
                waiting += 1
                if waiting == POLLERS:
                    ready.set()
                first = False
            async with session.get(f"{relay.url}{path}?{query}", headers=headers) as response:
                body = await response.read()
            received = time.time()
            assert response.status == 200, body
            data = cbor2.loads(body)
            for _seq, raw in data["packages"]:
                header = cbor2.loads(cbor2.loads(raw)["h"])
                latencies.append(received - header["hlc"] / 1e6)
            after = data["cursor"]

    poster = devices[0]
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = [
            asyncio.create_task(poller(session, devices[i % len(devices)])) for i in range(POLLERS)
        ]
        await ready.wait()
        await asyncio.sleep(2.0)  # let every long poll reach the relay
        for round_ in range(ROUNDS):
            sent = int(time.time() * 1e6)
            header = PackageHeader(
                PACKAGE_VERSION, op, epoch, poster.device_id, round_ + 1, "record", sent
            )
            body = cbor2.dumps([assemble_package(poster, header, os.urandom(2048))])
            headers = {
                "Content-Type": "application/cbor",
                **sign_request(poster, "POST", path, "", body),
            }
            async with session.post(relay.url + path, data=body, headers=headers) as response:
                assert response.status == 200
            await asyncio.sleep(0.5)  # one fan-out at a time: each post measured on its own
        deadline = time.monotonic() + 20
        while len(latencies) < POLLERS * ROUNDS and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        stop = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert len(latencies) == POLLERS * ROUNDS
    ordered = sorted(latencies)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


async def _fanout_sse(relay: RelayProcess) -> dict[str, float]:
    """The same fan-out over server-sent events: one request per client, no re-polls."""
    _coord, devices, op, epoch = await asyncio.to_thread(_operation, relay, 10)
    path = f"/v1/operations/{op.hex()}/events"
    latencies: list[float] = []
    connected = 0
    ready = asyncio.Event()

    async def listener(session: aiohttp.ClientSession, device: Identity) -> None:
        nonlocal connected
        query = "after=0"
        headers = sign_request(device, "GET", path, query)
        async with session.get(f"{relay.url}{path}?{query}", headers=headers) as response:
            assert response.status == 200
            connected += 1
            if connected == POLLERS:
                ready.set()
            async for line in response.content:
                if line.startswith(b"data: ") and len(line) > 8:
                    received = time.time()
                    data = line[6:].strip()
                    raw = base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))
                    header = cbor2.loads(cbor2.loads(raw)["h"])
                    latencies.append(received - header["hlc"] / 1e6)

    poster = devices[0]
    packages_path = f"/v1/operations/{op.hex()}/packages"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [
            asyncio.create_task(listener(session, devices[i % len(devices)]))
            for i in range(POLLERS)
        ]
        await asyncio.wait_for(ready.wait(), 120)
        await asyncio.sleep(1.0)
        for round_ in range(ROUNDS):
            sent = int(time.time() * 1e6)
            header = PackageHeader(
                PACKAGE_VERSION, op, epoch, poster.device_id, round_ + 1, "record", sent
            )
            body = cbor2.dumps([assemble_package(poster, header, os.urandom(2048))])
            headers = {
                "Content-Type": "application/cbor",
                **sign_request(poster, "POST", packages_path, "", body),
            }
            async with session.post(relay.url + packages_path, data=body, headers=headers) as r:
                assert r.status == 200
            await asyncio.sleep(0.5)
        deadline = time.monotonic() + 20
        while len(latencies) < POLLERS * ROUNDS and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    ordered = sorted(latencies)
    return {
        "sse_delivered": len(ordered),
        "sse_p50_ms": statistics.median(ordered) * 1000,
        "sse_p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
    }


def _report(results: dict[str, object]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print("\nrelay benchmark:", json.dumps(results, indent=2))


@pytest.mark.timeout(900)
def test_relay_benchmarks(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    results: dict[str, object] = {
        "clients": CLIENTS,
        "batch": BATCH,
        "packages": PACKAGES,
        "pollers": POLLERS,
        "load_average_at_start": os.getloadavg()[0],  # the machine is shared by other sessions
    }
    baseline = _baseline_ingest(tmp_path)
    relay = RelayProcess(tmp_path / "sqlite").start()
    try:
        sqlite_rate = _relay_ingest(relay)
        sqlite_fanout = asyncio.run(_fanout(relay))
        sqlite_sse = asyncio.run(_fanout_sse(relay))
    finally:
        relay.stop()
    strict = RelayProcess(
        tmp_path / "strict", env={"CORDON_RELAY_VERIFY_ALL_PACKAGE_SIGNATURES": "true"}
    ).start()
    try:
        strict_rate = _relay_ingest(strict)
    finally:
        strict.stop()
    results["sqlite"] = {
        "ingest_per_s": round(sqlite_rate),
        "ingest_verify_all_per_s": round(strict_rate),
        **sqlite_fanout,
        **sqlite_sse,
    }
    results["baseline_starlette_sqlite_per_s"] = round(baseline)
    results["ratio_to_baseline"] = round(sqlite_rate / baseline, 2)
    try:
        postgres = request.getfixturevalue("postgres")
    except pytest.skip.Exception:
        postgres = None
    if postgres is not None:
        pg_relay = RelayProcess(tmp_path / "pg", postgres.url).start()
        try:
            results["postgres"] = {
                "ingest_per_s": round(_relay_ingest(pg_relay)),
                **asyncio.run(_fanout(pg_relay)),
            }
        finally:
            pg_relay.stop()
    results["load_average_at_end"] = os.getloadavg()[0]
    _report(results)
    assert sqlite_rate >= 5000, results
    assert sqlite_rate >= 0.4 * baseline, results
    assert sqlite_fanout["p99_ms"] <= 100, results
