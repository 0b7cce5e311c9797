from __future__ import annotations

import pytest

from sync.errors import ProtocolError
from sync.protocol import build_join_request, decode_join_request, token_hash

from .conftest import Operation


def test_join_request_round_trip(operation: Operation) -> None:
    joiner = operation.outsider
    raw = build_join_request(
        joiner,
        operation_id=operation.genesis.operation_id,
        token=b"t" * 16,
        name="Kofi Mensah",
        agency="Ghana Revenue Authority",
        country="GH",
    )
    request = decode_join_request(raw)
    assert request.public == joiner.public and request.raw == raw
    assert request.token_hash == token_hash(b"t" * 16) and len(request.token_hash) == 32
    assert request.as_member().role == "participant"
    assert request.as_member("observer").device_id == joiner.device_id


def test_every_bit_flip_of_a_join_request_rejected(operation: Operation) -> None:
    raw = build_join_request(
        operation.outsider,
        operation_id=operation.genesis.operation_id,
        token=b"x" * 16,
        name="K",
        agency="GRA",
        country="GH",
    )
    start = raw.index(b"\x62op")  # every short field after the keys; keys sampled every 13th bit
    bits = [*range(start * 8, len(raw) * 8), *range(0, start * 8, 13)]
    for bit in bits:
        flipped = bytearray(raw)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(ProtocolError):
            decode_join_request(bytes(flipped))


def test_bad_country_refused(operation: Operation) -> None:
    with pytest.raises(ProtocolError):
        build_join_request(
            operation.outsider,
            operation_id=bytes(16),
            token=b"x",
            name="K",
            agency="GRA",
            country="gh",
        )
