"""Roster rules: finding a member, and who may change a role."""

from __future__ import annotations

import pytest

from sync.services import roster
from sync.services.errors import Invalid, NotAllowed, NotFound
from tests.sync.client.conftest import Device


def test_find_member_by_id_or_unambiguous_prefix(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    store = d["C"].profile.store
    assert roster.find_member(store, op, d["A"].id).device_id == d["A"].id
    assert roster.find_member(store, op, d["A"].id[:8].upper()).device_id == d["A"].id
    with pytest.raises(NotFound):
        roster.find_member(store, op, d["A"].id[:3])
    with pytest.raises(NotFound):
        roster.find_member(store, op, "0" * 64)


def test_only_a_coordinator_changes_a_role_and_only_to_a_role(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    with pytest.raises(NotAllowed, match="coordinator"):
        roster.change_role(d["A"].engine, op, d["B"].id, "observer")
    with pytest.raises(Invalid):
        roster.change_role(d["C"].engine, op, d["B"].id, "chief")
