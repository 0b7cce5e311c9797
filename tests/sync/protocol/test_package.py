from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.crypto.epochs import OperationKeys
from sync.crypto.packages import DuplicatePackage, MemorySeen, open_package, seal_package
from sync.errors import ProtocolError
from sync.primitives.identity import Identity
from sync.protocol import (
    PackageHeader,
    assemble_package,
    parse_package,
    remove_members,
    rotate_key,
    verify_package_signature,
)
from sync.protocol.package import PACKAGE_VERSION

from .conftest import Operation


def keys_for(op: Operation, who: Identity, *extra: bytes) -> OperationKeys:
    return OperationKeys.from_chain(who, [op.genesis.raw, op.commit1.raw, *extra])


BODY = b'{"records": [' + b'{"container": "MSCU1234565", "kg": 1200}, ' * 40 + b"]}"


def test_seal_open_round_trip(operation: Operation) -> None:
    sender = keys_for(operation, operation.participant)
    data = seal_package(operation.participant, sender, kind="records", seq=1, hlc=77, body=BODY)
    pkg = parse_package(data)
    assert pkg.header.kind == "records" and pkg.header.seq == 1 and pkg.header.epoch == 1
    assert len(pkg.ciphertext) < len(BODY)  # compressed before encryption
    verify_package_signature(pkg, operation.commit1)
    for reader in (operation.coordinator, operation.observer, operation.participant):
        opened = open_package(data, keys_for(operation, reader), MemorySeen())
        assert opened.body == BODY and opened.package_id == pkg.package_id
        assert opened.sender.name == "Jan de Vries"


def test_incompressible_and_empty_bodies(operation: Operation) -> None:
    keys = keys_for(operation, operation.coordinator)
    for body in (b"", os.urandom(5000)):
        data = seal_package(operation.coordinator, keys, kind="blob", seq=9, hlc=1, body=body)
        assert open_package(data, keys, MemorySeen()).body == body


def test_duplicates_are_reported_and_replays_refused(operation: Operation) -> None:
    keys = keys_for(operation, operation.coordinator)
    seen = MemorySeen()
    data = seal_package(
        operation.participant,
        keys_for(operation, operation.participant),
        kind="records",
        seq=3,
        hlc=1,
        body=b"one",
    )
    seen.record(open_package(data, keys, seen))
    with pytest.raises(DuplicatePackage) as info:
        open_package(data, keys, seen)
    assert not isinstance(info.value, ProtocolError)
    other = seal_package(
        operation.participant,
        keys_for(operation, operation.participant),
        kind="records",
        seq=3,
        hlc=2,
        body=b"two",
    )
    with pytest.raises(ProtocolError, match="replay"):
        open_package(other, keys, seen)


def test_observer_and_outsider_packages_rejected(operation: Operation) -> None:
    obs_keys = keys_for(operation, operation.observer)
    with pytest.raises(ProtocolError, match="(?i)observer"):
        seal_package(operation.observer, obs_keys, kind="records", seq=1, hlc=1, body=b"x")
    # an observer building a package by hand (it holds the epoch secret) is still refused
    header = PackageHeader(
        PACKAGE_VERSION,
        operation.genesis.operation_id,
        1,
        operation.observer.device_id,
        1,
        "records",
        1,
    )
    forged = assemble_package(operation.observer, header, os.urandom(64))
    with pytest.raises(ProtocolError, match="observers"):
        open_package(forged, keys_for(operation, operation.coordinator), MemorySeen())
    header = PackageHeader(
        PACKAGE_VERSION,
        operation.genesis.operation_id,
        1,
        operation.outsider.device_id,
        1,
        "records",
        1,
    )
    forged = assemble_package(operation.outsider, header, os.urandom(64))
    with pytest.raises(ProtocolError, match="not a member"):
        verify_package_signature(parse_package(forged), operation.commit1)


def test_removed_member_cannot_read_later_epochs_and_is_refused(operation: Operation) -> None:
    coord = operation.coordinator
    removal, _ = remove_members(coord, operation.commit1, [operation.participant.device_id])
    # the removed member holds every earlier secret and sees the new commit
    removed = keys_for(operation, operation.participant, removal.raw)
    assert removed.held_epochs() == (1,)  # it joined in epoch 1
    coord_keys = keys_for(operation, coord, removal.raw)
    later = seal_package(coord, coord_keys, kind="records", seq=1, hlc=5, body=b"secret plan")
    with pytest.raises(ProtocolError, match="does not hold"):
        open_package(later, removed, MemorySeen())
    # and what the removed member writes with an old secret is refused
    old_keys = keys_for(operation, operation.participant)
    stale = seal_package(operation.participant, old_keys, kind="records", seq=50, hlc=9, body=b"x")
    with pytest.raises(ProtocolError, match="removed"):
        open_package(stale, coord_keys, MemorySeen())
    with pytest.raises(ProtocolError, match="not a member"):
        verify_package_signature(parse_package(stale), removal)


def test_crypto_shredding_makes_stored_packages_unreadable(operation: Operation) -> None:
    coord = operation.coordinator
    keys = keys_for(operation, coord)
    stored = [
        seal_package(coord, keys, kind="records", seq=i, hlc=i, body=b"case %d" % i)
        for i in range(1, 4)
    ]
    later, _ = rotate_key(coord, operation.commit1)
    keys.add_commit(later.raw)
    stored.append(seal_package(coord, keys, kind="records", seq=4, hlc=4, body=b"case 4"))
    assert all(open_package(p, keys, MemorySeen()).body.startswith(b"case") for p in stored)
    keys.shred()
    assert keys.held_epochs() == ()
    for package in stored:
        with pytest.raises(ProtocolError, match="does not hold"):
            open_package(package, keys, MemorySeen())


