"""Records made from a form ("Create…" beside a link) are written with it, never alone."""

from __future__ import annotations

from typing import Any

import pytest

from forms.registry import get_template
from sync.services import linked
from sync.services.errors import Invalid, InvalidRecord
from tests.sync.client.conftest import Device

EVAL = {"handling_code": "H1", "source_reliability": "B", "information_accuracy": "2"}
COURIER = {"family_name": "Okafor", "role": "courier", **EVAL}


def seizure(person_id: str | None = None, **more: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "seizure_date": "2026-10-01",
        "place": "NLRTM",
        "conveyance": "sea",
        "commodities": [{"category": "drugs", "quantity": 12, "unit": "kg"}],
        **EVAL,
        **more,
    }
    if person_id:
        values["persons"] = [{"template": "person", "record_id": person_id}]
    return values


def save(device: Device, op: str, values: dict[str, Any], made: list[Any]) -> Any:
    from sync.store.operations import Operation

    store = device.profile.store
    current = store.operations.get(op)
    assert current is not None
    if "seizure-short" not in (current.templates or []):
        store.operations.save(
            Operation(**{**current.__dict__, "templates": ["seizure-short", "person"]})
        )
    return linked.save_with_made(
        device.profile,
        op,
        get_template("seizure-short"),
        values,
        record_id=None,
        status="submitted",
        made=made,
    )


def test_the_person_and_the_seizure_reach_the_others_together(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    person = linked.PendingRecord(linked.new_record_id(), "person", COURIER, "draft")
    saved = save(d["A"], op, seizure(person.record_id), [person])
    store = d["A"].profile.store
    written = store.records.get(op, person.record_id)
    assert written is not None and written.fields["family_name"] == "Okafor"
    record = store.records.get(op, saved.record_id)
    assert record is not None
    assert record.fields["persons"] == [{"template": "person", "record_id": person.record_id}]
    d["B"].engine.receive(op, d["A"].outgoing(op))
    assert d["B"].profile.store.records.get(op, person.record_id) is not None
    assert d["B"].profile.store.records.get(op, saved.record_id) is not None


def test_a_refused_seizure_writes_no_person(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    person = linked.PendingRecord(linked.new_record_id(), "person", COURIER, "draft")
    with pytest.raises(InvalidRecord):
        save(d["A"], op, seizure(person.record_id, place=""), [person])
    assert d["A"].profile.store.records.count(op) == 0


def test_a_refused_person_writes_nothing(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    person = linked.PendingRecord(linked.new_record_id(), "person", {"role": "courier"}, "draft")
    with pytest.raises(Invalid, match="linked record"):
        save(d["A"], op, seizure(person.record_id), [person])
    assert d["A"].profile.store.records.count(op) == 0


def test_a_person_no_longer_linked_is_not_written(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    dropped = linked.PendingRecord(linked.new_record_id(), "person", COURIER, "draft")
    save(d["A"], op, seizure(), [dropped])
    assert d["A"].profile.store.records.get(op, dropped.record_id) is None
    assert d["A"].profile.store.records.count(op) == 1
