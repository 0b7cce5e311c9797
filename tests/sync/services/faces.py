"""What the rule tests for each face share: a record of A's that B and C hold, and the
sentence each rule refuses with, taken from the service layer itself (so a rule changed in
``sync.services`` changes what both faces must say)."""

from __future__ import annotations

from sync.services import records, roles
from sync.services.errors import Invalid, NotAllowed
from sync.services.roles import Permission
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


def shared_record(op: str, d: dict[str, Device]) -> str:
    """A record by A, submitted, returned by C, the return received by A and B (drafts are not
    shared, so a record everyone holds that its author may submit is a returned one)."""
    rid = records.add(d["A"].profile, op, "person", PERSON, "submitted").record_id
    created = d["A"].outgoing(op)
    d["B"].engine.receive(op, created)
    d["C"].engine.receive(op, created)
    records.transition(d["C"].profile, op, rid, "returned", "Add the nationality")
    returned = d["C"].outgoing(op)
    d["A"].engine.receive(op, returned)
    d["B"].engine.receive(op, returned)
    return rid


def refusal(record: Record, status: str, me: str, role: str, comment: str | None = None) -> str:
    """The sentence the workflow refuses this step with (fails when it would allow it)."""
    try:
        records.check_transition(record, status, me, role, comment)
    except (NotAllowed, Invalid) as exc:
        return str(exc)
    raise AssertionError(f"the workflow allows {role} to set {status}")


ROLE_REFUSAL = roles.refusal(Permission.MANAGE)
