from __future__ import annotations

import os

import pytest

from sync.crypto.direct import open_direct, seal_direct
from sync.crypto.epochs import OperationKeys
from sync.crypto.history import accept_epoch_secrets, share_epoch_secrets
from sync.crypto.packages import MemorySeen, open_package, seal_package
from sync.errors import ProtocolError
from sync.protocol.commit import check_epoch_secret

from .conftest import Operation


def keys_for(op: Operation, who, *extra: bytes) -> OperationKeys:  # type: ignore[no-untyped-def]
    return OperationKeys.from_chain(who, [op.genesis.raw, op.commit1.raw, *extra])


def test_every_member_can_check_it_got_the_committed_secret(operation: Operation) -> None:
    check_epoch_secret(operation.commit1, operation.secret1)
    with pytest.raises(ProtocolError, match="does not match"):
        check_epoch_secret(operation.commit1, os.urandom(32))
    keys = keys_for(operation, operation.participant)
    with pytest.raises(ProtocolError):
        keys.keep_secret(0, os.urandom(32))


def test_coordinator_shares_history_with_a_later_joiner(operation: Operation) -> None:
    coord = operation.coordinator
    coord_keys = keys_for(operation, coord)
    old = seal_package(
        coord,
        OperationKeys.from_chain(coord, [operation.genesis.raw]),
        kind="records",
        seq=500,
        hlc=1,
        body=b"epoch 0 record",
    )
    joiner = keys_for(operation, operation.participant)
    assert joiner.held_epochs() == (1,)
    with pytest.raises(ProtocolError, match="does not hold"):
        open_package(old, joiner, MemorySeen())
    message = share_epoch_secrets(coord, coord_keys, operation.participant.device_id, [0], hlc=2)
    opened = open_direct(message, operation.participant, operation.commit1)
    assert accept_epoch_secrets(opened, joiner) == (0,)
    assert open_package(old, joiner, MemorySeen()).body == b"epoch 0 record"


def test_shares_from_a_participant_or_with_wrong_secrets_are_refused(operation: Operation) -> None:
    part = operation.participant
    with pytest.raises(ProtocolError, match="coordinator"):
        share_epoch_secrets(
            part, keys_for(operation, part), operation.observer.device_id, [1], hlc=1
        )
    import cbor2

    forged = seal_direct(
        part,
        operation.commit1,
        operation.observer.device_id,
        kind="epoch-secrets",
        hlc=1,
        body=cbor2.dumps(
            {"op": operation.genesis.operation_id, "secrets": [[1, operation.secret1]]},
            canonical=True,
        ),
    )
    opened = open_direct(forged, operation.observer, operation.commit1)
    with pytest.raises(ProtocolError, match="coordinator"):
        accept_epoch_secrets(opened, keys_for(operation, operation.observer))
    wrong = seal_direct(
        operation.coordinator,
        operation.commit1,
        part.device_id,
        kind="epoch-secrets",
        hlc=1,
        body=cbor2.dumps(
            {"op": operation.genesis.operation_id, "secrets": [[0, os.urandom(32)]]}, canonical=True
        ),
    )
    keys = keys_for(operation, part)
    with pytest.raises(ProtocolError, match="does not match"):
        accept_epoch_secrets(open_direct(wrong, part, operation.commit1), keys)
    assert keys.held_epochs() == (1,)
