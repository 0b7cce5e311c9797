from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.crypto.epochs import OperationKeys
from sync.errors import ProtocolError
from sync.primitives.identity import Identity
from sync.protocol import (
    Member,
    OperationInfo,
    add_members,
    change_role,
    create_commit,
    create_genesis,
    decode_commit,
    open_commit,
    open_epoch_secret,
    remove_members,
    rotate_key,
    verify_chain,
    verify_genesis,
    verify_next,
)
from sync.protocol.commit import _sign

from .conftest import INFO, Operation


def test_genesis_round_trip_and_verifies(operation: Operation) -> None:
    genesis = operation.genesis
    sealed = decode_commit(genesis.raw)
    verify_genesis(sealed)
    # the relay's view: keys and roles, no names, no operation name
    assert not sealed.opened and sealed.info.name == "" and sealed.roster[0].name == ""
    assert b"Operation Lantern" not in genesis.raw and b"Ana Souza" not in genesis.raw
    again = open_commit(sealed, operation.secret0)
    assert again == genesis and again.hash == genesis.hash
    assert again.epoch == 0 and again.prev_hash == bytes(32)
    assert len(again.operation_id) == 16
    assert again.info == INFO
    me = again.member(operation.coordinator.device_id)
    assert me is not None and me.role == "coordinator" and me.country == "BR"
    assert open_epoch_secret(again, operation.coordinator) == operation.secret0


def test_next_commit_seals_the_new_secret_to_every_member(operation: Operation) -> None:
    commit = operation.commit1
    verify_next(operation.genesis, commit)
    assert {m.role for m in commit.roster} == {"coordinator", "participant", "observer"}
    for who in (operation.coordinator, operation.participant, operation.observer):
        assert open_epoch_secret(commit, who) == operation.secret1
    with pytest.raises(ProtocolError):
        open_epoch_secret(commit, operation.outsider)
    assert verify_chain([operation.genesis.raw, commit.raw]).hash == commit.hash
    assert open_commit(decode_commit(commit.raw), operation.secret1) == commit
    with pytest.raises(ProtocolError):
        open_commit(decode_commit(commit.raw), operation.secret0)  # another epoch's secret


def test_role_change_removal_and_rotation_chain(
    operation: Operation, people: dict[str, Identity]
) -> None:
    coord, coord2 = operation.coordinator, people["coord2"]
    c2, _ = add_members(
        coord,
        operation.commit1,
        [Member(coord2.public, "Luis Pérez", "Guardia Civil", "ES", "participant")],
    )
    c3, _ = change_role(coord, c2, coord2.device_id, "coordinator")
    # a second coordinator may now write commits
    c4, s4 = remove_members(coord2, c3, [operation.participant.device_id])
    c5, s5 = rotate_key(coord2, c4, OperationInfo("Operation Lantern II", None, "wco-standard-2"))
    latest = verify_chain(
        [operation.genesis.raw, operation.commit1.raw, c2.raw, c3.raw, c4.raw, c5.raw]
    )
    latest = open_commit(latest, s5)
    assert latest == c5 and latest.info.name == "Operation Lantern II" and latest.info.ends is None
    assert c4.member(operation.participant.device_id) is None
    with pytest.raises(ProtocolError):
        open_epoch_secret(c4, operation.participant)
    assert open_epoch_secret(c5, coord) == s5 and s4 != s5


def test_participant_cannot_write_a_commit(operation: Operation) -> None:
    with pytest.raises(ProtocolError):
        create_commit(
            operation.participant, operation.commit1, operation.commit1.roster, action="rotate"
        )


def _forge(author: Identity, base: bytes, **changes: object) -> bytes:
    """Re-sign a modified body with ``author`` (an attacker holding their own keys)."""
    import cbor2

    outer = cbor2.loads(base)
    body = cbor2.loads(outer["body"])
    body.update(changes)
    body["author"] = author.device_id
    return _sign(author, body).raw


def test_forged_commit_by_non_coordinator_rejected(operation: Operation) -> None:
    forged = _forge(
        operation.participant, rotate_key(operation.coordinator, operation.commit1)[0].raw
    )
    with pytest.raises(ProtocolError, match="not a coordinator"):
        verify_next(operation.commit1, decode_commit(forged))
    outsider_genesis = _forge(operation.outsider, operation.genesis.raw)
    with pytest.raises(ProtocolError, match="not a coordinator"):
        verify_genesis(decode_commit(outsider_genesis))


