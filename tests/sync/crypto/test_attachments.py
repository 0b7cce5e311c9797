from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.crypto.attachments import AttachmentDescriptor, AttachmentDownload, describe
from sync.errors import ProtocolError
from sync.primitives import stream

CHUNK = 4096


def _encrypted(size: int) -> tuple[bytes, bytes, AttachmentDescriptor]:
    plain = os.urandom(size)
    out = io.BytesIO()
    result = stream.encrypt_stream(io.BytesIO(plain), out, chunk_size=CHUNK)
    return plain, out.getvalue(), describe(result, "concealment.jpg", "image/jpeg")


def _chunks(cipher: bytes, desc: AttachmentDescriptor) -> list[bytes]:
    return [cipher[slice(*desc.chunk_range(i))] for i in range(desc.chunk_count)]


def test_descriptor_round_trip_and_ranges() -> None:
    _, cipher, desc = _encrypted(3 * CHUNK + 100)
    assert AttachmentDescriptor.decode(desc.encode()) == desc
    assert desc.chunk_count == 4 and desc.cipher_size == len(cipher)
    assert desc.chunk_range(3)[1] == len(cipher)
    assert desc.key.hex() not in repr(desc)
    assert b"".join([cipher[: stream.HEADER_SIZE], *_chunks(cipher, desc)]) == cipher


@pytest.mark.parametrize("size", [0, 1, CHUNK, 3 * CHUNK + 7])
def test_download_in_odd_pieces_verifies_and_keeps_the_stream(tmp_path: Path, size: int) -> None:
    plain, cipher, desc = _encrypted(size)
    with AttachmentDownload(desc, tmp_path / "blob") as download:
        for start in range(0, len(cipher), 1000):
            download.feed(cipher[start : start + 1000])
        path = download.finish()
    assert path.read_bytes() == cipher
    out = io.BytesIO()
    stream.decrypt_stream(io.BytesIO(path.read_bytes()), out, desc.key)
    assert out.getvalue() == plain


def test_resume_after_interruption_keeps_only_verified_chunks(tmp_path: Path) -> None:
    _, cipher, desc = _encrypted(5 * CHUNK)
    target = tmp_path / "blob"
    cut = desc.chunk_range(2)[0] + 100  # mid-chunk: the half chunk is not kept
    with AttachmentDownload(desc, target) as download:
        download.feed(cipher[:cut])
        assert download.offset == desc.chunk_range(2)[0]
    target.write_bytes(target.read_bytes() + b"garbage after a crash")
    with AttachmentDownload(desc, target) as again:
        assert again.offset == desc.chunk_range(2)[0]
        again.feed(cipher[again.offset :])
        assert again.finish().read_bytes() == cipher


def _assemble(cipher: bytes, desc: AttachmentDescriptor, order: list[int]) -> bytes:
    chunks = _chunks(cipher, desc)
    return cipher[: stream.HEADER_SIZE] + b"".join(chunks[i] for i in order)


@pytest.mark.parametrize(
    "order",
    [[1, 0, 2, 3], [0, 2, 3], [0, 1, 1, 2, 3], [0, 1, 2], [0, 1, 3, 2]],
    ids=["reorder", "drop", "duplicate", "truncate-at-boundary", "swap-final"],
)
def test_reordered_dropped_duplicated_truncated_chunks_rejected(
    tmp_path: Path, order: list[int]
) -> None:
    _, cipher, desc = _encrypted(3 * CHUNK + 500)
    bad = _assemble(cipher, desc, order)
    with AttachmentDownload(desc, tmp_path / "blob") as download, pytest.raises(ProtocolError):
        download.feed(bad)
        download.finish()
    with pytest.raises(ProtocolError):
        stream.decrypt_stream(io.BytesIO(bad), None, desc.key)


def test_truncated_stream_with_a_forged_descriptor_is_still_refused(tmp_path: Path) -> None:
    """A descriptor claiming the shorter size cannot pass either: chunk 2 lacks the final flag."""
    _, cipher, desc = _encrypted(4 * CHUNK)
    short = _assemble(cipher, desc, [0, 1, 2])
    with pytest.raises(ProtocolError):
        stream.decrypt_stream(io.BytesIO(short), None, desc.key)


def test_flipped_bits_and_wrong_content_address_rejected(tmp_path: Path) -> None:
    _, cipher, desc = _encrypted(2 * CHUNK)
    for position in range(0, len(cipher), 97):
        flipped = bytearray(cipher)
        flipped[position] ^= 0x10
        with (
            AttachmentDownload(desc, tmp_path / f"b{position}") as download,
            pytest.raises(ProtocolError),
        ):
            download.feed(bytes(flipped))
            download.finish()
    other = AttachmentDescriptor(
        desc.key,
        bytes(32),
        desc.cipher_size,
        desc.size,
        desc.chunk_size,
        desc.name,
        desc.media_type,
    )
    with AttachmentDownload(other, tmp_path / "x") as download:
        download.feed(cipher)
        with pytest.raises(ProtocolError, match="content address"):
            download.finish()


def test_longer_than_described_refused(tmp_path: Path) -> None:
    _, cipher, desc = _encrypted(CHUNK)
    with AttachmentDownload(desc, tmp_path / "b") as download, pytest.raises(ProtocolError):
        download.feed(cipher + b"x")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_descriptor_parser_only_protocol_error(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        AttachmentDescriptor.decode(data)
