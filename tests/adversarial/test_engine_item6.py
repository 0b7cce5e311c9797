"""Issue 15, item 6: a clock from the future (or another device's clock) is refused, and no
received value can push this device's clock so far that the others refuse what it writes."""

from __future__ import annotations

import time

import pytest

from sync.client import pull
from sync.client.items import MessageItem
from sync.client.local import LocalChanges
from sync.client.pull import OBSERVE_AHEAD_MS
from sync.store.clock import format_hlc, parse_hlc
from sync.store.ids import new_id
from tests.adversarial.conftest import Team

AHEAD = "Package refused: its clock runs more than 10 minutes ahead."


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def test_a_clock_from_the_future_is_refused_and_does_not_poison_the_receiver(team: Team) -> None:
    op = team.operation()
    a, b, c = team["A"], team["B"], team["C"]
    # A (an insider) sets its clock a year ahead and writes.
    a.profile.clock.observe(format_hlc(_now_ms() + 365 * 24 * 3600 * 1000, 0, a.id))
    LocalChanges(a.profile, op).send_message("from the future", "text", alert=False, to=None)
    a.sync(op)

    report = b.sync(op)
    assert report.received == 0 and report.rejected == 1 and report.reasons == [AHEAD]
    assert b.profile.store.messages.list(op) == []
    physical, _counter, _node = parse_hlc(b.profile.clock.now())
    assert physical <= _now_ms() + 1000  # B's clock did not move

    # B's next writes are accepted by C.
    LocalChanges(b.profile, op).send_message("from now", "text", alert=False, to=None)
    b.sync(op)
    report = c.sync(op)
    assert report.received == 1 and report.reasons == [AHEAD]


def test_a_clock_naming_another_device_is_refused(team: Team) -> None:
    op = team.operation(members={"A": "participant"})
    a, c = team["A"], team["C"]
    forged = MessageItem(new_id(), "posing", "as C", False, format_hlc(_now_ms(), 0, c.id))
    LocalChanges(a.profile, op).commit([forged])
    a.sync(op)
    report = c.sync(op)
    assert report.rejected == 1
    assert report.reasons == ["Package refused: a clock value in it names another device."]
    assert c.profile.store.messages.list(op) == []


def test_an_accepted_clock_ahead_moves_the_receiver_only_so_far(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    op = team.operation()
    a, b, c = team["A"], team["B"], team["C"]
    a.profile.clock.observe(format_hlc(_now_ms() + 9 * 60 * 1000, 0, a.id))  # within 10 min
    LocalChanges(a.profile, op).send_message("a little ahead", "text", alert=False, to=None)
    a.sync(op)
    assert b.sync(op).received == 1  # accepted
    physical, _counter, _node = parse_hlc(b.profile.clock.now())
    assert physical <= _now_ms() + OBSERVE_AHEAD_MS + 1000
    LocalChanges(b.profile, op).send_message("reply", "text", alert=False, to=None)
    b.sync(op)
    # A member whose clock runs 4 minutes behind still takes what B writes after observing
    # A's clock (B's clock followed it only so far), while A's own message is now too far ahead.
    monkeypatch.setattr(pull, "now_ms_here", lambda: _now_ms() - 4 * 60 * 1000)
    report = c.sync(op)
    assert report.received == 1 and report.reasons == [AHEAD]
    assert [m.subject for m in c.profile.store.messages.list(op)] == ["reply"]
