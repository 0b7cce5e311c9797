from __future__ import annotations

import contextlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.errors import ProtocolError
from sync.protocol.invite import Invite, encode_invite, invite_qr_svg, new_invite, parse_invite

from .conftest import Operation


def test_invite_round_trip_and_is_forgiving_about_case_and_spacing(operation: Operation) -> None:
    invite = new_invite(
        "https://relay.example.org:8443/cordon",
        operation.genesis.operation_id,
        operation.coordinator.device_id,
    )
    code = encode_invite(invite)
    assert code.startswith("CDN1-") and all(len(g) <= 5 for g in code.split("-"))
    assert len(code) < 160  # 37-character relay URL; the fixed part is 75 characters
    assert parse_invite(code) == invite
    assert parse_invite(code.lower().replace("-", " ")) == invite
    assert parse_invite(code.replace("0", "O").replace("1", "l")) == invite
    assert invite.matches(operation.genesis)
    assert not Invite(invite.relay_url, invite.operation_id, invite.token, bytes(10)).matches(
        operation.genesis
    )
    assert "token" not in repr(invite) or invite.token.hex() not in repr(invite)
    assert invite_qr_svg(code).startswith(b"<?xml")


def test_every_single_character_typo_is_caught(operation: Operation) -> None:
    code = encode_invite(new_invite("http://10.0.0.5:8765", os.urandom(16), os.urandom(16)))
    for index, ch in enumerate(code):
        if ch == "-" or index < 4:
            continue
        for other in "0123456789ABCDEFGHJKMNPQRSTVWXYZ":
            if other == ch:
                continue
            typo = code[:index] + other + code[index + 1 :]
            with pytest.raises(ProtocolError):
                parse_invite(typo)


def test_clear_errors() -> None:
    with pytest.raises(ProtocolError, match="CDN1"):
        parse_invite("hello")
    with pytest.raises(ProtocolError, match="too short"):
        parse_invite("CDN1-00000")
    with pytest.raises(ProtocolError, match="character"):
        parse_invite("CDN1-UUUUU")
    with pytest.raises(ProtocolError, match="relay"):
        encode_invite(new_invite("ftp://x", os.urandom(16), os.urandom(16)))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.from_regex(r"CDN1-[0-9A-Z-]{60,140}", fullmatch=True))
def test_random_text_only_protocol_error(code: str) -> None:
    with contextlib.suppress(ProtocolError):
        parse_invite(code)


@settings(max_examples=200, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https"]),
    host=st.from_regex(
        r"[a-z0-9][a-z0-9.-]{0,60}(:[0-9]{1,5})?(/[a-z0-9._-]{1,20}){0,3}", fullmatch=True
    ),
    op=st.binary(min_size=16, max_size=16),
    token=st.binary(min_size=16, max_size=16),
    coordinator=st.binary(min_size=10, max_size=10),
)
def test_any_invite_round_trips(
    scheme: str, host: str, op: bytes, token: bytes, coordinator: bytes
) -> None:
    invite = Invite(f"{scheme}://{host}", op, token, coordinator)
    assert parse_invite(encode_invite(invite)) == invite
