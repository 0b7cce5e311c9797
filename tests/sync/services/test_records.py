"""The record rules: the workflow table, template checks, and writing through them."""

from __future__ import annotations

from typing import Any

import pytest

from sync.services import records
from sync.services.errors import Invalid, InvalidRecord, NotAllowed, NotFound
from sync.store import audit
from sync.store.operations import Operation
from sync.store.records import Record
from tests.sync.client.conftest import Device

PERSON = {
    "family_name": "Okafor",
    "given_names": "Chidi",
    "role": "courier",
    "handling_code": "H1",
    "source_reliability": "B",
    "information_accuracy": "2",
}


def _record(status: str, author: str = "me") -> Record:
    return Record("op", "r", "person", 1, status, author, {}, {}, 1, "h", "h")


@pytest.mark.parametrize(
    ("status", "author", "role", "expected"),
    [
        ("draft", "me", "participant", ("submit",)),
        ("returned", "me", "participant", ("submit",)),
        ("submitted", "me", "participant", ()),
        ("draft", "other", "participant", ()),
        ("draft", "me", "observer", ()),
        ("draft", "other", "coordinator", ()),  # drafts are never judged
        ("draft", "me", "coordinator", ("submit",)),
        ("submitted", "other", "coordinator", ("validate", "return")),
        ("validated", "other", "coordinator", ()),
        ("returned", "other", "coordinator", ()),
    ],
)
def test_actions_come_from_the_one_table(
    status: str, author: str, role: str, expected: tuple[str, ...]
) -> None:
    assert records.actions(_record(status, author), "me", role) == expected


def test_check_transition_says_why_not() -> None:
    with pytest.raises(NotAllowed, match="author"):
        records.check_transition(_record("draft", "other"), "submitted", "me", "coordinator")
    with pytest.raises(NotAllowed, match="coordinator"):
        records.check_transition(_record("submitted", "other"), "validated", "me", "participant")
    with pytest.raises(NotAllowed, match="Observers"):
        records.check_transition(_record("draft"), "submitted", "me", "observer")
    with pytest.raises(NotAllowed, match="validated"):
        records.check_transition(
            _record("validated", "other"), "returned", "me", "coordinator", "x"
        )
    with pytest.raises(Invalid, match="correct"):
        records.check_transition(
            _record("submitted", "other"), "returned", "me", "coordinator", " "
        )
    with pytest.raises(Invalid):
        records.check_transition(_record("draft"), "archived", "me", "coordinator")
    for target in ("validated", "returned"):  # a draft is its author's until submitted
        with pytest.raises(NotAllowed, match="draft"):
            records.check_transition(_record("draft", "other"), target, "me", "coordinator", "x")
    step = records.check_transition(
        _record("submitted", "x"), "returned", "me", "coordinator", "why"
    )
    assert (step.source, step.action, step.target) == ("submitted", "return", "returned")


def _add(
    device: Device, op: str, values: dict[str, Any] | None = None, status: str = "draft"
) -> str:
    return records.add(device.profile, op, "person", values or PERSON, status).record_id


def test_workflow_through_the_service(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    rid = _add(d["A"], op)  # a draft: kept on A's device, nothing to send
    assert d["A"].outgoing(op) == []
    with pytest.raises(NotFound):
        records.transition(d["C"].profile, op, rid, "returned", "why")
    with pytest.raises(NotAllowed, match="coordinator"):
        records.transition(d["A"].profile, op, rid, "validated")
    assert records.transition(d["A"].profile, op, rid[:8], "submitted").revision == 2
    # Submitting again what its author submitted changes nothing and sends nothing.
    assert records.transition(d["A"].profile, op, rid, "submitted").revision == 2
    submitted = d["A"].outgoing(op)
    assert len(submitted) == 1
    for name in "BC":
        d[name].engine.receive(op, submitted)
    with pytest.raises(NotAllowed, match="author"):
        records.transition(d["B"].profile, op, rid, "submitted")
    # C returns the record (a comment is required); A may submit again.
    with pytest.raises(Invalid):
        records.transition(d["C"].profile, op, rid, "returned", "  ")
    records.transition(d["C"].profile, op, rid, "returned", "Add the nationality")
    d["A"].engine.receive(op, d["C"].outgoing(op))
    record = d["A"].profile.store.records.get(op, rid)
    assert record is not None and record.status == "returned"
    assert records.actions(record, d["A"].id, "participant") == ("submit",)
    records.transition(d["A"].profile, op, rid, "submitted")
    d["C"].engine.receive(op, d["A"].outgoing(op))
    assert records.transition(d["C"].profile, op, rid, "validated").revision == 4


def test_add_refuses_values_the_template_refuses(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    with pytest.raises(InvalidRecord) as refused:
        _add(d["A"], op, {**PERSON, "date_of_birth": "not a date"})
    assert [name for name, _message in refused.value.errors] == ["date_of_birth"]
    assert d["A"].profile.store.records.count(op) == 0


def test_add_refuses_a_template_the_operation_does_not_use(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    store = d["A"].profile.store
    current = store.operations.get(op)
    assert current is not None
    store.operations.save(
        Operation(**{**current.__dict__, "templates": ["seizure-short", "vehicle"]})
    )
    with pytest.raises(Invalid, match="not used"):
        _add(d["A"], op)
    with pytest.raises(NotFound):
        records.template_for(current, "no-such-template", in_use=False)


def test_observer_cannot_add(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    store = d["B"].profile.store
    current = store.operations.get(op)
    assert current is not None
    store.operations.save(Operation(**{**current.__dict__, "role": "observer"}))
    with pytest.raises(NotAllowed, match="Observers"):
        _add(d["B"], op)


def test_edit_checks_the_merged_record_and_writes_only_the_change(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    rid = _add(d["A"], op, status="submitted")
    with pytest.raises(InvalidRecord):
        records.edit(d["A"].profile, op, rid, {"date_of_birth": "never"})
    saved = records.edit(d["A"].profile, op, rid, {"given_names": "Chidi Emeka"})
    assert saved.revision == 2
    history = d["A"].profile.store.records.history(op, rid)
    assert history[-1].changes == {"given_names": "Chidi Emeka"}
    d["B"].engine.receive(op, d["A"].outgoing(op))
    with pytest.raises(NotAllowed, match="author or a coordinator"):
        records.edit(d["B"].profile, op, rid, {"given_names": "X"})


def test_one_record_add_is_one_collection_entry(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    rid = _add(d["A"], op)
    records.edit(d["A"].profile, op, rid, {"given_names": "Chidi Emeka"})
    entries = [
        (e.action, e.object) for e in d["A"].profile.store.audit.entries(op) if e.object == rid
    ]
    assert entries == [(audit.COLLECTION, rid), (audit.ALTERATION, rid)]


def test_a_received_record_that_breaks_its_template_is_refused(
    trio: tuple[str, dict[str, Device]],
) -> None:
    """The same template check as ``records.add``, on records from others: a sender that goes
    around the service layer (here LocalChanges directly) gets its package refused."""
    from sync.client.local import LocalChanges

    op, d = trio
    good = records.add(d["A"].profile, op, "person", PERSON, "submitted").record_id
    LocalChanges(d["A"].profile, op).add_records(
        "person", 1, [{**PERSON, "date_of_birth": "not a date"}], "submitted"
    )
    LocalChanges(d["A"].profile, op).add_records(
        "no-such-template", 1, [{"anything": 1}], "submitted"
    )
    report = d["B"].engine.receive(op, d["A"].outgoing(op))
    assert (report.received, report.rejected) == (1, 2)
    assert [r.record_id for r in d["B"].profile.store.records.list(op)] == [good]
