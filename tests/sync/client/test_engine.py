"""The engine receiving packages without a relay: each applied once, a tampered one refused
whole, received changes searchable at once, prepared packages the same as raw ones. (What
local.py and apply.py do alone is in test_local.py and test_apply.py.)"""

from __future__ import annotations

from sync.client.local import LocalChanges
from tests.sync.client.conftest import EVAL, PERSON, Device


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
