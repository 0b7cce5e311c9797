"""The editor's kept drafts: in the encrypted store, bounded, gone with their operation."""

from __future__ import annotations

import time

import pytest

from sync.store import drafts
from sync.store.db import Store
from sync.store.erase import erase_operation


def test_a_draft_is_kept_found_and_dropped(store: Store) -> None:
    assert drafts.save(store, "k1", "op1", "person", None, {"family_name": "Okafor"})
    assert drafts.save(store, "k2", "op1", "person", "r1", {"family_name": "Mensah"})
    new = drafts.find(store, "op1", "person", None)
    assert new is not None and new.values == {"family_name": "Okafor"}
    edit = drafts.find(store, "op1", "person", "r1")
    assert edit is not None and edit.key == "k2"
    assert drafts.find(store, "op2", "person", None) is None
    drafts.delete(store, "k1")
    assert drafts.find(store, "op1", "person", None) is None


def test_drafts_are_bounded_in_number_size_and_age(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(drafts.MAX_DRAFTS + 3):
        drafts.save(store, f"k{i}", "op1", "person", None, {"n": i})
    assert len(drafts.list_all(store)) == drafts.MAX_DRAFTS
    assert not drafts.save(store, "big", "op1", "person", None, {"x": "y" * drafts.MAX_BYTES})
    later = time.time() + drafts.MAX_AGE + 60
    monkeypatch.setattr(drafts.time, "time", lambda: later)
    drafts.save(store, "fresh", "op1", "person", None, {"n": 0})
    assert [d.key for d in drafts.list_all(store)] == ["fresh"]


def test_erasing_an_operation_erases_its_drafts(store: Store) -> None:
    drafts.save(store, "mine", "op1", "seizure-short", None, {"place": "NLRTM"})
    drafts.save(store, "other", "op2", "seizure-short", None, {"place": "BEANR"})
    erase_operation(store, "op1", "2026-12-04T15:00:00Z")
    assert [d.key for d in drafts.list_all(store)] == ["other"]
