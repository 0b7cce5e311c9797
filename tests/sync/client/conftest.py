"""In-process sync engine set-up: profiles sharing one operation, without a relay."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sync.client import state
from sync.client.engine import SyncEngine
from sync.client.local import seal_outbox
from sync.protocol import Member, OperationInfo, add_members, create_genesis
from sync.store import keyfile
from sync.store import profile as profiles
from sync.store.operations import Operation

# What every person record needs to fit its template (received records are checked).
EVAL = {
    "role": "courier",
    "handling_code": "H1",
    "source_reliability": "B",
    "information_accuracy": "2",
}
PERSON = {**EVAL, "family_name": "Okafor"}


@dataclass
class Device:
    profile: profiles.Profile
    engine: SyncEngine

    @property
    def id(self) -> str:
        return self.profile.device_id

    def outgoing(self, operation_id: str) -> list[bytes]:
        """Seal and hand over everything queued (what a push would send)."""
        store = self.profile.store
        seal_outbox(self.profile, store, operation_id, self.engine.keys(operation_id))
        rows = store.query(
            "SELECT payload FROM outbox WHERE operation_id = ? AND sent_at IS NULL ORDER BY seq",
            (operation_id,),
        )
        store.execute("UPDATE outbox SET sent_at = 'now' WHERE operation_id = ?", (operation_id,))
        return [bytes(r[0]) for r in rows]


@pytest.fixture
def trio(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, dict[str, Device]]]:
    """Coordinator C, participants A and B in one operation (epoch 1), no relay."""
    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")
    devices = {}
    for name, country in (("C", "FR"), ("A", "NG"), ("B", "BR")):
        profile = profiles.create(
            tmp_path / name, "pw", f"Officer {name}", f"Agency {name}", country
        )
        devices[name] = Device(profile, SyncEngine(profile))
    c = devices["C"].profile
    genesis, _secret = create_genesis(
        c.identity,
        name=c.name,
        agency=c.agency,
        country=c.country,
        info=OperationInfo("Lantern", None, "person"),
    )
    others = [
        Member(
            devices[n].profile.identity.public, f"Officer {n}", f"Agency {n}", "NG", "participant"
        )
        for n in "AB"
    ]
    commit, _ = add_members(c.identity, genesis, others)
    op = genesis.operation_id.hex()
    for device in devices.values():
        store = device.profile.store
        store.operations.save(
            Operation(op, "Lantern", "participant", "active", relay_url="http://127.0.0.1:9")
        )
        keys = state.OperationKeys(device.profile.identity)
        state.add_commits(store, device.profile.identity, keys, [genesis.raw, commit.raw])
    yield op, devices
    for device in devices.values():
        device.profile.close()
