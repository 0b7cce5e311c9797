"""Drafts stay on their author's device until submitted (issue 22, item 12).

A draft and its edits never enter the outbox: no package reaches the relay, a sync file or any
member. Submitting sends the record whole, as one new record with its final values; from then
on (returned records too) edits travel as before, with the same clocks on every device.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sync.client.local import LocalChanges, is_private_draft
from sync.services import records
from sync.store.cases import CaseFilter
from tests.scenarios.conftest import (
    PERSON,
    FixedPortRelay,
    Person,
    people,
    relay,
    start_operation,
)
from tests.sync.client.conftest import Device, trio
from tests.sync.services.test_records import PERSON as PERSON_VALUES

__all__ = ["people", "relay", "trio"]


def _relay_packages_from(relay: FixedPortRelay, operation_id: str, sender: str) -> int:
    conn = sqlite3.connect(relay.data / "relay.db")
    try:
        row = conn.execute(
            "SELECT count(*) FROM packages WHERE operation_id = ? AND sender = ?",
            (bytes.fromhex(operation_id), bytes.fromhex(sender)),
        ).fetchone()
        return int(row[0])
    finally:
        conn.close()


def test_a_draft_reaches_nobody_until_submitted_through_the_relay(
    relay: FixedPortRelay, people: dict[str, Person], tmp_path: Path
) -> None:
    op = start_operation(relay, people)
    a, b, c = people["A"], people["B"], people["C"]
    before = _relay_packages_from(relay, op, a.device_id)

    rid = a.ok("record", "add", op, "--template", "person", "--draft", *PERSON)["record_id"]
    photo = tmp_path / "courier.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the courier")
    a.ok("library", "add", op, str(photo), "--record", rid)  # waits for the submission
    a.ok("record", "edit", op, rid, "--set", "given_names=Chidi")
    a.ok("record", "edit", op, rid, "--set", "given_names=Chidi Emeka")
    mine = a.ok("record", "list", op)
    assert [(r["record_id"], r["status"]) for r in mine] == [(rid, "draft")]  # A sees it
    assert a.ok("sync", op)["sent"] == 0
    carried = tmp_path / "usb.cdn"
    assert a.ok("sync", op, "--export", str(carried))["packages"] == 0
    b.ok("sync", op)
    c.ok("sync", op)
    assert b.ok("record", "list", op) == []
    assert c.ok("record", "list", op) == []
    assert b.ok("library", "list", op) == []
    assert _relay_packages_from(relay, op, a.device_id) == before

    assert a.ok("record", "submit", op, rid)["status"] == "submitted"
    assert a.ok("sync", op)["sent"] == 2  # the record, then the file attached to it
    assert _relay_packages_from(relay, op, a.device_id) == before + 2
    assert b.ok("sync", op)["received"] == 2
    assert [i["record_id"] for i in b.ok("library", "list", op)] == [rid]
    shown = b.ok("record", "show", op, rid)
    assert shown["status"] == "submitted" and shown["author"] == a.device_id
    assert shown["fields"]["given_names"] == "Chidi Emeka"
    assert shown["fields"]["family_name"] == "Okafor"
    assert [r["record_id"] for r in b.ok("record", "list", op)] == [rid]

    # Returned, the record is no draft: the author's edits go out as before.
    c.ok("sync", op)
    c.ok("record", "return", op, rid, "--comment", "Add the nationality")
    c.ok("sync", op)
    a.ok("sync", op)
    a.ok("record", "edit", op, rid, "--set", "given_names=Chidi E.")
    assert a.ok("sync", op)["sent"] == 1
    b.ok("sync", op)
    again = b.ok("record", "show", op, rid)
    assert again["status"] == "returned"
    assert again["fields"]["given_names"] == "Chidi E."


def test_submitted_draft_has_the_same_clocks_everywhere(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    rid = records.add(a.profile, op, "person", PERSON_VALUES).record_id
    records.edit(a.profile, op, rid, {"given_names": "Chidi"})
    records.edit(a.profile, op, rid, {"family_name": "Okafor-Eze"})
    assert is_private_draft(a.profile.store, op, rid)
    assert a.outgoing(op) == []
    # The author's cases list still holds the draft (every status, and the drafts filter).
    for flt in (CaseFilter(), CaseFilter(status="draft")):
        assert a.profile.store.cases.count(op, flt) == 1
    records.transition(a.profile, op, rid, "submitted")
    assert not is_private_draft(a.profile.store, op, rid)
    b.engine.receive(op, a.outgoing(op))
    here, there = a.profile.store.records.get(op, rid), b.profile.store.records.get(op, rid)
    assert here is not None and there is not None
    assert there.status == "submitted" and there.fields == here.fields
    assert there.field_hlc == here.field_hlc
    assert [r.revision for r in b.profile.store.records.history(op, rid)] == [1]

    # A later edit by the author is no conflict on either side.
    records.edit(a.profile, op, rid, {"given_names": "Chidi Emeka"})
    b.engine.receive(op, a.outgoing(op))
    there = b.profile.store.records.get(op, rid)
    assert there is not None and there.fields["given_names"] == "Chidi Emeka"
    for device in (a, b):
        assert not any(r.conflict for r in device.profile.store.records.history(op, rid))


def test_drafts_made_by_lower_layers_are_kept_too(trio: tuple[str, dict[str, Device]]) -> None:
    """Bulk writes through ``LocalChanges`` (imports) follow the same rule: drafts stay here,
    submitted records in the same call go out."""
    op, d = trio
    changes = LocalChanges(d["A"].profile, op)
    (draft,) = changes.add_records("person", 1, [PERSON_VALUES], "draft")
    (shared,) = changes.add_records("person", 1, [PERSON_VALUES], "submitted")
    d["B"].engine.receive(op, d["A"].outgoing(op))
    assert [r.record_id for r in d["B"].profile.store.records.list(op)] == [shared]
    assert d["A"].profile.store.records.get(op, draft) is not None


def test_erasing_forgets_the_private_marks(trio: tuple[str, dict[str, Device]]) -> None:
    from sync.store.erase import erase_operation

    op, d = trio
    store = d["A"].profile.store
    first = records.add(d["A"].profile, op, "person", PERSON_VALUES).record_id
    second = records.add(d["A"].profile, op, "person", PERSON_VALUES).record_id
    assert store.records.erase(op, first)
    assert not is_private_draft(store, op, first) and is_private_draft(store, op, second)
    erase_operation(store, op, "2026-12-04T16:00:00Z")
    assert not [key for key in store.settings.all() if op in key]


def test_a_record_that_links_to_a_private_draft_takes_it_along(
    trio: tuple[str, dict[str, Device]],
) -> None:
    """A submitted seizure naming the author's own draft person submits that person first,
    so nobody receives a link to a record they cannot have."""
    from tests.sync.services.test_linked import save, seizure

    op, d = trio
    a, b = d["A"], d["B"]
    person = records.add(a.profile, op, "person", PERSON_VALUES).record_id  # a draft
    other = records.add(a.profile, op, "person", PERSON_VALUES).record_id  # a draft
    first = save(a, op, seizure(person), []).record_id  # submitted, naming the person
    draft = records.add(a.profile, op, "seizure-short", seizure(other)).record_id  # stays
    b.engine.receive(op, a.outgoing(op))
    got = {r.record_id: r.status for r in b.profile.store.records.list(op)}
    assert got == {person: "submitted", first: "submitted"}
    records.transition(a.profile, op, draft, "submitted")  # takes ``other`` along
    b.engine.receive(op, a.outgoing(op))
    got = {r.record_id: r.status for r in b.profile.store.records.list(op)}
    assert got == {rid: "submitted" for rid in (person, first, other, draft)}
    assert not any(is_private_draft(a.profile.store, op, rid) for rid in got)


def test_the_editors_submit_with_last_changes_sends_them_in_the_new_record(
    trio: tuple[str, dict[str, Device]],
) -> None:
    from forms.registry import get_template

    op, d = trio
    a, template = d["A"], get_template("person")
    rid = records.save(a.profile, op, template, PERSON_VALUES, record_id=None, status="draft")
    final = {**PERSON_VALUES, "given_names": "Chidi"}
    records.save(a.profile, op, template, final, record_id=rid.record_id, status="submitted")
    sent = a.outgoing(op)
    assert len(sent) == 1
    d["B"].engine.receive(op, sent)
    there = d["B"].profile.store.records.get(op, rid.record_id)
    assert there is not None and there.status == "submitted"
    assert there.fields["given_names"] == "Chidi"
