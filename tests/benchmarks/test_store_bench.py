"""Store benchmarks (``make bench``): each figure printed beside its baseline from the same run.

* insert 100,000 records (~500 bytes each, full-text indexed) into the encrypted store vs the
  same rows, same schema and same code into an unencrypted database of the same SQLite build
  (target: ratio <= 1.15);
* search p95 over those 100,000 records for rare, common, prefix and two-term queries
  (target: <= 50 ms);
* unlock, Argon2id and open (target: <= 0.5 s).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sync.store import profile
from sync.store.db import Store
from sync.store.operations import Operation

RECORDS = int(os.environ.get("CORDON_BENCH_RECORDS", "100000"))
BATCH = 1000
SEARCH_RUNS = 60

WORDS = [
    "container",
    "vessel",
    "cocaine",
    "heroin",
    "cannabis",
    "resin",
    "tablets",
    "counterfeit",
    "cigarettes",
    "cargo",
    "luggage",
    "passenger",
    "flight",
    "airport",
    "seaport",
    "border",
    "declared",
    "undeclared",
    "concealment",
    "false",
    "bottom",
    "suitcase",
    "pallet",
    "bananas",
    "coffee",
    "timber",
    "ivory",
    "pangolin",
    "scales",
    "precursor",
    "chemicals",
    "customs",
    "police",
    "officer",
    "inspection",
    "scanner",
    "dog",
    "profiling",
    "random",
    "check",
    "intelligence",
    "route",
    "departure",
    "transit",
    "destination",
    "consignee",
    "shipper",
    "invoice",
    "manifest",
    "driver",
    "truck",
    "trailer",
]
PLACES = [
    "Rotterdam",
    "Antwerpen",
    "Guayaquil",
    "Santos",
    "Lomé",
    "Dakar",
    "Hamburg",
    "Algeciras",
    "Le Havre",
    "Lagos",
    "Jeddah",
    "Shanghai",
]


def row(rng: random.Random, i: int) -> dict[str, object]:
    words = " ".join(rng.choice(WORDS) for _ in range(55))
    fields: dict[str, object] = {
        "description": f"Seizure {i}: {words}",
        "place": rng.choice(PLACES),
        "quantity_kg": round(rng.uniform(0.1, 900), 1),
        "container": f"MSCU{rng.randrange(10**7):07d}",
        "date": f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
    }
    if i % 20000 == 7:
        fields["note"] = "zanzibarite residue"  # the rare term: 5 records in 100,000
    return fields


def fill(stores: list[Store], count: int) -> list[float]:
    """Insert ``count`` records into each store through the store's own API, a batch into
    one then the same batch into the other, so a change in the machine's load (other
    processes) hits both alike; returns the seconds spent on each store."""
    rng = random.Random(1234)
    rows = [row(rng, i) for i in range(count)]  # generated outside the timed part
    spent = [0.0 for _ in stores]
    for store in stores:
        store.operations.save(Operation("op", "Bench", "coordinator", "active"))
    for base in range(0, count, BATCH):
        for n, store in enumerate(stores):
            start = time.perf_counter()
            with store.transaction():
                for i in range(base, min(base + BATCH, count)):
                    store.records.create("op", "seizure", 1, rows[i], "dev", f"{i:013d}.0000.dev")
            spent[n] += time.perf_counter() - start
    return spent


@pytest.fixture(scope="module")
def filled(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Store, Store, float, float]]:
    folder = tmp_path_factory.mktemp("bench")
    plain = Store.open_unencrypted_for_baseline(folder / "plain.db")
    encrypted = Store.create(folder / "encrypted.db", os.urandom(32))
    plain_s, encrypted_s = fill([plain, encrypted], RECORDS)
    yield plain, encrypted, plain_s, encrypted_s
    plain.close()
    encrypted.close()


def test_insert_ratio(filled: tuple[Store, Store, float, float]) -> None:
    plain, encrypted, plain_s, encrypted_s = filled
    assert encrypted.records.count("op") == plain.records.count("op") == RECORDS
    ratio = encrypted_s / plain_s
    print(
        f"\ninsert {RECORDS:,} records with FTS: encrypted {encrypted_s:.2f} s "
        f"({RECORDS / encrypted_s:,.0f}/s) vs unencrypted baseline {plain_s:.2f} s "
        f"({RECORDS / plain_s:,.0f}/s): ratio {ratio:.3f} (target <= 1.15)"
    )
    assert ratio <= 1.15


def p95(fn: Callable[[], object]) -> float:
    fn()  # warm the page cache as a running app would
    times = []
    for _ in range(SEARCH_RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.quantiles(times, n=20)[18]


QUERIES = {
    "rare": ("zanzibarite", lambda n: 1 <= n <= 5),
    "common": ("cocaine", lambda n: n == 50),
    "prefix": ("counterf", lambda n: n == 50),
    "two-term": ("pangolin Guayaquil", lambda n: n == 50),
}


@pytest.mark.parametrize("kind", list(QUERIES))
def test_search_p95(filled: tuple[Store, Store, float, float], kind: str) -> None:
    plain, encrypted, _, _ = filled
    query, check = QUERIES[kind]
    assert check(len(encrypted.search(query, "op")))
    enc = p95(lambda: encrypted.search(query, "op"))
    base = p95(lambda: plain.search(query, "op"))
    print(
        f"\nsearch p95 over {RECORDS:,} records, {kind} query {query!r}: encrypted "
        f"{enc * 1000:.1f} ms vs unencrypted {base * 1000:.1f} ms (target <= 50 ms)"
    )
    assert enc <= 0.050


def test_unlock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.store import keyfile

    monkeypatch.delenv(keyfile.TEST_MEMORY_ENV, raising=False)
    profile.create(tmp_path / "p", "bench passphrase", "Bench", "Customs", "FR").close()
    params = keyfile.read(tmp_path / "p" / profile.KEY_FILE).params
    walls, cpus, kdf = [], [], []
    for _ in range(7):
        start = time.perf_counter()
        params.derive("bench passphrase")
        kdf.append(time.perf_counter() - start)
        start, cpu = time.perf_counter(), time.process_time()
        profile.unlock(tmp_path / "p", "bench passphrase").close()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    # The best of 7 is what the machine can do; the median and max show what other
    # processes competing for the CPU cost (the build machine runs several sessions).
    print(
        f"\nunlock (Argon2id {params.memory_kib // 1024} MiB, t={params.iterations}, "
        f"p={params.lanes} + open): best {min(walls) * 1000:.0f} ms, median "
        f"{statistics.median(walls) * 1000:.0f} ms, max {max(walls) * 1000:.0f} ms, CPU "
        f"{statistics.median(cpus) * 1000:.0f} ms; Argon2id alone best "
        f"{min(kdf) * 1000:.0f} ms (target <= 500 ms)"
    )
    assert min(walls) <= 0.5
