"""Scenarios 4 and 7 of issue 5: carrying packages by hand, and concurrent offline edits."""

from __future__ import annotations

from pathlib import Path

from tests.scenarios.conftest import PERSON, FixedPortRelay, Person, start_operation


def test_4_file_transport_and_store_carry_forward(
    relay: FixedPortRelay, people: dict[str, Person], tmp_path: Path
) -> None:
    op = start_operation(relay, people, members="DE")
    c, d, e = people["C"], people["D"], people["E"]
    relay.stop()  # nobody reaches the relay now
    made = {
        d.ok("record", "add", op, "--template", "person", *PERSON)["record_id"] for _ in range(3)
    }
    carried = tmp_path / "usb" / "lantern.cdn"
    carried.parent.mkdir()
    assert d.ok("sync", op, "--export", str(carried))["packages"] == 3
    assert "cannot be reached" in e.fails("sync", op)
    first = e.ok("sync", "--import", str(carried))
    assert (first["applied"], first["duplicates"], first["rejected"]) == (3, 0, 0)
    again = e.ok("sync", "--import", str(carried))
    assert (again["applied"], again["duplicates"]) == (0, 3)
    seen = {r["record_id"]: r["author"] for r in e.ok("record", "list", op)}
    assert seen == {rid: d.device_id for rid in made}
    relay.start()
    assert e.ok("sync", op)["sent"] == 3  # E forwards what it carried
    received = c.ok("sync", op)
    assert received["received"] == 3
    assert {r["record_id"]: r["author"] for r in c.ok("record", "list", op)} == seen
    assert d.ok("sync", op)["received"] == 0  # D's own packages were already at the relay
    assert c.ok("sync", op)["received"] == 0


def test_7_concurrent_offline_edits_converge(
    relay: FixedPortRelay, people: dict[str, Person]
) -> None:
    op = start_operation(relay, people)
    a, b, c = people["A"], people["B"], people["C"]
    record = a.ok("record", "add", op, "--template", "person", *PERSON)["record_id"]
    a.ok("sync", op)
    c.ok("sync", op)
    relay.stop()
    c.ok("record", "edit", op, record, "--set", "family_name=Okafor-Eze")
    a.ok("record", "edit", op, record, "--set", "family_name=Okafor Eze")
    relay.start()
    for person in (c, a, c, b):
        person.ok("sync", op)
    shown = [p.ok("record", "show", op, record) for p in (a, b, c)]
    values = {s["fields"]["family_name"] for s in shown}
    assert len(values) == 1 and values <= {"Okafor-Eze", "Okafor Eze"}
    for s in shown:
        edits = [h for h in s["history"] if "family_name" in h["changes"] and h["revision"] > 1]
        assert len(edits) == 2
        assert all(h["conflict"] for h in edits)
        assert {h["author"] for h in edits} == {a.device_id, c.device_id}
        assert s["conflict"]
        assert [h["revision_id"] for h in s["history"]] == [
            h["revision_id"] for h in shown[0]["history"]
        ]
