"""Benchmark: an offline member catches up 10,000 packages holding 100,000 records from a local
relay (real ``cordon-relay serve`` process) in <= 20 s. Prints records/s and the ratio to a raw
insert of the same rows into an encrypted store (``Records.create``, one transaction per ten
rows, as the packages carry them), measured in the same run."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client import lifecycle
from sync.client.engine import SyncEngine
from sync.client.items import PACKAGE_KIND, RecordItem, encode_body, header_clock
from sync.crypto.packages import seal_package
from sync.services import roster
from sync.store import keyfile
from sync.store import profile as profiles
from sync.store.db import Store
from sync.store.ids import new_id
from sync.store.operations import Operation
from tests.sync.relay.conftest import RelayProcess

PACKAGES = int(os.environ.get("CORDON_BENCH_PACKAGES", "10000"))
PER_PACKAGE = 10
LIMIT_SECONDS = 20.0


def _fields(n: int) -> dict[str, object]:
    return {
        "family_name": f"Okafor-{n}",
        "given_names": "Chinedu Emeka",
        "role": "courier",
        "nationality": "NG",
        "remarks": f"Intercepted at gate {n % 40}, 12 kg in a suitcase lining, flight ET{n % 900}",
        "handling_code": "H1",
        "source_reliability": "B",
        "information_accuracy": "2",
    }


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayProcess]:
    process = RelayProcess(tmp_path / "relay").start()
    yield process
    process.stop()


def test_offline_member_catches_up(
    relay: RelayProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")
    c = profiles.create(tmp_path / "C", "pw", "Officer C", "Customs", "FR")
    b = profiles.create(tmp_path / "B", "pw", "Officer B", "Police", "NG")
    coordinator, member = SyncEngine(c), SyncEngine(b)
    op = lifecycle.create_operation(coordinator, "Bench", relay.url, ["person"], None)
    lifecycle.join(member, lifecycle.invite(coordinator, op, "participant"))
    roster.admit(coordinator, op, b.device_id, fingerprint=b.identity.public.fingerprint)
    assert lifecycle.try_activate(member, op)

    # The coordinator's packages, sealed and posted straight to the relay.
    keys = coordinator.keys(op)
    client = coordinator.client(relay.url)
    rows: list[list[RecordItem]] = []
    batch: list[bytes] = []
    for seq in range(1, PACKAGES + 1):
        items = []
        for i in range(PER_PACKAGE):
            hlc = c.clock.now()
            items.append(
                RecordItem(new_id(), "person", 1, _fields(seq * 10 + i), "draft", new_id(), hlc)
            )
        rows.append(items)
        batch.append(
            seal_package(
                c.identity,
                keys,
                kind=PACKAGE_KIND,
                seq=seq,
                hlc=header_clock(hlc),
                body=encode_body(items),
            )
        )
        if len(batch) == 500:
            client.post_packages(bytes.fromhex(op), batch)
            batch = []
    if batch:
        client.post_packages(bytes.fromhex(op), batch)
    total = PACKAGES * PER_PACKAGE

    started = time.perf_counter()
    report = member.sync(op)
    elapsed = time.perf_counter() - started
    assert report.received == PACKAGES and report.rejected == 0
    assert b.store.records.count(op) == total

    # Baselines: the same rows into fresh encrypted stores, no crypto, no network: one
    # transaction per package's ten rows (as packages carry them), and all in one transaction.
    baselines = []
    for per_transaction in (PER_PACKAGE, total):
        raw = Store.create(tmp_path / f"raw-{per_transaction}.db", os.urandom(32))
        raw.operations.save(Operation(op, "Bench", "participant", "active"))
        flat = [item for items in rows for item in items]
        started = time.perf_counter()
        for first in range(0, total, per_transaction):
            with raw.transaction():
                for item in flat[first : first + per_transaction]:
                    raw.records.create(
                        op,
                        item.template_id,
                        item.template_version,
                        item.fields,
                        c.device_id,
                        item.hlc,
                        record_id=item.record_id,
                        revision_id=item.revision_id,
                    )
        baselines.append(time.perf_counter() - started)
        raw.close()
    c.close()
    b.close()
    per_package, one_transaction = baselines
    print(
        f"\ncatch-up: {PACKAGES} packages, {total} records in {elapsed:.2f} s "
        f"({total / elapsed:,.0f} records/s, target <= {LIMIT_SECONDS:.0f} s: "
        f"{'met' if elapsed <= LIMIT_SECONDS else 'NOT met'})\n"
        f"raw insert, one transaction per 10 rows: {per_package:.2f} s "
        f"({total / per_package:,.0f} records/s), catch-up ratio {elapsed / per_package:.2f}x\n"
        f"raw insert, one transaction: {one_transaction:.2f} s "
        f"({total / one_transaction:,.0f} records/s), catch-up ratio "
        f"{elapsed / one_transaction:.2f}x"
    )
