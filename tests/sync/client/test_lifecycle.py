"""sync.client.lifecycle, the parts that need no relay or a fake one: the member list with its
fingerprints and unverified admissions, closing (from a verified closing commit only) with its
retention, and shredding what has run out. (Creating, inviting, joining, admitting and removing
against a real relay are in tests/scenarios and tests/sync/cli.)"""

from __future__ import annotations

import datetime as dt

import pytest

from sync.client import lifecycle, state
from sync.client.context import SyncContext
from sync.client.local import LocalChanges
from sync.client.relay_http import RelayClient
from sync.errors import CordonError
from sync.primitives.identity import Identity
from sync.protocol import Member, OperationInfo, add_members, create_genesis
from sync.protocol.commit import close_operation
from tests.sync.client.conftest import PERSON, Device


class GoneRelay(RelayClient):
    """A relay that has purged the operation and hands over ``closing`` (or nothing)."""

    def __init__(self, closing: bytes | None) -> None:
        super().__init__("http://127.0.0.1:9", None)
        self.closing = closing

    def closing_commit(self, operation_id: bytes) -> bytes | None:
        return self.closing


def test_members_list_every_device_with_its_fingerprint_and_admission(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    c, a = d["C"].profile, d["A"].profile
    newcomer = Identity.generate()
    commit, _secret = add_members(
        c.identity,
        state.load_keys(a.store, a.identity, op).latest,
        [Member(newcomer.public, "Officer D", "Agency D", "KE", "observer")],
        unverified=[newcomer.public.device_id],
    )
    state.add_commits(a.store, a.identity, state.load_keys(a.store, a.identity, op), [commit.raw])
    found = {m["name"]: m for m in lifecycle.members(a.store, op[:8])}
    assert set(found) == {"Officer C", "Officer A", "Officer B", "Officer D"}
    assert found["Officer C"]["role"] == "coordinator"
    assert found["Officer D"]["role"] == "observer"
    assert found["Officer D"]["fingerprint"] == newcomer.public.fingerprint
    assert found["Officer A"]["fingerprint"] == a.identity.public.fingerprint
    assert [n for n, m in found.items() if not m["verified"]] == ["Officer D"]
    assert lifecycle.unverified_admissions(a.store, op) == {newcomer.public.device_id_hex}


def test_mark_closed_keeps_the_first_closing_time_and_prunes_what_was_sent(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a = d["A"]
    store = a.profile.store
    LocalChanges(a.profile, op).add_records("person", 1, [PERSON], "submitted")
    a.outgoing(op)  # sealed and marked sent
    state.set_data(store, op, relay_closed_at="2026-01-01T00:00:00Z")
    lifecycle.mark_closed(store, op)
    data = state.get_data(store, op)
    first = data["closed_at"]
    assert data["retention_days"] == lifecycle.DEFAULT_RETENTION_DAYS
    assert "relay_closed_at" not in data
    assert store.query("SELECT count(*) FROM outbox WHERE operation_id = ?", (op,)) == [(0,)]
    current = store.operations.get(op)
    assert current is not None and current.status == "closed"
    lifecycle.mark_closed(store, op, retention_days=7)
    assert state.get_data(store, op)["closed_at"] == first
    assert state.get_data(store, op)["retention_days"] == 7
    with pytest.raises(CordonError, match="is closed"):
        LocalChanges(a.profile, op)


def test_a_relay_saying_gone_without_a_closing_commit_changes_nothing_but_a_note(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a = d["A"].profile
    with pytest.raises(CordonError) as said:
        lifecycle.handle_gone(SyncContext(a), op, GoneRelay(None))
    assert "the coordinator has not closed it" in str(said.value)
    current = a.store.operations.get(op)
    assert current is not None and current.status == "active"
    assert "relay_closed_at" in state.get_data(a.store, op)


def test_a_closing_commit_of_another_operation_is_not_believed(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a, c = d["A"].profile, d["C"].profile
    other, _secret = create_genesis(
        c.identity, name=c.name, agency=c.agency, country=c.country,
        info=OperationInfo("Elsewhere", None, "person"),
    )  # fmt: skip
    closing, _secret = close_operation(c.identity, other, 0)  # signed by our coordinator
    with pytest.raises(CordonError, match="the coordinator has not closed it"):
        lifecycle.handle_gone(SyncContext(a), op, GoneRelay(closing.raw))
    current = a.store.operations.get(op)
    assert current is not None and current.status == "active"


def test_the_coordinators_closing_commit_closes_with_its_retention(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a, c = d["A"].profile, d["C"].profile
    closing, _secret = close_operation(
        c.identity, state.load_keys(c.store, c.identity, op).latest, 12
    )
    lifecycle.handle_gone(SyncContext(a), op, GoneRelay(closing.raw))
    current = a.store.operations.get(op)
    assert current is not None and current.status == "closed"
    assert current.retention_days == 12
    assert state.load_keys(a.store, a.identity, op).latest.action == "close"


def test_purge_shreds_only_what_has_run_out_and_has_nothing_unsent(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a = d["A"].profile
    LocalChanges(a, op).add_records("person", 1, [PERSON], "submitted")
    lifecycle.mark_closed(a.store, op, retention_days=5)
    closed_at = dt.datetime.fromisoformat(
        state.get_data(a.store, op)["closed_at"].replace("Z", "+00:00")
    )
    assert lifecycle.purge_expired(a, closed_at + dt.timedelta(days=4)) == []
    # a change never sent is erased only when the person asks
    assert lifecycle.purge_expired(a, closed_at + dt.timedelta(days=6)) == []
    a.store.execute("UPDATE outbox SET sent_at = 'now' WHERE operation_id = ?", (op,))
    assert lifecycle.purge_expired(a, closed_at + dt.timedelta(days=6)) == [op]
    current = a.store.operations.get(op)
    assert current is not None and current.status == "shredded" and current.name != "Lantern"
    assert a.store.records.count(op) == 0
