from __future__ import annotations

import dataclasses

import pytest

from sync.errors import ProtocolError
from sync.protocol import build_join_request, decode_join_request, open_join_request
from sync.protocol.invite import invitation_id
from sync.protocol.wire import decode, encode

from .conftest import Operation

TOKEN = b"t" * 16


def _request(operation: Operation, token: bytes = TOKEN) -> bytes:
    return build_join_request(
        operation.outsider,
        operation_id=operation.genesis.operation_id,
        token=token,
        name="Kofi Mensah",
        agency="Ghana Revenue Authority",
        country="GH",
    )


def test_join_request_round_trip(operation: Operation) -> None:
    joiner = operation.outsider
    raw = _request(operation)
    request = decode_join_request(raw)
    assert request.public == joiner.public and request.raw == raw
    assert request.invitation_id == invitation_id(TOKEN) and len(request.invitation_id) == 32
    assert not request.opened and request.name == ""
    with pytest.raises(ProtocolError):
        request.as_member()  # names are sealed until checked with the token
    opened = open_join_request(request, TOKEN)
    assert (opened.name, opened.agency, opened.country) == (
        "Kofi Mensah",
        "Ghana Revenue Authority",
        "GH",
    )
    assert opened.as_member().role == "participant"
    assert opened.as_member("observer").device_id == joiner.device_id


def test_the_relay_sees_neither_the_token_nor_the_names(operation: Operation) -> None:
    raw = _request(operation)
    assert TOKEN not in raw
    assert b"Kofi" not in raw and b"Ghana" not in raw and b"GH" not in raw


def test_a_request_forged_without_the_token_is_refused(operation: Operation) -> None:
    """The relay knows the invitation id (it stores it), never the token: whatever it writes
    under that id does not open with the coordinator's token."""
    forged = build_join_request(
        operation.observer,
        operation_id=operation.genesis.operation_id,
        token=b"guessed-token-00",
        name="Mallory",
        agency="Relay",
        country="GH",
    )
    outer = decode(forged, "test")
    body = decode(outer["body"], "test")
    body["inv"] = invitation_id(TOKEN)  # answer the coordinator's invitation
    new_body = encode(body)
    outer = {
        "body": new_body,
        "sig": operation.observer.sign(b"cordon-join-v1\x00" + new_body),
        "mac": outer["mac"],
    }
    request = decode_join_request(encode(outer))  # the relay can forward it...
    with pytest.raises(ProtocolError, match="does not prove"):
        open_join_request(request, TOKEN)  # ...but the coordinator refuses it


def test_a_genuine_request_bound_to_another_identity_is_refused(operation: Operation) -> None:
    """Taking a real joiner's MAC and names onto the relay's own keys does not work."""
    genuine = decode_join_request(_request(operation))
    swapped = dataclasses.replace(genuine, public=operation.observer.public)
    with pytest.raises(ProtocolError, match="does not prove"):
        open_join_request(swapped, TOKEN)
    with pytest.raises(ProtocolError, match="does not prove"):
        open_join_request(genuine, b"u" * 16)


def test_every_bit_flip_of_a_join_request_rejected(operation: Operation) -> None:
    raw = _request(operation, b"x" * 16)
    start = raw.index(b"\x62op")  # every short field after the keys; keys sampled every 13th bit
    bits = [*range(start * 8, len(raw) * 8), *range(0, start * 8, 13)]
    for bit in bits:
        flipped = bytearray(raw)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(ProtocolError):
            open_join_request(decode_join_request(bytes(flipped)), b"x" * 16)


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
