"""A profile with one operation (this device its coordinator, no relay needed), the task
runner and the Session the rooms are given, torn down after each test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop.profiles import ProfileGateway
from desktop.session import Session
from desktop.tasks import TaskRunner
from desktop.workspace.context import OperationRef

TEMPLATES = ["seizure-long", "seizure-short", "person", "vehicle", "container"]


def make_operation(profile: Any, name: str = "Lantern", templates: list[str] | None = None) -> str:
    """An operation created locally with this device as coordinator (what `op create` stores,
    without the relay)."""
    from sync.client import state
    from sync.protocol import OperationInfo, create_genesis
    from sync.store.operations import Operation

    templates = templates or TEMPLATES
    commit, secret = create_genesis(
        profile.identity,
        name=profile.name,
        agency=profile.agency or "-",
        country=profile.country,
        info=OperationInfo(name, None, ",".join(templates)),
    )
    op = commit.operation_id.hex()
    store = profile.store
    with store.transaction():
        store.operations.save(
            Operation(
                op,
                name,
                "coordinator",
                "active",
                relay_url="http://127.0.0.1:9",
                templates=templates,
                coordinator=profile.device_id,
            )
        )
        state.save_commit(store, commit, secret, profile.identity.device_id)
    return op


@dataclass
class Bench:
    session: Session
    runner: TaskRunner
    operation: OperationRef
    home: Path

    def call(self, qtbot: Any, fn: Any, timeout: int = 20_000) -> Any:
        """Run ``fn(profile)`` on the writer thread and wait for its result."""
        box: list[Any] = []
        self.session.call(fn).success(box.append).failure(box.append).run()
        qtbot.waitUntil(lambda: bool(box), timeout=timeout)
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]


@pytest.fixture
def bench(qtbot, qapp, tmp_path: Path, monkeypatch) -> Iterator[Bench]:
    from sync.store import keyfile

    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")
    from desktop.qt import Qt

    qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # an earlier test may leave RTL
    home = tmp_path / "profile"
    runner = TaskRunner()
    gateway = ProfileGateway(home)
    box: list[Any] = []

    def create(_progress: Any) -> Any:
        from sync.store import profile as profiles

        profile = profiles.create(home, "pw", "Ana Silva", "Customs", "PT")
        return profile, ProfileGateway.summary(profile), make_operation(profile)

    runner.write(create).success(box.append).failure(box.append).run()
    qtbot.waitUntil(lambda: bool(box), timeout=30_000)
    if isinstance(box[0], BaseException):
        raise box[0]
    profile, summary, op = box[0]
    del gateway
    session = Session(profile, summary, runner)
    ref = OperationRef(op, "Lantern", "coordinator", "active", tuple(TEMPLATES))
    yield Bench(session, runner, ref, home)
    closing = session.close()
    runner.write(lambda _p: closing.close()).run()
    runner.shutdown()