def test_package_of_unknown_epoch_or_other_operation(operation: Operation) -> None:
    coord = operation.coordinator
    ahead = keys_for(operation, coord, rotate_key(coord, operation.commit1)[0].raw)
    data = seal_package(coord, ahead, kind="records", seq=1, hlc=1, body=b"x")
    with pytest.raises(ProtocolError, match="has not seen"):
        open_package(data, keys_for(operation, coord), MemorySeen())
    with pytest.raises(ProtocolError, match="newer"):
        verify_package_signature(parse_package(data), operation.commit1)


def test_every_single_bit_flip_of_a_package_is_rejected(operation: Operation) -> None:
    """Exhaustive: every bit of header, ciphertext, signature and envelope."""
    keys = keys_for(operation, operation.coordinator)
    data = seal_package(
        operation.participant,
        keys_for(operation, operation.participant),
        kind="records",
        seq=2,
        hlc=123456,
        body=b"seizure: 12 kg",
    )
    assert open_package(data, keys, MemorySeen()).body == b"seizure: 12 kg"
    seen = MemorySeen()
    for bit in range(len(data) * 8):
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(ProtocolError):
            open_package(bytes(flipped), keys, seen)


def test_ciphertext_flips_rejected_even_with_a_valid_signature(operation: Operation) -> None:
    """A member re-signing a tampered ciphertext still cannot get partial plaintext through."""
    sender = operation.participant
    keys = keys_for(operation, operation.coordinator)
    data = seal_package(
        sender, keys_for(operation, sender), kind="records", seq=4, hlc=1, body=BODY
    )
    pkg = parse_package(data)
    for index in range(0, len(pkg.ciphertext), 7):
        tampered = bytearray(pkg.ciphertext)
        tampered[index] ^= 0x01
        resigned = assemble_package(sender, pkg.header, bytes(tampered))
        with pytest.raises(ProtocolError, match="decrypt"):
            open_package(resigned, keys, MemorySeen())


def test_attachment_descriptor_travels_inside_a_package(operation: Operation) -> None:
    import io

    from sync.crypto.attachments import AttachmentDescriptor, describe
    from sync.primitives import stream

    result = stream.encrypt_stream(io.BytesIO(b"photo bytes" * 1000), io.BytesIO())
    desc = describe(result, "hold-3.jpg", "image/jpeg")
    keys = keys_for(operation, operation.coordinator)
    data = seal_package(
        operation.coordinator, keys, kind="attachment", seq=77, hlc=1, body=desc.encode()
    )
    assert desc.key not in data  # the file key is only inside the ciphertext
    opened = open_package(data, keys, MemorySeen())
    assert AttachmentDescriptor.decode(opened.body) == desc


def test_documented_test_vectors() -> None:
    """docs/protocol.md quotes these; a second implementation checks itself against them."""
    from sync.crypto.packages import package_key

    key = package_key(bytes(range(32)), bytes(range(16)), 3, bytes(range(100, 116)), 7)
    assert key.hex() == "0a648a084059b89c73a4d70e7df04a7cc9a38c5ecb3c92eb5deb6b3f4d64f65b"
    header = PackageHeader(
        PACKAGE_VERSION, bytes(range(16)), 3, bytes(range(100, 116)), 7, "records", 1700000000000
    )
    assert header.encode().hex() == (
        "a8617602626f7050000102030405060708090a0b0c0d0e0f63686c631b0000018bcfe56800637365710764"
        "6865616458200000000000000000000000000000000000000000000000000000000000000000646b696e64"
        "677265636f7264736565706f6368036673656e646572506465666768696a6b6c6d6e6f70717273"
    )


def test_member_demoted_to_observer_cannot_write_into_an_old_epoch(operation: Operation) -> None:
    from sync.protocol import change_role

    coord, part = operation.coordinator, operation.participant
    demotion, _ = change_role(coord, operation.commit1, part.device_id, "observer")
    stale = seal_package(
        part,
        keys_for(operation, part),
        kind="records",
        seq=60,
        hlc=1,
        body=b"written after the demotion",
    )
    with pytest.raises(ProtocolError, match="now an observer"):
        open_package(stale, keys_for(operation, coord, demotion.raw), MemorySeen())


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=3000),
    kind=st.from_regex(r"[a-z][a-z0-9._-]{0,31}", fullmatch=True),
    seq=st.integers(1, 2**63 - 1),
    hlc=st.integers(0, 2**63 - 1),
    where=st.floats(0, 1, exclude_max=True),
    bit=st.integers(0, 7),
)
def test_any_package_round_trips_and_any_bit_flip_is_rejected(
    operation: Operation, body: bytes, kind: str, seq: int, hlc: int, where: float, bit: int
) -> None:
    sender = operation.participant
    data = seal_package(sender, _part_keys(operation), kind=kind, seq=seq, hlc=hlc, body=body)
    reader = _coord_keys(operation)
    opened = open_package(data, reader, MemorySeen())
    assert (opened.body, opened.header.kind, opened.header.seq, opened.header.hlc) == (
        body,
        kind,
        seq,
        hlc,
    )
    flipped = bytearray(data)
    flipped[int(where * len(data))] ^= 1 << bit
    with pytest.raises(ProtocolError):
        open_package(bytes(flipped), reader, MemorySeen())


_CACHE: dict[str, OperationKeys] = {}


def _part_keys(op: Operation) -> OperationKeys:  # built once: hypothesis calls the test many times
    return _CACHE.setdefault("part", keys_for(op, op.participant))


def _coord_keys(op: Operation) -> OperationKeys:
    return _CACHE.setdefault("coord", keys_for(op, op.coordinator))
