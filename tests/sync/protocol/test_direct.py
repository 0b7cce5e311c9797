from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.crypto.direct import open_direct, seal_direct
from sync.errors import ProtocolError
from sync.protocol.direct import parse_direct, verify_direct_signature

from .conftest import Operation


def test_direct_message_round_trip_only_for_its_recipient(operation: Operation) -> None:
    roster = operation.commit1
    data = seal_direct(
        operation.coordinator,
        roster,
        operation.participant.device_id,
        kind="message",
        hlc=5,
        body=b"Check container MSCU1234565",
    )
    opened = open_direct(data, operation.participant, roster)
    assert opened.body == b"Check container MSCU1234565"
    assert opened.sender.device_id == operation.coordinator.device_id
    assert opened.header.recipient == operation.participant.device_id
    assert verify_direct_signature(parse_direct(data), roster).role == "coordinator"
    with pytest.raises(ProtocolError, match="another device"):
        open_direct(data, operation.observer, roster)


def test_observer_and_outsider_cannot_send(operation: Operation) -> None:
    with pytest.raises(ProtocolError):
        seal_direct(
            operation.observer,
            operation.commit1,
            operation.coordinator.device_id,
            kind="message",
            hlc=1,
            body=b"x",
        )
    with pytest.raises(ProtocolError):
        seal_direct(
            operation.coordinator,
            operation.commit1,
            operation.outsider.device_id,
            kind="message",
            hlc=1,
            body=b"x",
        )


def test_every_bit_flip_of_a_direct_message_rejected(operation: Operation) -> None:
    roster = operation.commit1
    data = seal_direct(
        operation.participant,
        roster,
        operation.coordinator.device_id,
        kind="message",
        hlc=9,
        body=b"meet at gate 4",
    )
    for bit in range(0, len(data) * 8, 3):
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(ProtocolError):
            open_direct(bytes(flipped), operation.coordinator, roster)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_only_protocol_error(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        parse_direct(data)
