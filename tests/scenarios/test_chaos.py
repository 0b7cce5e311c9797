"""Scenario 9 of issue 5: three clients and 2,000 messages through a proxy that drops, delays,
duplicates and resets connections; every message arrives exactly once and all converge.

CORDON_SCENARIO_MESSAGES sets a smaller count for quick runs."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

from sync.client.local import LocalChanges
from sync.store import keyfile
from sync.store import profile as profiles
from tests.scenarios.chaos import ChaosProxy
from tests.scenarios.conftest import FixedPortRelay, Person, start_operation

MESSAGES = int(os.environ.get("CORDON_SCENARIO_MESSAGES", "2000"))


@pytest.fixture
def proxy(relay: FixedPortRelay) -> Iterator[ChaosProxy]:
    chaos = ChaosProxy(relay.port)
    yield chaos
    chaos.close()


def test_9_unreliable_network_converges(
    relay: FixedPortRelay,
    proxy: ChaosProxy,
    people: dict[str, Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")
    relay.url = proxy.url  # everyone, the operation included, goes through the proxy
    op = start_operation(relay, people)
    trio = [people[n] for n in "CAB"]
    for n, person in enumerate(trio):
        share = MESSAGES // 3 + (1 if n < MESSAGES % 3 else 0)
        profile = profiles.unlock(person.home, person.env()["CORDON_PASSPHRASE"])
        with contextlib.closing(profile):
            changes = LocalChanges(profile, op)
            for i in range(share):
                changes.send_message(f"{person.name}-{i}", "status report", alert=False, to=None)
    proxy.enable()
    for _round in range(6):
        for person in trio:
            done = person.run("sync", op, "--wait", "120", timeout=600)
            assert done.returncode == 0, done.stderr
        subjects = [sorted(m["subject"] for m in p.ok("msg", "list", op)) for p in trio]
        if all(len(s) == MESSAGES for s in subjects):
            break
    assert subjects[0] == subjects[1] == subjects[2]
    assert len(subjects[0]) == len(set(subjects[0])) == MESSAGES
    assert proxy.counts["reset"] and proxy.counts["dropped"] and proxy.counts["duplicated"]
    print(f"\nscenario 9: {MESSAGES} messages, proxy {proxy.counts}")
