"""The engine's core without a relay: local changes, apply once, conflicts, rules."""

from __future__ import annotations

import random

from sync.client.backoff import Backoff
from sync.client.local import LocalChanges
from tests.sync.client.conftest import Device

# What every person record needs to fit its template (received records are checked).
EVAL = {
    "role": "courier",
    "handling_code": "H1",
    "source_reliability": "B",
    "information_accuracy": "2",
}
PERSON = {**EVAL, "family_name": "Okafor"}


def test_local_change_and_outbox_are_one_transaction(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    a = d["A"].profile
    (rid,) = LocalChanges(a, op).add_records("person", 1, [PERSON], "submitted")
    rows = a.store.query("SELECT kind FROM outbox WHERE operation_id = ?", (op,))
    assert rows == [("unsealed",)] and a.store.records.get(op, rid) is not None


def test_packages_apply_exactly_once(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    LocalChanges(a.profile, op).add_records(
        "person", 1, [PERSON, {**EVAL, "family_name": "Diallo"}], "submitted"
    )
    LocalChanges(a.profile, op).send_message("Alert", "Container", alert=True, to=None)
    packages = a.outgoing(op)
    assert len(packages) == 2
    first = b.engine.receive(op, packages)
    assert (first.received, first.duplicates, first.rejected) == (2, 0, 0)
    snapshot = b.profile.store.query("SELECT record_id, fields, revision FROM records ORDER BY 1")
    again = b.engine.receive(op, packages + packages[::-1])
    assert (again.received, again.duplicates, again.rejected) == (0, 4, 0)
    assert (
        b.profile.store.query("SELECT record_id, fields, revision FROM records ORDER BY 1")
        == snapshot
    )
    assert b.profile.store.messages.list(op)[0].kind == "alert"
    # the sender sees its own packages back as duplicates
    assert a.engine.receive(op, packages).duplicates == 2


def test_tampered_package_is_rejected_whole(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    LocalChanges(d["A"].profile, op).add_records("person", 1, [PERSON], "submitted")
    (raw,) = d["A"].outgoing(op)
    broken = raw[:-70] + bytes([raw[-70] ^ 1]) + raw[-69:]
    report = d["B"].engine.receive(op, [broken])
    assert report.rejected == 1 and d["B"].profile.store.records.count(op) == 0


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


def test_backoff_grows_with_jitter_and_caps() -> None:
    backoff = Backoff(base=1.0, factor=2.0, cap=8.0)
    backoff._random = random.Random(1)  # type: ignore[assignment]
    delays = [backoff.next_delay() for _ in range(6)]
    for n, delay in enumerate(delays):
        ceiling = min(8.0, 2.0**n)
        assert ceiling / 2 <= delay <= ceiling
    backoff.reset()
    assert backoff.next_delay() <= 1.0


def test_received_changes_are_searchable_as_soon_as_applied(
    trio: tuple[str, dict[str, Device]],
) -> None:
    """Receiving indexes the batch in one pass before its commit (store migration 0007): the
    result is what row-by-row indexing gives, a rejected package leaves nothing behind."""
    op, d = trio
    a, b = d["A"], d["B"]
    (rid, _other) = LocalChanges(a.profile, op).add_records(
        "person",
        1,
        [PERSON, {**EVAL, "family_name": "Diallo", "remarks": "pangolin scales"}],
        "submitted",
    )
    LocalChanges(a.profile, op).send_message(
        "Alert", "Reefer container MSCU1234565", alert=False, to=None
    )
    first = a.outgoing(op)
    LocalChanges(a.profile, op).revise(rid, {"family_name": "Okonkwo"})
    revised = a.outgoing(op)
    LocalChanges(a.profile, op).add_records(
        "person", 1, [{**EVAL, "family_name": "Zanzibarite", "role": "witness"}], "submitted"
    )
    (raw,) = a.outgoing(op)
    broken = raw[:-70] + bytes([raw[-70] ^ 1]) + raw[-69:]
    report = b.engine.receive(op, [*first, *revised, broken])
    assert (report.received, report.rejected) == (3, 1)
    store = b.profile.store
    assert store.query("SELECT * FROM search_pending") == []
    assert store.query("SELECT * FROM search_deferred") == []
    for fts in ("search_words", "search_trigram"):
        store.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
    reader = store.reopen()
    try:
        assert {h.id for h in reader.search("Okonkwo", op)} == {rid}
        assert {h.id for h in reader.search("Okafor", op)} == set()
        assert [h.kind for h in reader.search("pangolin", op)] == ["record"]
        assert [h.kind for h in reader.search("MSCU1234565", op)] == ["message"]
        assert reader.search("Zanzibarite", op) == []
        # the same answers as the sender's own store, indexed row by row as it wrote
        for query in ("Okonkwo", "pangolin", "MSCU", "Ok", "courier"):
            mine = [(h.kind, h.id, h.snippet) for h in reader.search(query, op)]
            theirs = [(h.kind, h.id, h.snippet) for h in a.profile.store.search(query, op)]
            assert mine and mine == theirs, query
    finally:
        reader.close()


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


def test_prepared_packages_apply_exactly_as_raw_ones(trio: tuple[str, dict[str, Device]]) -> None:
    """``pull`` prepares the next page on its fetch thread as if nothing were applied yet:
    receiving prepared packages gives the same outcome as raw ones, duplicates (applied
    before, or twice in the batch) and rejections included."""
    from sync.client.engine import prepare

    op, d = trio
    a, b, c = d["A"], d["B"], d["C"]
    LocalChanges(a.profile, op).add_records("person", 1, [PERSON], "submitted")
    (first,) = a.outgoing(op)
    LocalChanges(a.profile, op).add_records(
        "person", 1, [{**EVAL, "family_name": "Diallo"}], "submitted"
    )
    (second,) = a.outgoing(op)
    broken = second[:-70] + bytes([second[-70] ^ 1]) + second[-69:]
    batch = [first, second, second, broken]
    reports = []
    for device, prepared in ((b, True), (c, False)):
        device.engine.receive(op, [first])
        keys = device.engine.keys(op)
        packages = [prepare(raw, keys) for raw in batch] if prepared else batch
        report = device.engine.receive(op, packages, keys=keys)
        reports.append((report.received, report.duplicates, report.rejected, report.reasons))
        assert device.profile.store.audit.verify().ok
    assert reports[0] == reports[1]
    assert reports[0][:3] == (1, 2, 1)
    rows = "SELECT record_id, fields, revision FROM records ORDER BY record_id"
    assert b.profile.store.query(rows) == c.profile.store.query(rows)
    assert prepare(first, b.engine.keys(op)).opened is not None  # prepared before it was seen
    assert prepare(broken, b.engine.keys(op)).opened is None
