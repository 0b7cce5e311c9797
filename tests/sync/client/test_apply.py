"""sync.client.apply: the one code path that writes changes, local and received alike —
convergence of concurrent edits, who may edit and validate, direct messages, new records."""

from __future__ import annotations

import pytest

from sync.client.apply import Applier
from sync.client.items import MessageItem, RecordItem, RevisionItem
from sync.client.local import LocalChanges
from sync.errors import ProtocolError
from sync.store.ids import new_id
from tests.sync.client.conftest import EVAL, PERSON, Device


def _applier(device: Device, op: str) -> tuple[Applier, object]:
    profile = device.profile
    return Applier(profile.store, profile.identity, op), device.engine.keys(op).latest


def _record(
    device: Device, fields: dict[str, str], status: str = "draft", template: str = "person"
) -> RecordItem:
    return RecordItem(new_id(), template, 1, fields, status, new_id(), device.profile.clock.now())


def test_concurrent_edits_converge_and_are_marked(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    a, b, c = d["A"], d["B"], d["C"]
    (rid,) = LocalChanges(a.profile, op).add_records("person", 1, [PERSON], "submitted")
    created = a.outgoing(op)
    for other in (b, c):
        other.engine.receive(op, created)
    LocalChanges(c.profile, op).revise(rid, {"family_name": "Okafor C"})
    LocalChanges(a.profile, op).revise(rid, {"family_name": "Okafor A", "role": "organiser"})
    from_c, from_a = c.outgoing(op), a.outgoing(op)
    a.engine.receive(op, from_c)
    c.engine.receive(op, from_a)
    b.engine.receive(op, from_a + from_c)
    states = [x.profile.store.records.get(op, rid) for x in (a, b, c)]
    assert states[0] is not None
    assert all(s is not None and s.fields == states[0].fields for s in states)
    assert states[0].fields["role"] == "organiser"
    for x in (a, b, c):
        marks = x.profile.store.query(
            "SELECT author, conflict FROM record_revisions WHERE record_id = ? ORDER BY hlc", (rid,)
        )
        assert sorted(m[1] for m in marks) == [0, 1, 1]


def test_only_author_or_coordinator_edits_and_validates(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a, b, c = d["A"], d["B"], d["C"]
    (rid,) = LocalChanges(a.profile, op).add_records("person", 1, [PERSON], "submitted")
    created = a.outgoing(op)
    b.engine.receive(op, created)
    c.engine.receive(op, created)
    # B forges an edit of A's record by writing it straight into its own store and outbox
    from sync.client.items import RevisionItem, encode_body
    from sync.store.ids import new_id

    forged = RevisionItem(
        rid, new_id(), {"family_name": "X"}, "validated", None, b.profile.clock.now()
    )
    b.profile.store.outbox.enqueue(op, "local-" + new_id(), "unsealed", encode_body([forged]))
    report = c.engine.receive(op, b.outgoing(op))
    assert report.rejected == 1
    record = c.profile.store.records.get(op, rid)
    assert record is not None and record.fields["family_name"] == "Okafor"
    LocalChanges(c.profile, op).revise(rid, {}, status="validated", comment="fine")
    a.engine.receive(op, c.outgoing(op))
    record = a.profile.store.records.get(op, rid)
    assert record is not None and record.status == "validated"


def test_direct_message_reaches_only_its_recipient(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    a, b, c = d["A"], d["B"], d["C"]
    LocalChanges(a.profile, op).send_message("Eyes only", "for C", alert=False, to=c.id)
    packages = a.outgoing(op)
    b.engine.receive(op, packages)
    c.engine.receive(op, packages)
    assert b.profile.store.messages.list(op) == []
    (message,) = c.profile.store.messages.list(op)
    assert (message.kind, message.body, message.author) == ("direct", "for C", a.id)


def test_new_records_in_a_package_go_in_together_or_one_by_one(
    trio: tuple[str, dict[str, Device]],
) -> None:
    """A package's new records are created in one go; if one is here already (the same
    revision, from another package) the others still go in, each audited once; a clash
    (the same record id, another revision) refuses the whole package."""
    from sync.client.items import RecordItem, encode_body
    from sync.store.ids import new_id

    op, d = trio
    a, b = d["A"], d["B"]

    def record(name: str, record_id: str | None = None) -> RecordItem:
        fields = {**EVAL, "family_name": name}
        hlc = a.profile.clock.now()
        return RecordItem(record_id or new_id(), "person", 1, fields, "draft", new_id(), hlc)

    x, y, w = record("Xu"), record("Yeboah"), record("Wanjiru")
    clash = record("Zulu", record_id=x.record_id)
    for items in ([x], [x, y], [w, clash]):
        a.profile.store.outbox.enqueue(op, "local-" + new_id(), "unsealed", encode_body(items))
    report = b.engine.receive(op, a.outgoing(op))
    assert (report.received, report.rejected) == (2, 1)
    store = b.profile.store
    names = store.query("SELECT json_extract(fields, '$.family_name') FROM records ORDER BY id")
    assert names == [("Xu",), ("Yeboah",)]
    collected = [e.object for e in store.audit.entries(op) if e.action == "collection"]
    assert sorted(o for o in collected if not o.startswith("packages:")) == sorted(
        [x.record_id, y.record_id]
    )
    assert store.audit.verify().ok


@pytest.mark.parametrize(
    ("fields", "status", "template", "reason"),
    [
        ({"family_name": "NoEvaluation"}, "draft", "person", "does not fit its template"),
        (PERSON, "validated", "person", "must be a draft or submitted"),
        (PERSON, "draft", "no-such-template", "unknown template"),
    ],
)
def test_a_received_record_that_breaks_a_rule_is_refused_and_writes_nothing(
    trio: tuple[str, dict[str, Device]], fields: dict[str, str], status: str, template: str,
    reason: str,
) -> None:  # fmt: skip
    op, d = trio
    a, b = d["A"], d["B"]
    applier, roster = _applier(b, op)
    item = _record(a, fields, status, template)
    with pytest.raises(ProtocolError, match=reason):
        applier.apply([item], a.id, "participant", roster)  # type: ignore[arg-type]
    assert b.profile.store.records.count(op) == 0


def test_a_participant_cannot_validate_even_its_own_record(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    applier, roster = _applier(b, op)
    item = _record(a, PERSON)
    applier.apply([item], a.id, "participant", roster)  # type: ignore[arg-type]
    validate = RevisionItem(item.record_id, new_id(), {}, "validated", "ok", a.profile.clock.now())
    with pytest.raises(ProtocolError, match="only a coordinator may validate"):
        applier.apply([validate], a.id, "participant", roster)  # type: ignore[arg-type]
    record = b.profile.store.records.get(op, item.record_id)
    assert record is not None and record.status == "draft"
    # the same change from the coordinator goes in
    applier.apply([validate], d["C"].id, "coordinator", roster)  # type: ignore[arg-type]
    record = b.profile.store.records.get(op, item.record_id)
    assert record is not None and record.status == "validated"


def test_a_revision_of_an_unknown_record_is_refused(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    applier, roster = _applier(b, op)
    orphan = RevisionItem(
        new_id(), new_id(), {"family_name": "X"}, None, None, a.profile.clock.now()
    )
    with pytest.raises(ProtocolError, match="a record not known here"):
        applier.apply([orphan], a.id, "participant", roster)  # type: ignore[arg-type]


def test_each_item_counts_once_and_only_own_messages_arrive_read(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    applier, roster = _applier(b, op)
    message = MessageItem(new_id(), "Subject", "Body", False, a.profile.clock.now())
    record = _record(a, PERSON)
    done = applier.apply([record, message], a.id, "participant", roster)  # type: ignore[arg-type]
    assert (done.records, done.messages, done.revisions, done.library) == (1, 1, 0, 0)
    again = applier.apply([record, message], a.id, "participant", roster)  # type: ignore[arg-type]
    assert (again.records, again.messages) == (0, 0)
    mine = MessageItem(new_id(), "Mine", "Body", True, b.profile.clock.now())
    applier.apply([mine], b.id, "participant", roster)  # type: ignore[arg-type]
    read = {m.subject: (m.read, m.kind) for m in b.profile.store.messages.list(op)}
    assert read == {"Subject": (False, "operation"), "Mine": (True, "alert")}
