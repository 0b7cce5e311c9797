"""The hostile relay itself: it passes an honest exchange through, and does what it is told."""

from __future__ import annotations

import pytest

from sync.client.local import LocalChanges
from sync.client.relay_http import RelayError
from tests.adversarial.conftest import Team
from tests.adversarial.hostile import Answer, Recorder, packages_of, reorder_packages


def test_the_proxy_passes_an_honest_round_through(team: Team) -> None:
    op = team.operation()
    a, b = team["A"], team["B"]
    LocalChanges(a.profile, op).send_message("hello", "from A", alert=False, to=None)
    assert a.sync(op).sent == 1
    assert b.sync(op).received == 1
    assert team.proxy.requests("POST", "/v1/operations/OP/packages")
    assert all(not e.scripted for e in team.proxy.log)
    assert "packages" in team.db.tables()


def test_the_proxy_rewrites_records_and_forges(team: Team) -> None:
    op = team.operation(members={"A": "participant"})
    a, c = team["A"], team["C"]
    for n in range(3):
        LocalChanges(a.profile, op).send_message(f"m{n}", "body", alert=False, to=None)
    a.sync(op)
    recorder = Recorder()
    team.proxy.on("GET", "/v1/operations/OP/packages", respond=recorder, times=1)
    team.proxy.on("GET", "/v1/operations/OP/packages", respond=reorder_packages)
    assert c.sync(op).received == 3
    assert len(packages_of(recorder.answers[0])) == 3
    team.proxy.clear()
    team.proxy.on("GET", "/v1/operations/OP", answer=lambda _r: Answer(418, b"tea"))
    with pytest.raises(RelayError) as refused:
        c.engine.client(team.proxy.url).operation_state(bytes.fromhex(op))
    assert refused.value.status == 418
    # A request replayed as it was is refused by the relay itself (its signature is spent).
    replayed = team.proxy.forward(team.proxy.requests("GET", "/v1/operations/OP/packages")[0])
    assert replayed.status == 401
