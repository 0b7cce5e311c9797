"""Scenario 6 of issue 5: ``kill -9`` of a syncing client at random points; afterwards every
package is applied exactly once and the store passes its integrity check.

Fewer kills or packages can be chosen with CORDON_SCENARIO_KILLS / CORDON_SCENARIO_PACKAGES."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from sync.client.engine import SyncEngine
from sync.client.items import PACKAGE_KIND, MessageItem, encode_body, header_clock
from sync.crypto.packages import seal_package
from sync.store import keyfile
from sync.store import profile as profiles
from sync.store.ids import new_id
from tests.scenarios.conftest import FixedPortRelay, Person, start_operation

KILLS = int(os.environ.get("CORDON_SCENARIO_KILLS", "20"))
# Enough that the sync is still running after several kills: since the search indexes are fed
# in bulk (store migration 0007), 5,000 packages were applied before the second kill.
PACKAGES = int(os.environ.get("CORDON_SCENARIO_PACKAGES", "20000"))


def post_messages(person: Person, op: str, count: int, relay_url: str) -> None:
    """``count`` packages of one message each, sealed by ``person`` and posted to the relay."""
    profile = profiles.unlock(person.home, person.env()["CORDON_PASSPHRASE"])
    try:
        engine = SyncEngine(profile)
        keys = engine.keys(op)
        client = engine.client(relay_url)
        batch = []
        for seq in range(1, count + 1):
            hlc = profile.clock.now()
            body = encode_body([MessageItem(new_id(), f"Bulletin {seq}", "text " * 20, False, hlc)])
            batch.append(
                seal_package(
                    profile.identity,
                    keys,
                    kind=PACKAGE_KIND,
                    seq=10_000 + seq,
                    hlc=header_clock(hlc),
                    body=body,
                )
            )
            if len(batch) == 500 or seq == count:
                client.post_packages(bytes.fromhex(op), batch)
                batch = []
    finally:
        profile.close()


def test_6_kill_9_during_sync(
    relay: FixedPortRelay, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")
    op = start_operation(relay, people, members="A")
    a, c = people["A"], people["C"]
    post_messages(c, op, PACKAGES, relay.url)
    rng = random.Random(6)
    kills = 0
    for _ in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop.main", "sync", op, "--json", "--home", str(a.home)],
            env=a.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.25, 0.8))  # some kills land in start-up, most mid-apply
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
    final = a.ok("sync", op)
    assert final["rejected"] == 0
    profile = profiles.unlock(a.home, a.env()["CORDON_PASSPHRASE"])
    with contextlib.closing(profile):
        store = profile.store
        assert store.integrity_check()
        applied = store.query_one(
            "SELECT count(*), count(DISTINCT package_id) FROM applied_packages "
            "WHERE operation_id = ? AND sender = ?",
            (op, c.device_id),
        )
        assert applied == (PACKAGES, PACKAGES)
        (messages,) = store.query_one(
            "SELECT count(*) FROM messages WHERE operation_id = ? AND subject LIKE 'Bulletin %'",
            (op,),
        ) or (0,)
        assert messages == PACKAGES
    assert kills >= min(KILLS, 3), "the sync finished before it could be interrupted"
    print(f"\nscenario 6: {kills} kill -9 during the sync of {PACKAGES} packages")
