"""Issue 20 item 7: a duplicated request does not make a sync fail as if the device was refused.

The real relay process behind a proxy that delivers a request twice and hands the client the
answer to the second copy (a 401 ``replayed``: its signature was spent by the first). The sync
engine that ``cordon sync`` runs must sign again and finish the round, sending and receiving.
"""

from __future__ import annotations

from urllib.parse import urlencode

from sync.client.local import LocalChanges
from tests.adversarial.conftest import (  # noqa: F401 - fixtures used by name
    Team,
    _cheap_kdf,
    proxy,
    relay,
    team,
)
from tests.adversarial.hostile import Answer, HostileRelay, Request, Respond


def _delivered_twice(hostile: HostileRelay) -> Respond:
    def respond(request: Request, _first: Answer) -> Answer:
        # The network's second copy, exactly as sent: its answer is the one that reaches the client.
        query = urlencode(request.query)
        return hostile.forward(request, request.path + ("?" + query if query else ""))

    return respond


def test_a_sync_through_a_duplicating_network_succeeds(team: Team) -> None:  # noqa: F811
    op = team.operation()
    a, b = team["A"], team["B"]
    LocalChanges(a.profile, op).send_message("hello", "from A", alert=False, to=None)
    for method, path in (
        ("POST", "/v1/operations/OP/packages"),
        ("GET", "/v1/operations/OP/packages"),
        ("GET", "/v1/operations/OP/commits"),
    ):
        team.proxy.on(method, path, respond=_delivered_twice(team.proxy), times=1)
    assert a.sync(op).sent == 1
    assert b.sync(op).received == 1
    duplicated = [e for e in team.proxy.log if e.scripted]
    assert duplicated, "the proxy duplicated nothing: the test does not test anything"
    assert all(e.answer.status == 401 for e in duplicated)
