"""Issue 15, item 7: a malformed relay answer is one sentence and changes nothing; a pull is
bounded (the cursor must move on, and a round fetches a limited number of pages)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import cbor2
import pytest

from sync.client.local import LocalChanges
from sync.client.pull import MAX_PAGES_PER_ROUND
from sync.client.relay_http import RelayError
from sync.store import keyfile
from tests.adversarial.conftest import Team
from tests.adversarial.hostile import Answer, Request

MALFORMED = "The relay sent a damaged answer."


def _cbor(value: Any) -> Answer:
    return Answer(200, cbor2.dumps(value), {"Content-Type": "application/cbor"})


def _after(request: Request) -> int:
    return int(request.query.get("after", "0"))


PAGES = {
    "not CBOR": lambda r: Answer(200, b"\xff\x00garbage", {"Content-Type": "application/cbor"}),
    "a list": lambda r: _cbor([1, 2, 3]),
    "no cursor": lambda r: _cbor({"packages": []}),
    "packages not a list": lambda r: _cbor({"packages": "many", "cursor": _after(r) + 1}),
    "entry not a pair": lambda r: _cbor({"packages": [[_after(r) + 1]], "cursor": _after(r) + 1}),
    "package not bytes": lambda r: _cbor(
        {"packages": [[_after(r) + 1, 7]], "cursor": _after(r) + 1}
    ),
    "cursor as text": lambda r: _cbor({"packages": [], "cursor": "12"}),
    "cursor going back": lambda r: _cbor({"packages": [[_after(r), b"x"]], "cursor": _after(r)}),
    "page cursor behind": lambda r: _cbor(
        {"packages": [[_after(r) + 5, b"x"]], "cursor": _after(r) + 1}
    ),
    "too many": lambda r: _cbor(
        {"packages": [[_after(r) + n, b"x"] for n in range(1, 1003)], "cursor": _after(r) + 1002}
    ),
}  # fmt: skip

COMMITS = {
    "commits not bytes": lambda r: _cbor({"commits": [1, 2]}),
    "commits a map": lambda r: _cbor({"commits": {"a": b"b"}}),
    "no commits key": lambda r: _cbor({}),
}


def _state(team: Team, op: str, name: str) -> tuple[Any, ...]:
    store = team[name].profile.store
    return (
        store.outbox.cursor(op, team.proxy.url),
        store.records.count(op),
        [m.message_id for m in store.messages.list(op)],
        store.outbox.last_sender_seq(op, team["A"].id),
        team[name].engine.keys(op).latest.hash,
    )


@pytest.mark.parametrize(
    ("path", "forge"),
    [("/v1/operations/OP/packages", f) for f in PAGES.values()]
    + [("/v1/operations/OP/commits", f) for f in COMMITS.values()],
    ids=[*PAGES, *COMMITS],
)
def test_each_malformed_answer_is_one_sentence_and_changes_nothing(
    team: Team, path: str, forge: Any
) -> None:
    op = team.operation(members={"A": "participant"})
    a = team["A"]
    LocalChanges(a.profile, op).send_message("subject", "text", alert=False, to=None)
    a.sync(op)
    before = _state(team, op, "C")
    team.proxy.on("GET", path, answer=forge)
    with pytest.raises(RelayError) as refused:
        team["C"].sync(op)
    assert str(refused.value) == MALFORMED
    assert _state(team, op, "C") == before


def test_a_malformed_post_answer_is_one_sentence(team: Team) -> None:
    op = team.operation(members={"A": "participant"})
    a = team["A"]
    LocalChanges(a.profile, op).send_message("subject", "text", alert=False, to=None)
    team.proxy.on("POST", "/v1/operations/OP/packages", respond=lambda r, _a: _cbor({"x": 1}))
    with pytest.raises(RelayError) as refused:
        a.sync(op)
    assert str(refused.value) == MALFORMED
    assert len(a.profile.store.outbox.pending(op)) == 1  # still waiting to be sent


def _never_empty(request: Request) -> Answer:
    """Every page holds one more (worthless) package, and the cursor always moves on."""
    after = _after(request)
    return _cbor({"packages": [[after + 1, os.urandom(40)]], "cursor": after + 1})


def test_a_relay_that_never_returns_an_empty_page_does_not_keep_a_round_busy(
    team: Team,
) -> None:
    op = team.operation(members={"A": "participant"})
    c = team["C"]
    team.proxy.on("GET", "/v1/operations/OP/packages", answer=_never_empty)
    started = time.monotonic()
    report = c.sync(op)
    assert time.monotonic() - started < 60
    assert report.more and report.received == 0 and report.rejected == MAX_PAGES_PER_ROUND
    assert sum(e.scripted for e in team.proxy.log) == MAX_PAGES_PER_ROUND
    assert c.profile.store.records.count(op) == 0 and c.profile.store.messages.list(op) == []


def test_cordon_sync_ends_against_a_never_empty_relay_and_a_malformed_one(team: Team) -> None:
    op = team.operation(members={"A": "participant"})
    team.proxy.on("GET", "/v1/operations/OP/packages", answer=_never_empty)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CORDON_")}
    env.update({"CORDON_PASSPHRASE": "pw", keyfile.TEST_MEMORY_ENV: "256"})
    command = [sys.executable, "-m", "desktop.main", "sync", op, "--home", str(team.home / "C")]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    team.proxy.clear()
    team.proxy.on("GET", "/v1/operations/OP/packages", answer=PAGES["package not bytes"])
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == f"cordon: {MALFORMED}", done.stderr
