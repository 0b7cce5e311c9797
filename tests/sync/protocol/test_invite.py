from __future__ import annotations

import contextlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.errors import ProtocolError
from sync.primitives.identity import Identity
from sync.protocol import Member, add_members, change_role, create_genesis, rotate_key
from sync.protocol.invite import (
    Invite,
    check_invited_chain,
    coordinator_digest,
    encode_invite,
    invitation_id,
    invite_qr_svg,
    new_invite,
    parse_invite,
)

from .conftest import INFO, Operation


def _random_invite(url: str) -> Invite:
    return Invite(url, os.urandom(16), os.urandom(16), os.urandom(32), os.urandom(32))


def test_invite_round_trip_and_is_forgiving_about_case_and_spacing(operation: Operation) -> None:
    invite = new_invite(
        "https://relay.example.org:8443/cordon", operation.commit1, operation.coordinator.public
    )
    code = encode_invite(invite)
    assert code.startswith("CDN1-") and all(len(g) <= 5 for g in code.split("-"))
    assert len(code) < 260  # 37-character relay URL; the fixed part is 178 characters
    assert parse_invite(code) == invite
    assert parse_invite(code.lower().replace("-", " ")) == invite
    assert parse_invite(code.replace("0", "O").replace("1", "l")) == invite
    assert invite.head == operation.commit1.hash
    assert invite.operation_id == operation.commit1.operation_id
    assert invite.is_coordinator(operation.coordinator.public)
    assert not invite.is_coordinator(operation.participant.public)
    assert invite.coordinator == coordinator_digest(operation.coordinator.public)
    assert invite.invitation_id == invitation_id(invite.token) != invite.token
    assert invite.token.hex() not in repr(invite)
    assert invite_qr_svg(code).startswith(b"<?xml")


def test_every_single_character_typo_is_caught(operation: Operation) -> None:
    code = encode_invite(_random_invite("http://10.0.0.5:8765"))
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
        encode_invite(_random_invite("ftp://x"))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.from_regex(r"CDN1-[0-9A-Z-]{60,260}", fullmatch=True))
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
    coordinator=st.binary(min_size=32, max_size=32),
    head=st.binary(min_size=32, max_size=32),
)
def test_any_invite_round_trips(
    scheme: str, host: str, op: bytes, token: bytes, coordinator: bytes, head: bytes
) -> None:
    invite = Invite(f"{scheme}://{host}", op, token, coordinator, head)
    assert parse_invite(encode_invite(invite)) == invite


# -- the chain a joiner accepts (issue 15, item 1) ---------------------------------------------


def _joiner(people: dict[str, Identity]) -> Member:
    return Member(people["new"].public, "Kofi Mensah", "GRA", "GH", "participant")


def test_genuine_chain_is_accepted_and_names_the_admitting_commit(
    operation: Operation, people: dict[str, Identity]
) -> None:
    invite = new_invite("https://r.example", operation.commit1, operation.coordinator.public)
    me = people["new"].device_id
    chain = [operation.genesis, operation.commit1]
    assert check_invited_chain(invite, chain, me) is None  # not admitted yet
    rotated, _s = rotate_key(operation.coordinator, operation.commit1)  # history moves on
    admitted, _s = add_members(operation.coordinator, rotated, [_joiner(people)])
    assert check_invited_chain(invite, [*chain, rotated, admitted], me) == admitted


def test_forged_genesis_with_the_real_coordinators_keys_is_refused(
    operation: Operation, people: dict[str, Identity]
) -> None:
    invite = new_invite("https://r.example", operation.commit1, operation.coordinator.public)
    relay = people["out"]  # the relay operator's own keys
    genesis, _s = create_genesis(
        relay,
        name="Relay",
        agency="Relay",
        country="XX",
        info=INFO,
        operation_id=invite.operation_id,
    )
    coordinator = Member(operation.coordinator.public, "Ana Souza", "RF", "BR", "coordinator")
    forged, _s = add_members(relay, genesis, [coordinator, _joiner(people)])
    with pytest.raises(ProtocolError, match="does not match the invitation"):
        check_invited_chain(invite, [genesis, forged], people["new"].device_id)


def test_admission_signed_by_another_coordinator_is_refused(
    operation: Operation, people: dict[str, Identity]
) -> None:
    invite = new_invite("https://r.example", operation.commit1, operation.coordinator.public)
    promoted, _s = change_role(
        operation.coordinator, operation.commit1, operation.participant.device_id, "coordinator"
    )
    admitted, _s = add_members(operation.participant, promoted, [_joiner(people)])
    chain = [operation.genesis, operation.commit1, promoted, admitted]
    with pytest.raises(ProtocolError, match="does not match the invitation"):
        check_invited_chain(invite, chain, people["new"].device_id)


def test_chain_without_the_invitations_head_is_refused(
    operation: Operation, people: dict[str, Identity]
) -> None:
    invite = new_invite("https://r.example", operation.commit1, operation.coordinator.public)
    fork, _s = add_members(operation.coordinator, operation.genesis, [_joiner(people)])
    with pytest.raises(ProtocolError, match="does not match the invitation"):
        check_invited_chain(invite, [operation.genesis, fork], people["new"].device_id)
    with pytest.raises(ProtocolError, match="does not match the invitation"):
        check_invited_chain(invite, [], people["new"].device_id)
