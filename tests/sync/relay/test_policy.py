"""Issue 20 items 3 and 7: who may create operations, how many and how fast; reservations.

Each test starts the real relay process with the policy set through its environment, as an
operator would, and checks the refusal a client sees: status, code and one clear sentence.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.client.relay_http import TUS_VERSION, RelayError
from sync.primitives.identity import Identity
from sync.protocol import close_operation, create_genesis, invitation_id
from tests.sync.relay.conftest import INFO, RelayProcess, make_operation


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str | None:
    return request.getfixturevalue("postgres").url if request.param == "postgres" else None


@pytest.fixture
def started() -> Iterator[list[RelayProcess]]:
    processes: list[RelayProcess] = []
    yield processes
    for process in processes:
        process.stop()


def _relay(
    started: list[RelayProcess], tmp_path: Path, backend: str | None, **env: str
) -> RelayProcess:
    settings = {"CORDON_RELAY_" + name.upper(): value for name, value in env.items()}
    process = RelayProcess(tmp_path / f"data{len(started)}", backend, settings).start()
    started.append(process)
    return process


def _create(relay: RelayProcess, coordinator: Identity) -> bytes:
    genesis, _secret = create_genesis(
        coordinator, name="Ana Souza", agency="Receita Federal", country="BR", info=INFO
    )
    relay.client(coordinator).create_operation(genesis.raw)
    return genesis.raw


def test_a_device_creates_at_most_max_operations(
    started: list[RelayProcess], tmp_path: Path, backend: str | None
) -> None:
    relay = _relay(started, tmp_path, backend, max_operations_per_device="2", creation_per_hour="0")
    device = Identity.generate()
    first = _create(relay, device)
    _create(relay, device)
    with pytest.raises(RelayError) as refused:
        _create(relay, device)
    assert (refused.value.status, refused.value.code) == (429, "operation_limit")
    assert "created as many operations as this relay allows" in str(refused.value)
    # Posting the same genesis again is not a new operation: still answered as done.
    relay.client(device).create_operation(first)
    # Another device is not affected.
    _create(relay, Identity.generate())


def test_closing_an_operation_gives_its_place_back(
    started: list[RelayProcess], tmp_path: Path, backend: str | None, people: dict[str, Identity]
) -> None:
    relay = _relay(started, tmp_path, backend, max_operations_per_device="1", creation_per_hour="0")
    # A coordinator of its own: the PostgreSQL database is shared by the session's tests.
    people = {**people, "coord": Identity.generate()}
    op = make_operation(relay, people)
    with pytest.raises(RelayError):
        _create(relay, people["coord"])
    closing, _secret = close_operation(people["coord"], op.latest, 7)
    coordinator = relay.client(people["coord"])
    coordinator.post_commit(op.id, closing.raw)
    coordinator.close_operation(op.id)
    _create(relay, people["coord"])


def test_creating_operations_and_invitations_is_rate_limited(
    started: list[RelayProcess], tmp_path: Path, backend: str | None, people: dict[str, Identity]
) -> None:
    relay = _relay(
        started,
        tmp_path,
        backend,
        creation_per_hour="1",
        creation_burst="4",
        max_operations_per_device="0",
    )
    # Per address: four fresh devices may create, the fifth from the same address may not.
    for _ in range(3):
        _create(relay, Identity.generate())
    op = make_operation(relay, people)  # the fourth creation (and one commit)
    with pytest.raises(RelayError) as refused:
        _create(relay, Identity.generate())
    assert (refused.value.status, refused.value.code) == (429, "rate_limited")
    assert refused.value.retry_after is not None and refused.value.retry_after > 0
    # Invitations count against the same address.
    with pytest.raises(RelayError) as refused:
        relay.client(people["coord"]).register_invitation(op.id, invitation_id(b"x" * 32))
    assert refused.value.status == 429


def test_only_allowed_devices_create_operations(
    started: list[RelayProcess], tmp_path: Path, backend: str | None
) -> None:
    enrolled, stranger = Identity.generate(), Identity.generate()
    allowed = tmp_path / "allowed-devices"
    allowed.write_text("# enrolled by the IT desk\n" + enrolled.device_id.hex() + "\n")
    relay = _relay(started, tmp_path, backend, allowed_devices_file=str(allowed))
    with pytest.raises(RelayError) as refused:
        _create(relay, stranger)
    assert (refused.value.status, refused.value.code) == (403, "not_enrolled")
    assert "only for devices it has enrolled" in str(refused.value)
    _create(relay, enrolled)


def _reserve(relay: RelayProcess, identity: Identity, op_id: bytes, length: int) -> str:
    url, _blob = relay.client(identity).create_upload(op_id, length)
    return url


def test_unfinished_uploads_cannot_hold_the_quota(
    started: list[RelayProcess], tmp_path: Path, backend: str | None, people: dict[str, Identity]
) -> None:
    relay = _relay(
        started,
        tmp_path,
        backend,
        quota_bytes="300000",
        max_pending_upload_bytes="100000",
        upload_expiry_seconds="2",
    )
    op = make_operation(relay, people)
    held = _reserve(relay, people["part"], op.id, 100_000)
    with pytest.raises(RelayError) as refused:
        _reserve(relay, people["part"], op.id, 1000)
    assert (refused.value.status, refused.value.code) == (429, "pending_uploads")
    assert "unfinished uploads" in str(refused.value)
    # Another member still has room: one member cannot reserve the whole quota.
    _reserve(relay, people["part2"], op.id, 100_000)
    # After the expiry, the reservations never sent are dropped and their room given back.
    time.sleep(2.5)
    _reserve(relay, people["part"], op.id, 100_000)
    _reserve(relay, people["part2"], op.id, 100_000)
    answer = requests.head(relay.url + held, headers={"Tus-Resumable": TUS_VERSION}, timeout=10)
    assert answer.status_code == 404
