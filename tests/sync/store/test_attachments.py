"""Encrypted attachments: round trips, 50 MiB in bounded memory, no plaintext on disk."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
from pathlib import Path

import pytest

from sync.errors import ProtocolError
from sync.primitives import stream
from sync.store.attachments import AttachmentStore
from sync.store.db import Store

MIB = 1024 * 1024


@pytest.fixture
def files(store: Store, tmp_path: Path) -> AttachmentStore:
    return AttachmentStore(tmp_path / "attachments", store)


class Pattern(io.RawIOBase):
    """``size`` bytes of a recognisable pattern, produced on demand (never all in memory)."""

    def __init__(self, size: int, seed: bytes = b"CORDON-PLAINTEXT-") -> None:
        self.remaining = size
        self.block = (seed * (MIB // len(seed) + 1))[:MIB]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.remaining, len(self.block))
        buffer[:n] = self.block[:n]
        self.remaining -= n
        return n


class HashSink(io.RawIOBase):
    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.digest.update(data)
        self.size += len(data)
        return len(data)


def test_small_round_trip(files: AttachmentStore, tmp_path: Path) -> None:
    att = files.put(io.BytesIO(b"photo of the concealment"))
    out = io.BytesIO()
    files.read_into(att.attachment_id, out)
    assert out.getvalue() == b"photo of the concealment"
    assert att.sha256 == hashlib.sha256(b"photo of the concealment").hexdigest()
    target = files.export_to(
        att.attachment_id, tmp_path / "out.jpg", operation_id="op1", object_id="item42"
    )
    assert target.read_bytes() == b"photo of the concealment"
    last = files._store.audit.entries()[-1]
    assert (last.action, last.object, last.operation_id) == ("disclosure", "item42", "op1")
    assert files.verify(att.attachment_id)
    assert files.get(att.attachment_id) == att


def test_fifty_mib_round_trip_in_bounded_memory(files: AttachmentStore) -> None:
    size = 50 * MIB
    expected = hashlib.sha256()
    source = Pattern(size)
    for _ in range(50):
        expected.update(source.block)
    tracemalloc.start()
    try:
        att = files.put(io.BufferedReader(Pattern(size)))  # type: ignore[arg-type]
        sink = HashSink()
        files.read_into(att.attachment_id, sink)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size == size == att.size
    assert sink.digest.hexdigest() == att.sha256 == expected.hexdigest()
    assert peak < 8 * MIB, f"peak {peak / MIB:.1f} MiB"
    on_disk = files.folder / att.file_name
    assert on_disk.stat().st_size == att.cipher_size == stream.ciphertext_size(size)
    with open(on_disk, "rb") as fh:
        head = fh.read(4 * MIB)
    assert b"CORDON-PLAINTEXT" not in head


def test_no_plaintext_or_temp_file_left(files: AttachmentStore) -> None:
    marker = b"UNIQUE-ATTACHMENT-MARKER-42"
    files.put(io.BytesIO(marker * 1000))
    names = os.listdir(files.folder)
    assert len(names) == 1 and not names[0].startswith(".")
    assert len(names[0]) == 32  # random hex, nothing of the original name
    assert marker not in (files.folder / names[0]).read_bytes()


def test_failed_put_leaves_nothing(files: AttachmentStore) -> None:
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            raise OSError("device gone")

    with pytest.raises(OSError):
        files.put(Broken())  # type: ignore[arg-type]
    assert os.listdir(files.folder) == []


def test_import_encrypted_keeps_the_stream_as_is(files: AttachmentStore) -> None:
    blob = io.BytesIO()
    sent = stream.encrypt_stream(io.BytesIO(b"x" * 3000), blob)
    att = files.import_encrypted(
        io.BytesIO(blob.getvalue()), sent.key, cipher_sha256=sent.cipher_sha256
    )
    assert att.cipher_sha256 == sent.cipher_sha256
    assert (files.folder / att.file_name).read_bytes() == blob.getvalue()
    with files.open_encrypted(att.attachment_id) as fh:
        assert fh.read() == blob.getvalue()


def test_import_of_damaged_stream_keeps_nothing(files: AttachmentStore) -> None:
    blob = io.BytesIO()
    sent = stream.encrypt_stream(io.BytesIO(b"x" * 3000), blob)
    damaged = bytearray(blob.getvalue())
    damaged[-1] ^= 1
    with pytest.raises(ProtocolError):
        files.import_encrypted(io.BytesIO(bytes(damaged)), sent.key)
    with pytest.raises(ProtocolError):
        files.import_encrypted(io.BytesIO(blob.getvalue()), sent.key, cipher_sha256="00" * 32)
    assert os.listdir(files.folder) == []


def test_tampered_file_fails_and_export_leaves_nothing(
    files: AttachmentStore, tmp_path: Path
) -> None:
    att = files.put(io.BytesIO(os.urandom(3 * MIB)))
    path = files.folder / att.file_name
    data = bytearray(path.read_bytes())
    data[2 * MIB] ^= 1
    path.write_bytes(bytes(data))
    assert not files.verify(att.attachment_id)
    with pytest.raises(ProtocolError):
        files.export_to(att.attachment_id, tmp_path / "out.bin")
    assert not any(p.name.startswith(".out.bin") or p.name == "out.bin" for p in tmp_path.iterdir())


def test_delete_erases_file_and_key(files: AttachmentStore) -> None:
    att = files.put(io.BytesIO(b"x"))
    assert files.delete(att.attachment_id)
    assert files.get(att.attachment_id) is None
    assert os.listdir(files.folder) == []
    assert not files.delete(att.attachment_id)
