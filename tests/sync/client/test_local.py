"""sync.client.local: this device's own changes — applied and queued in one transaction, only
by members who may write, sealed under the newest epoch when sent."""

from __future__ import annotations

import dataclasses

import pytest

from sync.client.local import LocalChanges, seal_outbox
from sync.errors import CordonError
from sync.protocol import parse_package
from tests.sync.client.conftest import PERSON, Device


def test_local_change_and_outbox_are_one_transaction(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    a = d["A"].profile
    (rid,) = LocalChanges(a, op).add_records("person", 1, [PERSON], "submitted")
    rows = a.store.query("SELECT kind FROM outbox WHERE operation_id = ?", (op,))
    assert rows == [("unsealed",)] and a.store.records.get(op, rid) is not None


def test_only_the_author_or_a_coordinator_may_revise(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    (rid,) = LocalChanges(a.profile, op).add_records("person", 1, [PERSON], "submitted")
    b.engine.receive(op, a.outgoing(op))
    queued = b.profile.store.query("SELECT count(*) FROM outbox")
    with pytest.raises(CordonError) as refused:
        LocalChanges(b.profile, op).revise(rid, {"family_name": "B's"})
    assert str(refused.value) == "Only the record's author or a coordinator may change it."
    assert b.profile.store.query("SELECT count(*) FROM outbox") == queued
    record = b.profile.store.records.get(op, rid)
    assert record is not None and record.fields["family_name"] == "Okafor"
    assert LocalChanges(a.profile, op).revise(rid, {"family_name": "Okafor-Eze"}) == 2


def test_an_unknown_record_is_one_sentence(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    with pytest.raises(CordonError, match="There is no record nope in this operation."):
        LocalChanges(d["A"].profile, op).revise("nope", {"family_name": "X"})


def test_a_closed_operation_takes_no_changes(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    store = d["A"].profile.store
    current = store.operations.get(op)
    assert current is not None
    store.operations.save(dataclasses.replace(current, status="closed"))
    with pytest.raises(CordonError, match="is closed; its local copy is read-only"):
        LocalChanges(d["A"].profile, op)


def test_a_direct_message_is_kept_here_read_and_disclosed_once(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a, c = d["A"].profile, d["C"].profile
    message_id = LocalChanges(a, op).send_message("Eyes only", "for C", alert=False, to=c.device_id)
    (kept,) = a.store.messages.list(op)
    assert (kept.message_id, kept.kind, kept.read, kept.recipient) == (
        message_id, "direct", True, c.device_id
    )  # fmt: skip
    disclosed = [e for e in a.store.audit.entries(op) if e.object == message_id]
    assert sorted(e.action for e in disclosed) == ["collection", "disclosure"]  # each once
    assert a.store.query("SELECT kind FROM outbox WHERE operation_id = ?", (op,)) == [("unsealed",)]


def test_sealing_turns_queued_changes_into_signed_packages_in_order(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a = d["A"]
    changes = LocalChanges(a.profile, op)
    changes.add_records("person", 1, [PERSON], "submitted")
    changes.send_message("One", "two", alert=False, to=None)
    store = a.profile.store
    assert seal_outbox(a.profile, store, op, a.engine.keys(op)) == 2
    assert seal_outbox(a.profile, store, op, a.engine.keys(op)) == 0  # nothing left to seal
    rows = store.query(
        "SELECT kind, payload FROM outbox WHERE operation_id = ? ORDER BY seq", (op,)
    )
    assert all(kind != "unsealed" for kind, _payload in rows)
    packages = [parse_package(bytes(payload)) for _kind, payload in rows]
    assert [p.header.sender.hex() for p in packages] == [a.id, a.id]
    seqs = [p.header.seq for p in packages]
    assert seqs == sorted(seqs) and len(set(seqs)) == 2
    # B applies them (and its own store sees A's sealed packages as already applied)
    report = d["B"].engine.receive(op, [bytes(payload) for _kind, payload in rows])
    assert (report.received, report.rejected) == (2, 0)
    assert a.engine.receive(op, [bytes(payload) for _kind, payload in rows]).duplicates == 2
