"""The key file: round trip, wrong passphrase, damage detection, parameters bound."""

from __future__ import annotations

import contextlib
import os
import stat
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.errors import CorruptProfile, WrongPassphrase
from sync.store import keyfile

KEY = bytes(range(32))


@pytest.fixture(scope="module")
def encoded() -> bytes:
    params = keyfile.KdfParams(256, 1, 1, b"s" * 16)
    return keyfile.wrap(KEY, "correct horse", params).encode()


def test_round_trip(encoded: bytes) -> None:
    assert keyfile.parse(encoded).unwrap("correct horse") == KEY


def test_wrong_passphrase(encoded: bytes) -> None:
    with pytest.raises(WrongPassphrase):
        keyfile.parse(encoded).unwrap("wrong horse")


def test_defaults_are_at_least_64_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keyfile.TEST_MEMORY_ENV, raising=False)
    params = keyfile.KdfParams.fresh()
    assert params.memory_kib >= 64 * 1024
    assert params.iterations >= 2
    assert len(params.salt) == 16


def test_real_default_parameters_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keyfile.TEST_MEMORY_ENV, raising=False)
    kf = keyfile.parse(keyfile.wrap(KEY, "pw").encode())
    assert kf.params.memory_kib == keyfile.DEFAULT_MEMORY_KIB
    assert kf.unwrap("pw") == KEY


def test_every_single_bit_flip_is_reported_as_damage(encoded: bytes) -> None:
    for index in range(len(encoded)):
        damaged = bytearray(encoded)
        damaged[index] ^= 0x01
        with pytest.raises(CorruptProfile):
            keyfile.parse(bytes(damaged))


def test_every_truncation_is_reported_as_damage(encoded: bytes) -> None:
    for length in range(len(encoded)):
        with pytest.raises(CorruptProfile):
            keyfile.parse(encoded[:length])


def test_parameters_are_bound_as_associated_data(encoded: bytes) -> None:
    """Lowering the recorded memory (with a fixed-up checksum) must not open the key."""
    body = bytearray(encoded[:-32])
    struct.pack_into(">I", body, 11, 128)  # memory KiB field
    import hashlib

    forged = bytes(body) + hashlib.sha256(bytes(body)).digest()
    with pytest.raises(WrongPassphrase):
        keyfile.parse(forged).unwrap("correct horse")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_parser_rejects_arbitrary_bytes_cleanly(data: bytes) -> None:
    with contextlib.suppress(CorruptProfile):
        keyfile.parse(data)


@settings(max_examples=200)
@given(st.data())
def test_parser_rejects_random_bit_flips(encoded: bytes, data: st.DataObject) -> None:
    flips = data.draw(
        st.lists(st.integers(0, len(encoded) * 8 - 1), min_size=1, max_size=8, unique=True)
    )
    damaged = bytearray(encoded)
    for bit in flips:
        damaged[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(CorruptProfile):
        keyfile.parse(bytes(damaged))


def test_write_is_private_and_rewrap_changes_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "cordon.key"
    keyfile.write(path, keyfile.wrap(KEY, "old"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keyfile.rewrap(path, "old", "new")
    assert keyfile.read(path).unwrap("new") == KEY
    with pytest.raises(WrongPassphrase):
        keyfile.read(path).unwrap("old")
    assert [p.name for p in tmp_path.iterdir()] == ["cordon.key"]  # no temp file left


def test_rewrap_with_wrong_passphrase_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cordon.key"
    keyfile.write(path, keyfile.wrap(KEY, "old"))
    before = path.read_bytes()
    with pytest.raises(WrongPassphrase):
        keyfile.rewrap(path, "nope", "new")
    assert path.read_bytes() == before


def test_rewrap_raises_parameters_to_current_defaults(tmp_path: Path) -> None:
    path = tmp_path / "cordon.key"
    keyfile.write(path, keyfile.wrap(KEY, "old", keyfile.KdfParams(64, 1, 1, os.urandom(16))))
    keyfile.rewrap(path, "old", "new")
    assert keyfile.read(path).params.memory_kib == 256  # this suite's override of the default