def test_reordered_gapped_and_forked_commits_rejected(operation: Operation) -> None:
    coord = operation.coordinator
    c2, _ = rotate_key(coord, operation.commit1)
    c3, _ = rotate_key(coord, c2)
    with pytest.raises(ProtocolError, match="gap"):
        verify_chain([operation.genesis.raw, operation.commit1.raw, c3.raw])
    with pytest.raises(ProtocolError, match="reordered"):
        verify_chain([operation.genesis.raw, operation.commit1.raw, c2.raw, operation.commit1.raw])
    with pytest.raises(ProtocolError):
        verify_chain([operation.commit1.raw, operation.genesis.raw])
    fork, _ = rotate_key(coord, operation.commit1)  # a second, different epoch 2
    keys = OperationKeys.from_chain(coord, [operation.genesis.raw, operation.commit1.raw, c2.raw])
    with pytest.raises(ProtocolError, match="fork"):
        keys.add_commit(fork.raw)
    with pytest.raises(ProtocolError, match="fork"):
        verify_next(fork, c3)  # c3 follows the other branch
    assert keys.add_commit(c2.raw) == c2  # the known commit again is fine


def test_commit_from_another_operation_rejected(operation: Operation) -> None:
    other, _ = create_genesis(operation.coordinator, name="A", agency="B", country="FR", info=INFO)
    nxt, _ = rotate_key(operation.coordinator, other)
    with pytest.raises(ProtocolError, match="another operation"):
        verify_next(operation.genesis, nxt)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_bit_flip_of_a_commit_is_rejected(operation: Operation, data: st.DataObject) -> None:
    raw = operation.commit1.raw
    bit = data.draw(st.integers(0, len(raw) * 8 - 1))
    flipped = bytearray(raw)
    flipped[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(ProtocolError):
        verify_next(operation.genesis, decode_commit(bytes(flipped)))


def test_every_bit_of_the_commit_fields_outside_keys_is_checked(operation: Operation) -> None:
    """Exhaustive over the short fields (v, op, info, prev, time, epoch, action, author): in
    canonical order they all come before the long roster, which the sampled test above covers."""
    raw = operation.commit1.raw
    body = operation.commit1.body
    start = raw.index(body)
    roster_key = body.index(b"\x66roster")
    assert roster_key > 100
    for index in range(start, start + roster_key + 7):
        for bit in range(8):
            flipped = bytearray(raw)
            flipped[index] ^= 1 << bit
            with pytest.raises(ProtocolError):
                verify_next(operation.genesis, decode_commit(bytes(flipped)))
    # and the outer envelope around the body, with both signatures
    for index in [*range(0, start), *range(start + len(body), len(raw))]:
        flipped = bytearray(raw)
        flipped[index] ^= 1 << (index % 8)
        with pytest.raises(ProtocolError):
            verify_next(operation.genesis, decode_commit(bytes(flipped)))


def test_a_coordinator_cannot_give_members_different_secrets_unnoticed(
    operation: Operation,
) -> None:
    import os

    import cbor2

    from sync.protocol.commit import epoch_secret_info

    coord, part = operation.coordinator, operation.participant
    honest, _ = rotate_key(coord, operation.commit1)
    body = cbor2.loads(honest.body)
    for entry in body["roster"]:
        if entry["id"] == part.public.to_cbor_map():
            info = epoch_secret_info(honest.operation_id, honest.epoch, part.device_id)
            entry["key"] = part.public.seal(os.urandom(32), info=info)
    split = _sign(coord, body)
    verify_next(operation.commit1, split)  # validly signed...
    open_epoch_secret(split, coord)
    with pytest.raises(ProtocolError, match="does not match"):  # ...but the member notices
        open_epoch_secret(split, part)


def test_names_in_any_script_round_trip_and_persisted_keys_reload(
    operation: Operation, people: dict[str, Identity]
) -> None:
    coord = operation.coordinator
    newcomers = [
        Member(people["new"].public, "ليلى حداد", "الجمارك الأردنية", "JO", "participant"),
        Member(people["coord2"].public, "王伟", "中国海关", "CN", "observer"),
    ]
    commit, secret = add_members(coord, operation.commit1, newcomers)
    again = open_commit(decode_commit(commit.raw), secret)
    assert {m.name for m in again.roster} >= {"ليلى حداد", "王伟"}
    keys = OperationKeys.from_chain(
        coord, [operation.genesis.raw, operation.commit1.raw, commit.raw]
    )
    stored = keys.export_secrets()
    assert stored[2] == secret
    reloaded = OperationKeys.from_chain(coord, [c.raw for c in keys.commits], stored)
    assert reloaded.held_epochs() == (0, 1, 2) and reloaded.secret(2) == secret
    reloaded.shred()
    with pytest.raises(ProtocolError):
        reloaded.secret(0)
    assert "secret" not in repr(reloaded) or secret.hex() not in repr(reloaded)


# -- closing commits and unverified admissions (issue 15, items 5 and 2) -----------------------


def test_closing_commit_carries_the_retention_and_ends_the_chain(operation: Operation) -> None:
    from sync.protocol import close_operation, verify_closing

    closing, _secret = close_operation(operation.coordinator, operation.commit1, 14)
    decoded = decode_commit(closing.raw)
    assert decoded.action == "close" and decoded.retention_days == 14
    verify_next(operation.commit1, decoded)
    verify_closing(operation.commit1, decoded)
    # a device two epochs behind: signed by a coordinator it knows
    verify_closing(operation.genesis, decoded)
    assert verify_chain([operation.genesis.raw, operation.commit1.raw, closing.raw]) == decoded
    assert open_commit(decoded, _secret).info == operation.commit1.info
    after, _s = _forge_after_close(operation, closing)
    with pytest.raises(ProtocolError, match="closed"):
        verify_next(decoded, after)
    with pytest.raises(ProtocolError, match="closed"):
        rotate_key(operation.coordinator, decoded)
    with pytest.raises(ProtocolError, match="retention"):
        create_commit(
            operation.coordinator,
            operation.commit1,
            operation.commit1.roster,
            action="rotate",
            retention_days=3,
        )


def _forge_after_close(operation: Operation, closing: object) -> tuple[object, bytes]:
    from sync.protocol.commit import Commit, _build

    assert isinstance(closing, Commit)
    return _build(
        operation.coordinator,
        closing.operation_id,
        closing.epoch + 1,
        closing.hash,
        closing.roster,
        closing.info,
        "rotate",
        None,
    )


def test_closing_commit_from_a_participant_or_another_operation_is_refused(
    operation: Operation, people: dict[str, Identity]
) -> None:
    from sync.protocol import close_operation, verify_closing
    from sync.protocol.commit import _build

    # a participant (or the relay with its own keys) cannot sign a closure
    forged, _s = _build(
        operation.participant,
        operation.commit1.operation_id,
        operation.commit1.epoch + 1,
        operation.commit1.hash,
        operation.commit1.roster,
        operation.commit1.info,
        "close",
        None,
        30,
    )
    with pytest.raises(ProtocolError, match="coordinator"):
        verify_closing(operation.commit1, forged)
    other, _s = create_genesis(people["coord2"], name="X", agency="Y", country="FR", info=INFO)
    elsewhere, _s = close_operation(people["coord2"], other, 0)
    with pytest.raises(ProtocolError, match="not a closing commit"):
        verify_closing(operation.commit1, elsewhere)
    with pytest.raises(ProtocolError, match="not a closing commit"):
        verify_closing(operation.genesis, operation.commit1)


def test_unverified_admission_is_in_the_commit_for_everyone(
    operation: Operation, people: dict[str, Identity]
) -> None:
    joiner = Member(people["new"].public, "Kofi", "GRA", "GH", "participant")
    commit, _s = add_members(
        operation.coordinator, operation.commit1, [joiner], unverified=[joiner.device_id]
    )
    assert decode_commit(commit.raw).unverified == (joiner.device_id,)
    plain, _s = add_members(operation.coordinator, operation.commit1, [joiner])
    assert decode_commit(plain.raw).unverified == ()
    with pytest.raises(ProtocolError):
        add_members(
            operation.coordinator,
            operation.commit1,
            [joiner],
            unverified=[operation.participant.device_id],  # an old member cannot be marked
        )
