"""The audit chain: appends verify; edits, deletions, reorders and cut tails are detected."""

from __future__ import annotations

import pytest

from sync.store import audit
from sync.store.db import IntegrityError, Store


@pytest.fixture
def logged(store: Store) -> Store:
    store.audit.actor = "a" * 32
    store.audit.append(audit.UNLOCK, "a" * 32)
    store.audit.append(audit.COLLECTION, "rec1", "op1")
    store.audit.append(audit.CONSULTATION, "rec1", "op1")
    store.audit.append(audit.DISCLOSURE, "export:rec1", "op1")
    store.audit.append(audit.ERASURE, "rec2", "op2")
    return store


def test_intact_chain_verifies(logged: Store) -> None:
    result = logged.audit.verify()
    assert result.ok and result.count == 5
    entries = logged.audit.entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[1].prev_hash == entries[0].hash


def test_filter_by_operation(logged: Store) -> None:
    assert [e.action for e in logged.audit.entries("op1")] == [
        audit.COLLECTION,
        audit.CONSULTATION,
        audit.DISCLOSURE,
    ]


def test_table_refuses_update_and_delete(logged: Store) -> None:
    with pytest.raises(IntegrityError):
        logged.execute("UPDATE audit_log SET action = 'unlock' WHERE seq = 2")
    with pytest.raises(IntegrityError):
        logged.execute("DELETE FROM audit_log WHERE seq = 2")


def _unguard(store: Store) -> None:
    store.execute("DROP TRIGGER audit_log_no_update")
    store.execute("DROP TRIGGER audit_log_no_delete")


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_log SET object = 'rec9' WHERE seq = 2",
        "UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 3",
        "UPDATE audit_log SET actor = 'someone' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 5",
        "UPDATE audit_log SET seq = CASE seq WHEN 2 THEN 3 WHEN 3 THEN 2 END WHERE seq IN (2, 3)",
    ],
)
def test_tampering_is_detected(logged: Store, tamper: str) -> None:
    _unguard(logged)
    if "CASE" in tamper:  # a swap needs the primary key out of the way first
        logged.execute("UPDATE audit_log SET seq = -2 WHERE seq = 2")
        logged.execute("UPDATE audit_log SET seq = 2 WHERE seq = 3")
        logged.execute("UPDATE audit_log SET seq = 3 WHERE seq = -2")
    else:
        logged.execute(tamper)
    assert not logged.audit.verify().ok


def test_recomputed_entry_is_still_detected(logged: Store) -> None:
    """Rewriting an entry with a fresh hash breaks the link held by the next entry."""
    _unguard(logged)
    first = logged.audit.entries()[1]
    digest = audit.entry_hash(
        first.seq,
        first.at,
        first.actor,
        audit.CONSULTATION,
        first.object,
        first.operation_id,
        first.prev_hash,
    )
    logged.execute(
        "UPDATE audit_log SET action = ?, hash = ? WHERE seq = ?",
        (audit.CONSULTATION, digest, first.seq),
    )
    result = logged.audit.verify()
    assert not result.ok and result.first_bad_seq == 3


def test_objects_must_be_identifiers(store: Store) -> None:
    for bad in ("Jean Dupont", "passport 12AB34567 of Mr X", "a/b", "x" * 201, "é"):
        with pytest.raises(ValueError):
            store.audit.append(audit.CONSULTATION, bad)
    with pytest.raises(ValueError):
        store.audit.append("looked", "rec1")


def test_empty_log_verifies(store: Store) -> None:
    assert store.audit.verify().ok


def test_append_many_chains_as_append_does(store: Store) -> None:
    store.audit.append(audit.UNLOCK, "dev")
    added = store.audit.append_many(
        [(audit.COLLECTION, f"r{i}", "op1") for i in range(5)] + [(audit.ERASURE, "r0", "op1")]
    )
    assert [e.seq for e in added] == [2, 3, 4, 5, 6, 7]
    assert store.audit.entries() == [store.audit.entries()[0], *added]
    assert all(b.prev_hash == a.hash for a, b in zip(store.audit.entries(), added, strict=False))
    assert store.audit.verify() == audit.Verification(True, 7)
    store.audit.append(audit.CONSULTATION, "r1", "op1")
    assert store.audit.verify() == audit.Verification(True, 8)
    assert store.audit.append_many([]) == []


def test_append_many_checks_every_object_before_writing(store: Store) -> None:
    with pytest.raises(ValueError):
        store.audit.append_many([(audit.COLLECTION, "r1", "op1"), (audit.COLLECTION, "a b", None)])
    with pytest.raises(ValueError):
        store.audit.append_many([(audit.COLLECTION, "r1", "op1"), ("nonsense", "r2", None)])
    assert store.audit.entries() == []
