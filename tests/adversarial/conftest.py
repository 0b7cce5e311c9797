"""Hostile-relay fixtures: the real relay process, the scripted proxy in front of it, and a
team of in-process devices that reach the relay only through the proxy."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sync.client import lifecycle, state
from sync.client.engine import SyncEngine, SyncReport
from sync.protocol.commit import change_role as role_commit
from sync.services import roster
from sync.store import keyfile
from sync.store import profile as profiles
from tests.adversarial.hostile import HostileRelay, RelayDatabase
from tests.sync.relay.conftest import RelayProcess

TEMPLATES = ["seizure-short", "person"]


def person(family_name: str) -> dict[str, str]:
    """Values of a ``person`` record that fit its template (receivers check them)."""
    return {
        "family_name": family_name,
        "role": "courier",
        "handling_code": "H1",
        "source_reliability": "B",
        "information_accuracy": "2",
    }


@dataclass
class Device:
    """One officer's profile and sync engine (talking to the relay through the proxy)."""

    name: str
    profile: profiles.Profile
    engine: SyncEngine

    @property
    def id(self) -> str:
        return self.profile.device_id

    def sync(self, op: str) -> SyncReport:
        return self.engine.sync_once(op)


@dataclass
class Team:
    """The relay, its hostile proxy, its database, and the devices by name."""

    relay: RelayProcess
    proxy: HostileRelay
    db: RelayDatabase
    devices: dict[str, Device]
    home: Path

    def __getitem__(self, name: str) -> Device:
        return self.devices[name]

    def device(self, name: str, country: str = "FR") -> Device:
        """A new profile whose engine talks to the proxy."""
        profile = profiles.create(
            self.home / name, "pw", f"Officer {name}", f"Agency {name}", country
        )
        device = Device(name, profile, SyncEngine(profile))
        self.devices[name] = device
        return device

    def operation(self, coordinator: str = "C", members: dict[str, str] | None = None) -> str:
        """``coordinator`` creates an operation on the proxy's URL and admits each of
        ``members`` (name -> role); every member syncs once, all with an honest relay."""
        members = {"A": "participant", "B": "participant"} if members is None else members
        with self.proxy.honest():
            c = self.devices.get(coordinator) or self.device(coordinator)
            op = lifecycle.create_operation(
                c.engine, "Operation Lantern", self.proxy.url, TEMPLATES, None
            )
            for name, role in members.items():
                device = self.devices.get(name) or self.device(name, "NG")
                code = lifecycle.invite(c.engine, op, role)
                lifecycle.join(device.engine, code)
                roster.admit(
                    c.engine, op, device.id, fingerprint=device.profile.identity.public.fingerprint
                )
            for name in members:
                assert self.devices[name].sync(op).status == "active"
            c.sync(op)
        return op


def change_role(team: Team, coordinator: str, op: str, member: str, role: str) -> int:
    """``coordinator`` gives ``member`` another role (a signed commit posted to the relay)."""
    c = team[coordinator]
    with team.proxy.honest():
        _op, client, keys = lifecycle.coordinator_context(c.engine, op)
        commit, _secret = role_commit(
            c.profile.identity, keys.latest, bytes.fromhex(team[member].id), role
        )
        client.post_commit(commit.operation_id, commit.raw)
        state.add_commits(c.profile.store, c.profile.identity, keys, [commit.raw])
    return commit.epoch


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayProcess]:
    process = RelayProcess(tmp_path / "relay").start()
    yield process
    process.stop()


@pytest.fixture
def proxy(relay: RelayProcess) -> Iterator[HostileRelay]:
    hostile = HostileRelay(relay.url).start()
    yield hostile
    hostile.stop()


@pytest.fixture
def team(relay: RelayProcess, proxy: HostileRelay, tmp_path: Path) -> Iterator[Team]:
    built = Team(relay, proxy, RelayDatabase(relay.data), {}, tmp_path / "devices")
    yield built
    for device in built.devices.values():
        device.profile.close()
