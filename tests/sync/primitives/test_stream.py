"""The chunked AEAD stream: round trips, and every reordering, cut or flip is rejected."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.errors import ProtocolError
from sync.primitives import stream

CHUNK = stream.MIN_CHUNK_SIZE  # small chunks keep the tests fast and multi-chunk


def encrypt(data: bytes, key: bytes | None = None) -> tuple[bytes, stream.StreamResult]:
    out = io.BytesIO()
    result = stream.encrypt_stream(io.BytesIO(data), out, key, chunk_size=CHUNK)
    return out.getvalue(), result


def decrypt(blob: bytes, key: bytes) -> bytes:
    out = io.BytesIO()
    stream.decrypt_stream(io.BytesIO(blob), out, key)
    return out.getvalue()


def split(blob: bytes) -> tuple[bytes, list[bytes]]:
    body = blob[stream.HEADER_SIZE :]
    size = CHUNK + stream.TAG_BYTES
    return blob[: stream.HEADER_SIZE], [body[i : i + size] for i in range(0, len(body), size)]


@pytest.mark.parametrize("length", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 7])
def test_round_trip_and_hashes(length: int) -> None:
    data = os.urandom(length)
    blob, result = encrypt(data)
    assert decrypt(blob, result.key) == data
    assert result.size == length
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.cipher_size == len(blob) == stream.ciphertext_size(length, CHUNK)
    assert result.cipher_sha256 == hashlib.sha256(blob).hexdigest()
    again = stream.decrypt_stream(io.BytesIO(blob), None, result.key)
    assert (again.sha256, again.cipher_sha256) == (result.sha256, result.cipher_sha256)
    assert result.key.hex() not in repr(result)


def test_chunk_api_matches_whole_stream() -> None:
    data = os.urandom(2 * CHUNK + 5)
    blob, result = encrypt(data)
    header, chunks = split(blob)
    opener = stream.StreamOpener(result.key, header)
    plain = b"".join(opener.open(i, c, final=(i == len(chunks) - 1)) for i, c in enumerate(chunks))
    assert plain == data
    sealer = stream.StreamSealer(result.key, chunk_size=CHUNK, file_id=result.file_id)
    assert sealer.header_bytes == header
    assert sealer.seal(1, data[CHUNK : 2 * CHUNK], final=False) == chunks[1]


def _rejected(blob: bytes, key: bytes) -> None:
    with pytest.raises(ProtocolError):
        decrypt(blob, key)


def test_reorder_drop_duplicate_truncate_extend_are_rejected() -> None:
    data = os.urandom(4 * CHUNK + 10)
    blob, result = encrypt(data)
    header, chunks = split(blob)
    key = result.key
    _rejected(header + chunks[1] + chunks[0] + b"".join(chunks[2:]), key)  # reorder
    _rejected(header + b"".join(chunks[:2] + chunks[3:]), key)  # drop a middle chunk
    _rejected(header + b"".join(chunks[:2] + chunks[1:]), key)  # duplicate
    _rejected(header + b"".join(chunks[:-1]), key)  # cut at a chunk boundary
    _rejected(blob[:-1], key)  # cut inside the last chunk
    _rejected(blob + chunks[-1], key)  # extend after the final chunk
    _rejected(blob[: stream.HEADER_SIZE - 1], key)  # header cut
    _rejected(blob, os.urandom(32))  # wrong key


def test_cut_exactly_after_full_chunks_is_rejected() -> None:
    data = os.urandom(3 * CHUNK)  # final chunk is full-sized
    blob, result = encrypt(data)
    header, chunks = split(blob)
    assert len(chunks) == 3
    _rejected(header + b"".join(chunks[:2]), result.key)


def test_chunk_size_or_file_id_change_is_rejected() -> None:
    blob, result = encrypt(os.urandom(2 * CHUNK))
    other, _ = encrypt(os.urandom(2 * CHUNK), result.key)
    header, chunks = split(blob)
    other_header, _ = split(other)
    _rejected(other_header + b"".join(chunks), result.key)  # same key, other file id


def test_same_key_twice_gives_different_ciphertext() -> None:
    key = os.urandom(32)
    a, _ = encrypt(b"same plaintext", key)
    b, _ = encrypt(b"same plaintext", key)
    assert a != b


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3 * CHUNK + 3), flip=st.integers(min_value=0))
def test_any_bit_flip_is_rejected(data: bytes, flip: int) -> None:
    blob, result = encrypt(data)
    bit = flip % (len(blob) * 8)
    damaged = bytearray(blob)
    damaged[bit // 8] ^= 1 << (bit % 8)
    _rejected(bytes(damaged), result.key)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_rejected_cleanly(blob: bytes) -> None:
    _rejected(blob, os.urandom(32))


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=stream.HEADER_SIZE + 10))
def test_header_parser_fuzz(data: bytes) -> None:
    try:
        header = stream.StreamHeader.decode(data[: stream.HEADER_SIZE])
    except ProtocolError:
        return
    assert stream.MIN_CHUNK_SIZE <= header.chunk_size <= stream.MAX_CHUNK_SIZE


def test_offsets_and_counts_for_resuming() -> None:
    data = os.urandom(3 * CHUNK + 1)
    blob, result = encrypt(data)
    assert stream.chunk_count(len(data), CHUNK) == 4
    assert stream.chunk_count(0, CHUNK) == 1
    header, chunks = split(blob)
    opener = stream.StreamOpener(result.key, header)
    start = stream.chunk_offset(2, CHUNK)
    sealed = blob[start : start + CHUNK + stream.TAG_BYTES]
    assert sealed == chunks[2]
    assert opener.open(2, sealed, final=False) == data[2 * CHUNK : 3 * CHUNK]
