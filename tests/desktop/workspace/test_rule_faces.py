"""The window's face of the shared rules: the record view's data (which buttons the workflow
offers, what setting a status refuses) and the participants dialog's role change refuse exactly
what ``sync.services`` refuses, with its sentence (the command line's twin is
tests/sync/cli/test_rule_faces.py)."""

from __future__ import annotations

import pytest

from desktop import operations_data
from desktop.workspace import record_data
from sync.services.errors import ServiceError
from tests.sync.client.conftest import Device, trio
from tests.sync.services.faces import ROLE_REFUSAL, refusal, shared_record

__all__ = ["trio"]


def test_status_workflow_in_the_window(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    rid = shared_record(op, d)
    a, b, c = (d[n].profile for n in "ABC")
    shown = {
        n: record_data.load(p, op, rid, "coordinator" if n == "C" else "participant")
        for n, p in zip("ABC", (a, b, c), strict=True)
    }
    assert shown["A"] is not None and shown["B"] is not None and shown["C"] is not None
    assert shown["A"].actions == ("submit",)
    assert shown["B"].actions == ()  # not the author: no Submit button
    assert shown["C"].actions == ()  # returned: back with its author
    record_b = b.store.records.get(op, rid)
    record_a = a.store.records.get(op, rid)
    record_c = c.store.records.get(op, rid)
    assert record_a is not None and record_b is not None and record_c is not None

    with pytest.raises(ServiceError) as refused:
        record_data.set_status(b, op, rid, "submitted")
    assert str(refused.value) == refusal(record_b, "submitted", d["B"].id, "participant")
    with pytest.raises(ServiceError) as refused:
        record_data.set_status(a, op, rid, "validated")
    assert str(refused.value) == refusal(record_a, "validated", d["A"].id, "participant")
    with pytest.raises(ServiceError) as refused:
        record_data.set_status(c, op, rid, "returned", "")
    assert str(refused.value) == refusal(record_c, "returned", d["C"].id, "coordinator", "")

    assert record_data.set_status(a, op, rid, "submitted") == 3
    after = record_data.load(a, op, rid, "participant")
    assert after is not None and after.status == "submitted" and after.actions == ()


def test_role_change_in_the_window(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    with pytest.raises(ServiceError) as refused:
        operations_data.change_role(d["A"].engine, op, d["B"].id, "observer")
    assert str(refused.value) == ROLE_REFUSAL
    with pytest.raises(ServiceError):
        operations_data.change_role(d["C"].engine, op, d["B"].id, "chief")
