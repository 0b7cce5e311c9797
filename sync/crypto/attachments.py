"""Attachment transport: the descriptor that travels in a package, and resumable verified download.

The file itself is the chunked AEAD stream of sync.primitives.stream (a random key per file, chunk
index and final flag bound into every chunk). This module adds what moving it between members
needs: an ``AttachmentDescriptor`` (key, content address, sizes, name, media type) carried inside
a sealed package body, the byte range of each chunk for ranged or resumable transfer, and an
``AttachmentDownload`` that verifies and keeps each chunk as it arrives, in constant memory, and
resumes from what a previous, interrupted download left on disk.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from locales import _
from sync.errors import ProtocolError
from sync.primitives import stream
from sync.protocol.wire import (
    PROTOCOL_VERSION,
    as_map,
    decode,
    encode,
    get_bytes,
    get_int,
    get_text,
)

_FIELDS = {"v", "key", "hash", "csize", "size", "chunk", "name", "type"}
MAX_ATTACHMENT_BYTES = 2**40  # 1 TiB: anything claiming more is refused


@dataclass(frozen=True)
class AttachmentDescriptor:
    """What a member needs to fetch, verify and decrypt one attachment."""

    key: bytes  # 32-byte per-file stream key
    cipher_sha256: bytes  # SHA-256 of the whole encrypted stream: its content address
    cipher_size: int
    size: int  # plaintext bytes
    chunk_size: int
    name: str
    media_type: str

    def __repr__(self) -> str:  # the key is a secret
        return f"AttachmentDescriptor(name={self.name!r}, size={self.size}, hash={self.blob_id})"

    @property
    def blob_id(self) -> str:
        """The hex content address the relay stores the encrypted stream under."""
        return self.cipher_sha256.hex()

    @property
    def chunk_count(self) -> int:
        return max(1, -(-self.size // self.chunk_size))

    def chunk_range(self, index: int) -> tuple[int, int]:
        """Byte range [start, end) of sealed chunk ``index`` in the encrypted stream."""
        if not 0 <= index < self.chunk_count:
            raise ProtocolError(_("Chunk index out of range."))
        sealed = self.chunk_size + stream.TAG_BYTES
        start = stream.HEADER_SIZE + index * sealed
        return start, min(start + sealed, self.cipher_size)

    def to_wire(self) -> dict[str, Any]:
        return {
            "v": PROTOCOL_VERSION,
            "key": self.key,
            "hash": self.cipher_sha256,
            "csize": self.cipher_size,
            "size": self.size,
            "chunk": self.chunk_size,
            "name": self.name,
            "type": self.media_type,
        }

    def encode(self) -> bytes:
        return encode(self.to_wire())

    @classmethod
    def from_wire(cls, value: Any) -> AttachmentDescriptor:
        what = "attachment descriptor"
        entry = as_map(value, _FIELDS, what)
        if get_int(entry, "v", what) != PROTOCOL_VERSION:
            raise ProtocolError(_("Unsupported attachment descriptor version."))
        descriptor = cls(
            key=get_bytes(entry, "key", what, size=stream.KEY_BYTES),
            cipher_sha256=get_bytes(entry, "hash", what, size=32),
            cipher_size=get_int(entry, "csize", what),
            size=get_int(entry, "size", what, maximum=MAX_ATTACHMENT_BYTES),
            chunk_size=get_int(
                entry, "chunk", what, minimum=stream.MIN_CHUNK_SIZE, maximum=stream.MAX_CHUNK_SIZE
            ),
            name=get_text(entry, "name", what),
            media_type=get_text(entry, "type", what, max_len=200, allow_empty=True),
        )
        if descriptor.cipher_size != stream.ciphertext_size(descriptor.size, descriptor.chunk_size):
            raise ProtocolError(_("Malformed attachment descriptor: sizes do not agree."))
        return descriptor

    @classmethod
    def decode(cls, data: bytes) -> AttachmentDescriptor:
        return cls.from_wire(decode(data, "attachment descriptor", limit=4096))


def describe(result: stream.StreamResult, name: str, media_type: str = "") -> AttachmentDescriptor:
    """The descriptor of a file just encrypted with ``stream.encrypt_stream``."""
    return AttachmentDescriptor(
        key=result.key,
        cipher_sha256=bytes.fromhex(result.cipher_sha256),
        cipher_size=result.cipher_size,
        size=result.size,
        chunk_size=result.chunk_size,
        name=name,
        media_type=media_type,
    )


class AttachmentDownload:
    """Receives an encrypted stream in pieces, verifying and keeping each chunk as it arrives.

    ``offset`` is how many bytes of the encrypted stream are verified and on disk: ask the relay
    for the rest from there. Opening an existing partial file re-verifies it (constant memory) and
    cuts off anything after the last good chunk. ``finish`` checks size and content address.
    Nothing unverified is ever kept on disk.
    """

    def __init__(self, descriptor: AttachmentDescriptor, path: str | os.PathLike[str]) -> None:
        self.descriptor = descriptor
        self.path = Path(path)
        self._hash = hashlib.sha256()
        self._buffer = bytearray()
        self._opener: stream.StreamOpener | None = None
        self._index = 0
        self.offset = 0
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        self._file = os.fdopen(fd, "r+b")
        self._resume()

    def __enter__(self) -> AttachmentDownload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    @property
    def complete(self) -> bool:
        return self.offset == self.descriptor.cipher_size

    def _resume(self) -> None:
        self._file.seek(0)
        while not self.complete:
            want = self._next_size()
            piece = self._file.read(want)
            if len(piece) < want:
                break
            try:
                self._accept(piece)
            except ProtocolError:
                break
        self._file.seek(self.offset)
        self._file.truncate()

    def _next_size(self) -> int:
        if self._opener is None:
            return stream.HEADER_SIZE
        start, end = self.descriptor.chunk_range(self._index)
        return end - start

    def _accept(self, piece: bytes) -> None:
        """Verify one header or sealed chunk (exactly its size) and count it."""
        if self._opener is None:
            opener = stream.StreamOpener(self.descriptor.key, piece)
            if opener.header.chunk_size != self.descriptor.chunk_size:
                raise ProtocolError(_("The attachment's chunk size differs from its descriptor."))
            self._opener = opener
        else:
            final = self._index == self.descriptor.chunk_count - 1
            self._opener.open(self._index, piece, final)
            self._index += 1
        self._hash.update(piece)
        self.offset += len(piece)

    def feed(self, data: bytes) -> None:
        """Take the next bytes of the encrypted stream (any split); ProtocolError if a chunk fails.

        After an error the verified prefix stays on disk; resume from ``offset``.
        """
        if len(data) > self.descriptor.cipher_size - self.offset - len(self._buffer):
            raise ProtocolError(_("The attachment is longer than its descriptor says."))
        self._buffer += data
        while not self.complete and len(self._buffer) >= self._next_size():
            size = self._next_size()
            piece = bytes(self._buffer[:size])
            try:
                self._accept(piece)
            except ProtocolError:
                self._buffer.clear()
                raise
            del self._buffer[:size]
            self._file.write(piece)

    def finish(self) -> Path:
        """Check the whole stream against the descriptor; returns the verified file's path."""
        if self._buffer or not self.complete:
            raise ProtocolError(_("The attachment is incomplete."))
        if not hmac.compare_digest(self._hash.digest(), self.descriptor.cipher_sha256):
            raise ProtocolError(_("The attachment does not match its content address."))
        self._file.flush()
        os.fsync(self._file.fileno())
        return self.path
