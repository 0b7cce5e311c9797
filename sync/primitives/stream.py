"""Chunked AEAD streams: large files encrypted and decrypted in constant memory.

Format (version 1)::

    header:  magic "CDNSTRM1" | aead u8 (1 = AES-256-GCM) | chunk size u32 | file id (16)
    chunks:  AES-256-GCM(chunk key, nonce = index u64 || final flag u32, chunk, aad = header)

Every chunk but the last holds exactly ``chunk_size`` plaintext bytes; the last holds 0 to
``chunk_size`` and carries the final flag. The chunk key is HKDF(file key, salt = file id), so a
file key reused by mistake still never repeats a nonce under the same AES key. Binding the index
and the final flag into the nonce detects reordering, dropping, duplicating and truncation at a
chunk boundary; binding the header detects a changed chunk size or file id.

Two levels of API:

* chunk by chunk (``StreamSealer``, ``StreamOpener``), for resumable transfer: any chunk can be
  sealed or opened on its own given its index;
* whole streams over file objects (``encrypt_stream``, ``decrypt_stream``), which return sizes
  and SHA-256 hashes of the plaintext and of the ciphertext (its content address).
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from locales import _
from sync.errors import ProtocolError

MAGIC = b"CDNSTRM1"
AEAD_AES256GCM = 1
KEY_BYTES = 32
FILE_ID_BYTES = 16
TAG_BYTES = 16
DEFAULT_CHUNK_SIZE = 1024 * 1024
MIN_CHUNK_SIZE = 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024
MAX_CHUNKS = 2**48  # far below the nonce space; a larger file is refused

_HEADER = struct.Struct(">8sBI16s")
HEADER_SIZE = _HEADER.size


@dataclass(frozen=True)
class StreamHeader:
    chunk_size: int
    file_id: bytes

    def encode(self) -> bytes:
        return _HEADER.pack(MAGIC, AEAD_AES256GCM, self.chunk_size, self.file_id)

    @classmethod
    def decode(cls, data: bytes) -> StreamHeader:
        """Parse a header; anything malformed raises ``ProtocolError``."""
        if len(data) != HEADER_SIZE:
            raise ProtocolError(_("Rejected an encrypted file: its header is truncated."))
        magic, aead, chunk_size, file_id = _HEADER.unpack(data)
        if magic != MAGIC or aead != AEAD_AES256GCM:
            raise ProtocolError(
                _("Rejected a file that is not an encrypted stream of a known version.")
            )
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise ProtocolError(_("Rejected an encrypted file: its chunk size is out of range."))
        return cls(chunk_size, file_id)

    @property
    def sealed_chunk_size(self) -> int:
        return self.chunk_size + TAG_BYTES


@dataclass(frozen=True)
class StreamResult:
    """What a whole-stream pass learned: sizes and hex SHA-256 of both sides."""

    key: bytes
    file_id: bytes
    chunk_size: int
    size: int  # plaintext bytes
    sha256: str  # plaintext
    cipher_size: int
    cipher_sha256: str  # the encrypted stream, header included: its content address

    def __repr__(self) -> str:  # the key is a secret
        return (
            f"StreamResult(size={self.size}, sha256={self.sha256}, "
            f"cipher_size={self.cipher_size}, cipher_sha256={self.cipher_sha256})"
        )


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def chunk_count(plain_size: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> int:
    """How many chunks ``plain_size`` bytes make (an empty file is one empty final chunk)."""
    return max(1, -(-plain_size // chunk_size))


def ciphertext_size(plain_size: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> int:
    """Size of the encrypted stream for ``plain_size`` bytes of plaintext."""
    return HEADER_SIZE + plain_size + chunk_count(plain_size, chunk_size) * TAG_BYTES


def chunk_offset(index: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> int:
    """Where sealed chunk ``index`` starts in the encrypted stream (to resume a transfer)."""
    return HEADER_SIZE + index * (chunk_size + TAG_BYTES)


def _chunk_cipher(key: bytes, header: StreamHeader) -> AESGCM:
    if len(key) != KEY_BYTES:
        raise ValueError("a stream key is 32 bytes")
    chunk_key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=header.file_id, info=b"cordon-stream-v1"
    ).derive(key)
    return AESGCM(chunk_key)


def _nonce(index: int, final: bool) -> bytes:
    if not 0 <= index < MAX_CHUNKS:
        raise ProtocolError(_("Rejected an encrypted file: a chunk index is out of range."))
    return struct.pack(">QI", index, 1 if final else 0)


class StreamSealer:
    """Seals the chunks of one file. ``header`` goes first, then chunk 0, 1, ... in order."""

    def __init__(
        self,
        key: bytes,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        file_id: bytes | None = None,
    ) -> None:
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError("chunk size out of range")
        self.header = StreamHeader(chunk_size, file_id or os.urandom(FILE_ID_BYTES))
        self.header_bytes = self.header.encode()
        self._aead = _chunk_cipher(key, self.header)

    def seal(self, index: int, chunk: bytes, final: bool) -> bytes:
        if len(chunk) > self.header.chunk_size or (
            not final and len(chunk) != self.header.chunk_size
        ):
            raise ValueError("only the final chunk may be shorter than the chunk size")
        return self._aead.encrypt(_nonce(index, final), chunk, self.header_bytes)


class StreamOpener:
    """Opens the chunks of one file, given its header bytes."""

    def __init__(self, key: bytes, header_bytes: bytes) -> None:
        self.header = StreamHeader.decode(header_bytes)
        self.header_bytes = header_bytes
        self._aead = _chunk_cipher(key, self.header)

    def open(self, index: int, sealed: bytes, final: bool) -> bytes:
        """The chunk's plaintext; ``ProtocolError`` if it is not chunk ``index`` (and final)."""
        if len(sealed) < TAG_BYTES or len(sealed) > self.header.sealed_chunk_size:
            raise ProtocolError(_("Rejected an encrypted file: a chunk has an impossible size."))
        if not final and len(sealed) != self.header.sealed_chunk_size:
            raise ProtocolError(_("Rejected an encrypted file: a chunk has an impossible size."))
        try:
            return self._aead.decrypt(_nonce(index, final), sealed, self.header_bytes)
        except InvalidTag:
            raise ProtocolError(
                _(
                    "Rejected an encrypted file: chunk {index} is damaged, truncated, reordered "
                    "or under another key."
                ).format(index=index)
            ) from None


