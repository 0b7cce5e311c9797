"""Shared identities and a small operation for the protocol tests (generated once per session)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sync.primitives.identity import Identity
from sync.protocol import Commit, Member, OperationInfo, add_members, create_genesis

INFO = OperationInfo("Operation Lantern", "2027-03-31", "wco-standard-1")


@dataclass
class Operation:
    coordinator: Identity
    participant: Identity
    observer: Identity
    outsider: Identity
    genesis: Commit
    commit1: Commit
    secret0: bytes
    secret1: bytes


@pytest.fixture(scope="session")
def people() -> dict[str, Identity]:
    return {name: Identity.generate() for name in ("coord", "part", "obs", "out", "coord2", "new")}


@pytest.fixture(scope="session")
def operation(people: dict[str, Identity]) -> Operation:
    coord = people["coord"]
    genesis, secret0 = create_genesis(
        coord, name="Ana Souza", agency="Receita Federal", country="BR", info=INFO
    )
    commit1, secret1 = add_members(
        coord,
        genesis,
        [
            Member(people["part"].public, "Jan de Vries", "Douane", "NL", "participant"),
            Member(people["obs"].public, "Olga Berg", "Tullverket", "SE", "observer"),
        ],
    )
    return Operation(
        coord, people["part"], people["obs"], people["out"], genesis, commit1, secret0, secret1
    )
