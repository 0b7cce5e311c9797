"""Set-ups for the messages, library and picture room tests.

The profile a room works on is opened on the task runner's writer thread (one SQLCipher
connection per thread, as in the application). ``solo`` is one coordinator with an operation
and no relay (library, picture); ``pair`` adds a real relay process and a second profile,
the coordinator, driven by its own sync engine in the test thread (messages).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from desktop.profiles import ProfileGateway
from desktop.session import Session
from desktop.tasks import TaskRunner
from desktop.workspace.context import OperationRef
from sync.client import lifecycle, state
from sync.client.engine import SyncEngine
from sync.protocol import OperationInfo, create_genesis
from sync.services import roster
from sync.store import profile as profiles
from sync.store.operations import Operation
from tests.sync.relay.conftest import RelayProcess

TEMPLATES = ("seizure-short", "seizure-long", "person")


@dataclass
class Rooms:
    runner: TaskRunner
    session: Session
    operation: OperationRef
    qtbot: Any
    relay: RelayProcess | None = None
    other: profiles.Profile | None = None  # the coordinator of ``pair``, used in the test thread
    other_engine: SyncEngine | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def op(self) -> str:
        return self.operation.operation_id

    def on_writer(self, fn: Callable[[Any], Any], timeout: int = 30_000) -> Any:
        """Run ``fn(profile)`` on the writer thread and wait for its answer."""
        box: dict[str, Any] = {}
        job = self.session.call(fn)
        job.success(lambda value: box.setdefault("value", value))
        job.failure(lambda exc: box.setdefault("error", exc))
        job.run()
        self.qtbot.waitUntil(lambda: bool(box), timeout=timeout)
        if "error" in box:
            raise box["error"]
        return box["value"]

    def sync_mine(self) -> Any:
        op = self.op
        report = self.on_writer(lambda profile: SyncEngine(profile).sync_once(op))
        self.session.notify_changed(op)
        return report


def _writer(runner: TaskRunner, qtbot: Any, fn: Callable[[], Any]) -> Any:
    box: dict[str, Any] = {}
    job = runner.write(lambda _p: fn())
    job.success(lambda value: box.setdefault("value", value))
    job.failure(lambda exc: box.setdefault("error", exc))
    job.run()
    qtbot.waitUntil(lambda: bool(box), timeout=60_000)
    if "error" in box:
        raise box["error"]
    return box["value"]


def _close(runner: TaskRunner, session: Session) -> None:
    profile = session.close()
    if profile is not None:
        runner.write(lambda _p: profile.close()).run()
    runner.shutdown()


@pytest.fixture
def solo(qtbot: Any, tmp_path: Path) -> Iterator[Rooms]:
    """A coordinator's profile with one active operation, no relay."""
    runner = TaskRunner()

    def setup() -> tuple[Any, str]:
        profile = profiles.create(tmp_path / "me", "pw", "Ana Silva", "AT Customs", "PT")
        genesis, _secret = create_genesis(
            profile.identity,
            name=profile.name,
            agency=profile.agency,
            country=profile.country,
            info=OperationInfo("Operation Lantern", "2027-03-31", ",".join(TEMPLATES)),
        )
        op = genesis.operation_id.hex()
        store = profile.store
        store.operations.save(
            Operation(
                op,
                "Operation Lantern",
                "coordinator",
                "active",
                relay_url="http://127.0.0.1:9",
                templates=list(TEMPLATES),
                coordinator=profile.device_id,
            )
        )
        keys = state.OperationKeys(profile.identity)
        state.add_commits(store, profile.identity, keys, [genesis.raw])
        return profile, op

    profile, op = _writer(runner, qtbot, setup)
    session = Session(profile, ProfileGateway.summary(profile), runner)
    ref = OperationRef(op, "Operation Lantern", "coordinator", "active", TEMPLATES)
    yield Rooms(runner, session, ref, qtbot)
    _close(runner, session)


@pytest.fixture
def pair(qtbot: Any, tmp_path: Path) -> Iterator[Rooms]:
    """A real relay; coordinator C (test thread) and participant A (the rooms' session)."""
    relay = RelayProcess(tmp_path / "relay").start()
    runner = TaskRunner()
    coordinator = profiles.create(tmp_path / "C", "pw", "Claire Martin", "DNRED", "FR")
    c_engine = SyncEngine(coordinator)
    op = lifecycle.create_operation(
        c_engine, "Operation Lantern", relay.url, list(TEMPLATES), "2027-03-31"
    )
    code = lifecycle.invite(c_engine, op, "participant")

    def join() -> Any:
        profile = profiles.create(tmp_path / "A", "pw", "Ade Okafor", "Nigeria Customs", "NG")
        lifecycle.join(SyncEngine(profile), code)
        return profile

    me = _writer(runner, qtbot, join)
    roster.admit(c_engine, op, me.device_id, fingerprint=me.identity.public.fingerprint)
    report = _writer(runner, qtbot, lambda: SyncEngine(me).sync_once(op))
    assert report.status != "pending"
    session = Session(me, ProfileGateway.summary(me), runner)
    ref = OperationRef(op, "Operation Lantern", "participant", "active", TEMPLATES)
    rooms = Rooms(runner, session, ref, qtbot, relay, coordinator, c_engine)
    try:
        yield rooms
    finally:
        _close(runner, session)
        coordinator.close()
        relay.stop()


ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "desktop"


@contextmanager
def interface_language(code: str) -> Iterator[None]:
    """Switch the interface language, layout direction and Qt's catalog as the application does."""
    from tests.desktop.screens import qt_language

    with qt_language(code):
        yield


def save_screen(widget: Any, name: str, language: str) -> Path:
    """Render a room offscreen into test-artifacts/desktop/ for people to look at."""
    from tests.desktop.screens import save_screen as save

    return save(widget, name, language, check_size=False)
