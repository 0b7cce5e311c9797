"""Library rules: adding a file and taking a copy out, each logged once."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.services import library
from sync.services.errors import Invalid, NotAllowed, NotFound
from sync.store import audit
from sync.store.operations import Operation
from tests.sync.client.conftest import Device


def _entries(device: Device, op: str, obj: str) -> list[str]:
    return [e.action for e in device.profile.store.audit.entries(op) if e.object == obj]


def test_add_then_copy_out_are_one_entry_each(
    trio: tuple[str, dict[str, Device]], tmp_path: Path
) -> None:
    op, d = trio
    source = tmp_path / "manifest.txt"
    source.write_text("MSCU1234565 reefer, 40 ft", encoding="utf-8")
    item_id = library.add(d["A"].profile, op, str(source), "Manifest")
    assert _entries(d["A"], op, item_id) == [audit.COLLECTION]
    item = library.find_item(d["A"].profile, op, item_id[:8])
    assert item.title == "Manifest"
    out = library.save_copy(d["A"].profile, op, item_id, str(tmp_path / "copy.txt"))
    assert out.read_text(encoding="utf-8") == "MSCU1234565 reefer, 40 ft"
    assert _entries(d["A"], op, item_id) == [audit.COLLECTION, audit.DISCLOSURE]


def test_add_refuses_what_is_not_allowed(
    trio: tuple[str, dict[str, Device]], tmp_path: Path
) -> None:
    op, d = trio
    with pytest.raises(Invalid):
        library.add(d["A"].profile, op, str(tmp_path))  # a folder
    source = tmp_path / "a.txt"
    source.write_text("x", encoding="utf-8")
    with pytest.raises(NotFound):
        library.add(d["A"].profile, op, str(source), record="0123456789ab")
    store = d["B"].profile.store
    current = store.operations.get(op)
    assert current is not None
    store.operations.save(Operation(**{**current.__dict__, "role": "observer"}))
    with pytest.raises(NotAllowed):
        library.add(d["B"].profile, op, str(source))
    with pytest.raises(NotFound):
        library.find_item(d["A"].profile, op, "ffffff")
