"""Store test set-up: a cheap Argon2id (test-only override) and ready-made stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.store import keyfile
from sync.store.db import Store
from sync.store.operations import Operation


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.create(tmp_path / "store.db", os.urandom(32))
    s.operations.save(Operation("op1", "Cocair", "coordinator", "active"))
    s.operations.save(Operation("op2", "Other", "participant", "active"))
    yield s
    s.close()