def _read_full(src: BinaryIO, size: int) -> bytes:
    """Read exactly ``size`` bytes unless the stream ends first (pipes return short reads)."""
    parts = []
    remaining = size
    while remaining:
        part = src.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def encrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    key: bytes | None = None,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> StreamResult:
    """Encrypt ``src`` into ``dst`` chunk by chunk; memory stays about two chunks."""
    key = key or new_key()
    sealer = StreamSealer(key, chunk_size=chunk_size)
    plain_hash = hashlib.sha256()
    cipher_hash = hashlib.sha256(sealer.header_bytes)
    dst.write(sealer.header_bytes)
    cipher_size = HEADER_SIZE
    size = 0
    index = 0
    chunk = _read_full(src, chunk_size)
    while True:
        following = _read_full(src, chunk_size) if len(chunk) == chunk_size else b""
        final = not following
        sealed = sealer.seal(index, chunk, final)
        plain_hash.update(chunk)
        cipher_hash.update(sealed)
        dst.write(sealed)
        size += len(chunk)
        cipher_size += len(sealed)
        if final:
            break
        chunk = following
        index += 1
    return StreamResult(
        key,
        sealer.header.file_id,
        chunk_size,
        size,
        plain_hash.hexdigest(),
        cipher_size,
        cipher_hash.hexdigest(),
    )


def decrypt_stream(src: BinaryIO, dst: BinaryIO | None, key: bytes) -> StreamResult:
    """Decrypt ``src`` into ``dst`` (or only verify, with ``dst=None``).

    Plaintext is written as each chunk is verified; on ``ProtocolError`` the caller must
    discard what was written (the stream was damaged, truncated or extended).
    """
    header_bytes = _read_full(src, HEADER_SIZE)
    opener = StreamOpener(key, header_bytes)
    sealed_size = opener.header.sealed_chunk_size
    plain_hash = hashlib.sha256()
    cipher_hash = hashlib.sha256(header_bytes)
    cipher_size = HEADER_SIZE
    size = 0
    index = 0
    sealed = _read_full(src, sealed_size)
    while True:
        following = _read_full(src, sealed_size) if len(sealed) == sealed_size else b""
        final = not following
        chunk = opener.open(index, sealed, final)
        plain_hash.update(chunk)
        cipher_hash.update(sealed)
        if dst is not None:
            dst.write(chunk)
        size += len(chunk)
        cipher_size += len(sealed)
        if final:
            break
        sealed = following
        index += 1
    return StreamResult(
        key,
        opener.header.file_id,
        opener.header.chunk_size,
        size,
        plain_hash.hexdigest(),
        cipher_size,
        cipher_hash.hexdigest(),
    )
