"""sync.client.files, the file transport: a package file is written whole (private, never half),
read strictly, and applying it twice changes nothing; every failure is one sentence.
(Carrying packages forward end to end is in tests/scenarios/test_offline.py.)"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import cbor2
import pytest

from sync.client.context import SyncContext
from sync.client.files import FILE_FORMAT, export_packages, import_packages, parse_package_file
from sync.client.local import LocalChanges
from sync.errors import CordonError, ProtocolError
from sync.store.operations import Operation
from tests.sync.client.conftest import PERSON, Device

OP = bytes(range(16))


def _file(**changes: object) -> bytes:
    value: dict[str, object] = {
        "v": 1,
        "format": FILE_FORMAT,
        "op": OP,
        "commits": [b"c"],
        "packages": [b"p1", b"p2"],
    }
    value.update(changes)
    return cbor2.dumps({k: v for k, v in value.items() if v is not None}, canonical=True)


def test_a_well_formed_file_parses() -> None:
    assert parse_package_file(_file()) == (OP, [b"c"], [b"p1", b"p2"])


@pytest.mark.parametrize(
    "changes",
    [
        {"v": 2},
        {"format": "something-else"},
        {"op": bytes(15)},
        {"op": "00" * 16},
        {"commits": [b"c", "text"]},
        {"packages": [1]},
        {"packages": b"p"},
        {"packages": None},
        {"extra": 1},
    ],
    ids=["version", "format", "short op", "op text", "commit text", "package int",
         "packages bytes", "no packages", "extra key"],
)  # fmt: skip
def test_anything_else_is_a_protocol_error(changes: dict[str, object]) -> None:
    with pytest.raises(ProtocolError):
        parse_package_file(_file(**changes))


def test_export_then_import_applies_once(
    trio: tuple[str, dict[str, Device]], tmp_path: Path
) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    LocalChanges(a.profile, op).add_records(
        "person", 1, [PERSON, {**PERSON, "family_name": "Bo"}], "submitted"
    )
    LocalChanges(a.profile, op).send_message("Subject", "Body", alert=False, to=None)
    path = tmp_path / "out.cordon"
    assert export_packages(SyncContext(a.profile), op, str(path)) == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(tmp_path).count("out.cordon") == 1
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".part")]
    exported = [e for e in a.profile.store.audit.entries(op) if e.object == "export:2"]
    assert [e.action for e in exported] == ["disclosure"]
    ctx = SyncContext(b.profile)
    found, report = import_packages(ctx, str(path))
    assert found == op and (report.received, report.rejected) == (2, 0)
    assert b.profile.store.records.count(op) == 2
    _again, twice = import_packages(ctx, str(path))
    assert (twice.received, twice.duplicates) == (0, 2)
    assert b.profile.store.records.count(op) == 2


def test_reading_failures_are_one_sentence(
    trio: tuple[str, dict[str, Device]], tmp_path: Path
) -> None:
    op, d = trio
    ctx = SyncContext(d["B"].profile)
    missing = tmp_path / "missing.cordon"
    with pytest.raises(CordonError, match=r"could not be read: No such file or directory\.$"):
        import_packages(ctx, str(missing))
    garbage = tmp_path / "garbage.cordon"
    garbage.write_bytes(b"\x00not cbor at all")
    with pytest.raises(CordonError) as refused:
        import_packages(ctx, str(garbage))
    assert str(refused.value) == f"{garbage} is not a Cordon package file."
    foreign = tmp_path / "foreign.cordon"
    foreign.write_bytes(_file(commits=[], packages=[]))
    with pytest.raises(CordonError) as stranger:
        import_packages(ctx, str(foreign))
    assert str(stranger.value) == (
        "This profile is not a member of the operation the file belongs to."
    )


def test_a_pending_operation_takes_no_file(
    trio: tuple[str, dict[str, Device]], tmp_path: Path
) -> None:
    op, d = trio
    b = d["B"].profile
    path = tmp_path / "out.cordon"
    export_packages(SyncContext(d["A"].profile), op, str(path))
    current = b.store.operations.get(op)
    assert current is not None
    b.store.operations.save(Operation(op, current.name, current.role, "pending"))
    with pytest.raises(CordonError, match="not a member of the operation"):
        import_packages(SyncContext(b), str(path))


def test_a_file_that_cannot_be_written_leaves_nothing_behind(
    trio: tuple[str, dict[str, Device]], tmp_path: Path
) -> None:
    op, d = trio
    target = tmp_path / "no-such-folder" / "out.cordon"
    with pytest.raises(CordonError) as refused:
        export_packages(SyncContext(d["A"].profile), op, str(target))
    assert str(refused.value) == (
        f"The file {target} could not be written: No such file or directory."
    )
    assert not target.parent.exists()
    assert [
        e for e in d["A"].profile.store.audit.entries(op) if e.object.startswith("export:")
    ] == []
