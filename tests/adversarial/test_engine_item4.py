"""Issue 15, item 4: a withheld roster change. Packages name their sender's head commit; a
receiver catches up before applying, stops when the relay withholds the commits, writes nothing
under the old epoch meanwhile, and takes back what a removed member wrote after its removal."""

from __future__ import annotations

import pytest

from sync.client import lifecycle
from sync.client.local import UNSEALED, LocalChanges, seal_outbox
from sync.errors import CordonError
from sync.protocol import parse_package
from tests.adversarial.conftest import Team, change_role, person
from tests.adversarial.hostile import inject_packages, withhold_commits_after

WITHHELD = (
    "The relay holds back a change of members that another member has already seen; nothing "
    "more was applied or sent."
)


def test_a_receiver_behind_catches_up_or_stops_and_writes_nothing_under_the_old_epoch(
    team: Team,
) -> None:
    op = team.operation()
    a, b = team["A"], team["B"]
    old_epoch = b.engine.keys(op).latest.epoch
    new_epoch = change_role(team, "C", op, "A", "coordinator")  # a roster change
    a.sync(op)
    LocalChanges(a.profile, op).send_message("after the change", "text", alert=False, to=None)
    a.sync(op)
    posted = [parse_package(e.payload) for e in a.profile.store.outbox.pending(op, limit=10)]
    assert posted == []  # sent

    # The relay hides the new commit from B, who has its own message queued.
    team.proxy.on(
        "GET", "/v1/operations/OP/commits", respond=withhold_commits_after(old_epoch), device=b.id
    )
    LocalChanges(b.profile, op).send_message("from B", "text", alert=False, to=None)
    cursor = b.profile.store.outbox.cursor(op, team.proxy.url)
    with pytest.raises(CordonError) as stopped:
        b.sync(op)
    assert str(stopped.value) == WITHHELD
    assert b.profile.store.messages.list(op)[0].subject == "from B"  # only its own
    assert len(b.profile.store.messages.list(op)) == 1
    assert b.profile.store.outbox.cursor(op, team.proxy.url) == cursor
    assert not team.proxy.requests("POST", "/v1/operations/OP/packages") or all(
        r.device != b.id for r in team.proxy.requests("POST", "/v1/operations/OP/packages")
    )
    assert [e.kind for e in b.profile.store.outbox.pending(op)] == [UNSEALED]  # not sealed

    # Once the relay gives the commit, B catches up, applies A's message, and seals its own
    # under the new epoch.
    team.proxy.clear()
    report = b.sync(op)
    assert report.received == 1 and report.sent == 1
    assert b.engine.keys(op).latest.epoch == new_epoch
    sent = [
        r for r in team.proxy.requests("POST", "/v1/operations/OP/packages") if r.device == b.id
    ]
    assert sent


def test_a_package_naming_a_newer_commit_makes_the_receiver_catch_up(team: Team) -> None:
    op = team.operation()
    a, b = team["A"], team["B"]
    b.sync(op)
    new_epoch = change_role(team, "C", op, "A", "coordinator")
    a.sync(op)
    LocalChanges(a.profile, op).send_message("after the change", "text", alert=False, to=None)
    a.sync(op)
    # B's commit fetch at the start of its round is answered from before the change (a slow or
    # lagging relay replica); the package names the newer commit, so B fetches commits again.
    team.proxy.on(
        "GET",
        "/v1/operations/OP/commits",
        respond=withhold_commits_after(new_epoch - 1),
        device=b.id,
        times=1,
    )
    report = b.sync(op)
    assert report.received == 1 and report.rejected == 0
    assert b.engine.keys(op).latest.epoch == new_epoch


def test_packages_of_a_removed_member_sealed_after_its_removal_are_taken_back(
    team: Team,
) -> None:
    op = team.operation()
    a, b, c = team["A"], team["B"], team["C"]
    LocalChanges(a.profile, op).send_message("before removal", "kept", alert=False, to=None)
    own = LocalChanges(a.profile, op).add_records("person", 1, [person("Okafor")], "submitted")[0]
    a.sync(op)
    b.sync(op)
    removal_epoch = lifecycle.remove(c.engine, op, a.id)
    # A never learns of its removal and keeps writing; the relay (which refuses A's posts
    # itself) hides the removal from B and serves B what A wrote.
    changes = LocalChanges(a.profile, op)
    changes.send_message("after removal", "leaked", alert=False, to=None)
    changes.add_records("person", 1, [person("Planted")], "submitted")
    changes.revise(own, {"family_name": "Altered"})  # a draft would stay on A's device
    seal_outbox(a.profile, a.profile.store, op, a.engine.keys(op))
    late = [e.payload for e in a.profile.store.outbox.pending(op)]
    assert len(late) == 3
    team.proxy.on(
        "GET",
        "/v1/operations/OP/commits",
        respond=withhold_commits_after(removal_epoch - 1),
        device=b.id,
    )
    team.proxy.on(
        "GET", "/v1/operations/OP/packages", respond=inject_packages(late), device=b.id, times=1
    )
    assert b.sync(op).received == 3  # B cannot tell yet
    assert {m.subject for m in b.profile.store.messages.list(op)} == {
        "before removal",
        "after removal",
    }
    assert b.profile.store.records.count(op) == 2
    altered = b.profile.store.records.get(op, own)
    assert altered is not None and altered.fields["family_name"] == "Altered"

    team.proxy.clear()
    report = b.sync(op)
    assert report.notices == [
        "3 changes from Officer A, written after their removal, were taken back out."
    ]
    assert [m.subject for m in b.profile.store.messages.list(op)] == ["before removal"]
    assert b.profile.store.records.count(op) == 1
    restored = b.profile.store.records.get(op, own)
    assert restored is not None and restored.fields["family_name"] == "Okafor"
    assert restored.status == "submitted" and restored.revision == 1
    assert [r.revision for r in b.profile.store.records.history(op, own)] == [1]
    assert b.profile.store.search("Altered", op) == []
    assert b.profile.store.search("Planted", op) == []
