"""sync.client.state: the commit chain, roster and engine state as the store keeps them."""

from __future__ import annotations

import dataclasses
import time

import pytest

from sync.client import state
from sync.client.local import LocalChanges
from sync.errors import CordonError
from sync.protocol import remove_members
from sync.store.operations import Operation
from tests.sync.client.conftest import Device

PERSON = {
    "role": "courier",
    "handling_code": "H1",
    "source_reliability": "B",
    "information_accuracy": "2",
    "family_name": "Okafor",
}


def test_load_keys_rebuilds_the_chain_and_the_roster_is_in_the_store(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    c, a = d["C"].profile, d["A"].profile
    keys = state.load_keys(a.store, a.identity, op)
    assert [commit.epoch for commit in keys.commits] == [0, 1]
    assert keys.latest.hash == state.load_keys(c.store, c.identity, op).latest.hash
    assert set(keys.export_secrets()) == {1}  # A was added at epoch 1: it holds that secret
    stored = a.store.operations.get(op)
    assert stored is not None
    assert (stored.name, stored.role, stored.current_epoch) == ("Lantern", "participant", 1)
    assert stored.coordinator == c.device_id


def test_add_commits_keeps_only_new_commits(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    a = d["A"].profile
    keys = state.load_keys(a.store, a.identity, op)
    raws = [commit.raw for commit in keys.commits]
    assert state.add_commits(a.store, a.identity, keys, raws) == []
    assert [c.epoch for c in state.load_keys(a.store, a.identity, op).commits] == [0, 1]


def test_a_removal_takes_back_what_the_removed_member_wrote_after_it(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a, b, c = d["A"], d["B"], d["C"]
    LocalChanges(b.profile, op).add_records("person", 1, [PERSON], "submitted")
    before = b.outgoing(op)
    removal, _secret = remove_members(
        c.profile.identity, c.engine.keys(op).latest, [b.profile.identity.device_id]
    )
    time.sleep(0.01)  # B writes in a later millisecond than the removal, not knowing of it
    (late,) = LocalChanges(b.profile, op).add_records(
        "person", 1, [{**PERSON, "family_name": "Late"}], "submitted"
    )
    report = a.engine.receive(op, before + b.outgoing(op))
    assert report.received == 2 and a.profile.store.records.count(op) == 2
    notices: list[str] = []
    keys = a.engine.keys(op)
    (added,) = state.add_commits(a.profile.store, a.profile.identity, keys, [removal.raw], notices)
    assert added.epoch == 2
    assert a.profile.store.records.get(op, late) is None
    assert a.profile.store.records.count(op) == 1  # what B wrote before the removal stays
    assert notices == [
        "1 changes from Officer B, written after their removal, were taken back out."
    ]
    assert b.profile.device_id not in {m.device_id.hex() for m in keys.latest.roster}


def test_require_operation_accepts_a_unique_prefix_of_six_or_more(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    store = d["A"].profile.store
    assert state.require_operation(store, op).operation_id == op
    assert state.require_operation(store, "  " + op[:6].upper() + " ").operation_id == op
    with pytest.raises(CordonError, match="There is no operation"):
        state.require_operation(store, op[:5])
    twin = op[:8] + ("1" if op[8] == "0" else "0") + op[9:]  # shares the first 8 characters
    store.operations.save(Operation(twin, "Twin", "participant", "active"))
    with pytest.raises(CordonError, match="There is no operation"):
        state.require_operation(store, op[:8])  # two match: neither is guessed
    assert state.require_operation(store, op[:9]).operation_id == op


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        ("pending", "You have not been admitted to operation Lantern yet."),
        ("closed", "Operation Lantern is closed; its local copy is read-only."),
        ("removed", "You were removed from operation Lantern; its local copy is read-only."),
        ("shredded", "Operation Lantern was erased from this computer."),
        ("frozen", "Operation Lantern cannot be changed in its present state (frozen)."),
    ],
)
def test_read_only_reason_is_one_sentence_per_status(status: str, sentence: str) -> None:
    op = Operation("ab" * 32, "Lantern", "participant", status)
    assert state.read_only_reason(op) == sentence
    nameless = dataclasses.replace(op, name="")
    assert op.operation_id in state.read_only_reason(nameless)


def test_require_writable_lets_only_active_operations_change() -> None:
    op = Operation("ab" * 32, "Lantern", "participant", "active")
    state.require_writable(op)
    with pytest.raises(CordonError, match="run `cordon sync` later"):
        state.require_writable(dataclasses.replace(op, status="pending"))
    with pytest.raises(CordonError) as closed:
        state.require_writable(dataclasses.replace(op, status="closed"))
    assert str(closed.value) == "Operation Lantern is closed; its local copy is read-only."


def test_engine_state_round_trips_and_lists_are_replaced_whole(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    store = d["C"].profile.store
    assert state.get_data(store, op) == {"invites": {}, "uploads": {}, "verified": []}
    assert state.get_data(store, "no-such-operation") == {}
    state.set_data(
        store,
        op,
        invites={
            "i1": {"role": "participant", "token": "t1"},
            "i2": {"role": "observer", "token": "t2"},
        },
        uploads={"u1": {"url": "http://relay/up/1"}, "u2": None},
        verified=["dev-b", "dev-a"],
        closed_at="2026-12-01T00:00:00Z",
        retention_days=30,
        relay_closed_at="2026-12-02T00:00:00Z",
    )
    assert state.get_data(store, op) == {
        "invites": {
            "i1": {"role": "participant", "token": "t1"},
            "i2": {"role": "observer", "token": "t2"},
        },
        "uploads": {"u1": {"url": "http://relay/up/1"}, "u2": {}},
        "verified": ["dev-a", "dev-b"],
        "closed_at": "2026-12-01T00:00:00Z",
        "retention_days": 30,
        "relay_closed_at": "2026-12-02T00:00:00Z",
    }
    state.set_data(
        store,
        op,
        invites={"i2": {"role": "observer", "token": "t2"}},
        uploads={"u2": {"url": "http://relay/up/2", "blob": "b2"}},
        verified=["dev-c"],
        retention_days=None,
        relay_closed_at=None,
    )
    data = state.get_data(store, op)
    assert data["invites"] == {"i2": {"role": "observer", "token": "t2"}}
    assert data["uploads"] == {"u2": {"url": "http://relay/up/2", "blob": "b2"}}
    assert data["verified"] == ["dev-a", "dev-b", "dev-c"]  # a compared fingerprint stays
    assert "retention_days" not in data and "relay_closed_at" not in data
    assert data["closed_at"] == "2026-12-01T00:00:00Z"
    state.set_data(store, op, invites=None, uploads=None)
    assert state.get_data(store, op)["invites"] == {} == state.get_data(store, op)["uploads"]


def test_closing_keeps_the_retention_already_set(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    store = d["C"].profile.store
    state.set_data(store, op, retention_days=90)
    state.set_data(store, op, closed_at="2026-12-03T00:00:00Z")
    assert state.get_data(store, op)["retention_days"] == 90


def test_an_unknown_engine_state_is_refused(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    with pytest.raises(ValueError, match="no engine state called 'colour'"):
        state.set_data(d["C"].profile.store, op, colour="red")


def test_next_seq_counts_up_per_operation(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    store = d["A"].profile.store
    with store.transaction():
        first = state.next_seq(store, op)
        second = state.next_seq(store, op)
    assert second == first + 1
