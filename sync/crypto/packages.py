"""Sealing and opening content packages under an operation's epoch secrets.

Key schedule: ``HKDF-SHA256(ikm=epoch secret, salt=operation id,
info="cordon-package-key-v1\\0" || epoch (u64) || sender || seq (u64))`` gives a 32-byte
AES-256-GCM key unique to the package. The body is prefixed by a codec byte (0 raw, 1 zstd),
compressed when that helps, and encrypted with a random 12-byte nonce stored before the
ciphertext; the header bytes are the associated data. Opening returns the whole body or raises:
never partial plaintext.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field
from typing import Protocol

import zstandard
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from locales import _
from sync.crypto.epochs import OperationKeys
from sync.errors import ProtocolError
from sync.primitives.identity import Identity
from sync.protocol.package import (
    PACKAGE_VERSION,
    PackageHeader,
    SignedPackage,
    assemble_package,
    parse_package,
    verify_package_signature,
)
from sync.protocol.roster import Member
from sync.protocol.wire import u64

MAX_BODY_BYTES = 32 * 1024 * 1024
_NONCE = 12
_RAW, _ZSTD = 0, 1
_ZSTD_LEVEL = 1  # measured: level 1 is ~7x faster than zlib level 1 for similar size
_KEY_DOMAIN = b"cordon-package-key-v1\x00"


def package_key(secret: bytes, operation_id: bytes, epoch: int, sender: bytes, seq: int) -> bytes:
    """The AEAD key of one package, from the epoch secret, sender and sequence."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=operation_id,
        info=_KEY_DOMAIN + u64(epoch) + sender + u64(seq),
    ).derive(secret)


def compress(body: bytes) -> bytes:
    """Codec byte + body, zstd-compressed when that makes it smaller."""
    if len(body) > MAX_BODY_BYTES:
        raise ProtocolError(_("The package body is too large."))
    packed = zstandard.ZstdCompressor(level=_ZSTD_LEVEL, write_content_size=True).compress(body)
    if len(packed) < len(body):
        return bytes([_ZSTD]) + packed
    return bytes([_RAW]) + body


def decompress(data: bytes) -> bytes:
    """Inverse of compress, refusing anything that would expand past MAX_BODY_BYTES."""
    if not data:
        raise ProtocolError(_("Package refused: empty body."))
    codec, payload = data[0], data[1:]
    if codec == _RAW:
        return payload
    if codec != _ZSTD:
        raise ProtocolError(_("Package refused: unknown body codec."))
    try:
        size = zstandard.frame_content_size(payload)
        if not 0 <= size <= MAX_BODY_BYTES:
            raise ProtocolError(_("Package refused: body too large or of unknown size."))
        # One frame, and nothing after it. zstd stops a frame that outgrows its declared size,
        # so the output stays within MAX_BODY_BYTES and one block.
        frame = zstandard.ZstdDecompressor().decompressobj()
        body = frame.decompress(payload)
        whole, trailing = frame.eof, frame.unused_data
    except ProtocolError:
        raise
    except Exception as exc:
        raise ProtocolError(_("Package refused: body does not decompress.")) from exc
    if trailing:
        raise ProtocolError(_("Package refused: bytes follow the body's compressed frame."))
    if not whole or len(body) != size:
        raise ProtocolError(_("Package refused: body does not decompress."))
    return body


class SeenSequences(Protocol):
    """What the receiver has already applied: package id (hex) per (sender, seq), or None.

    The sync engine implements this over its store (record after applying, in the same
    transaction); MemorySeen is the in-memory version.
    """

    def seen(self, sender: bytes, seq: int) -> str | None: ...


@dataclass
class MemorySeen:
    """An in-memory SeenSequences, for tests and for the file transport's dry runs."""

    applied: dict[tuple[bytes, int], str] = field(default_factory=dict)

    def seen(self, sender: bytes, seq: int) -> str | None:
        return self.applied.get((sender, seq))

    def record(self, package: OpenedPackage) -> None:
        self.applied[(package.header.sender, package.header.seq)] = package.package_id


class BehindSender(ProtocolError):
    """The package names a commit newer than any held here: catch up, then open it again."""

    def __init__(self, epoch: int) -> None:
        super().__init__(
            _("Package refused: it names a change of members this device has not seen.")
        )
        self.epoch = epoch


class DuplicatePackage(Exception):  # noqa: N818 - a report, not an error: deliberately no ProtocolError
    """The very same package was applied before: ignore it quietly (not a rejection)."""

    def __init__(self, package_id: str) -> None:
        super().__init__(package_id)
        self.package_id = package_id


@dataclass(frozen=True)
class OpenedPackage:
    """A verified, decrypted package; ``sender`` is the sender as the latest roster names it
    (its role there is the one every rule applies)."""

    header: PackageHeader
    sender: Member
    package_id: str
    body: bytes = field(repr=False)


def seal_package(
    identity: Identity,
    keys: OperationKeys,
    *,
    kind: str,
    seq: int,
    hlc: int,
    body: bytes,
) -> bytes:
    """Seal ``body`` under the latest epoch; returns the package bytes to store and send."""
    roster = keys.latest
    me = roster.member(identity.device_id)
    if me is None:
        raise ProtocolError(_("This device is not a member of the operation."))
    if me.role == "observer":
        raise ProtocolError(_("Observers cannot write to the operation."))
    header = PackageHeader(
        PACKAGE_VERSION,
        roster.operation_id,
        roster.epoch,
        identity.device_id,
        seq,
        kind,
        hlc,
        head=roster.hash,
    )
    header_bytes = header.encode()
    key = package_key(
        keys.secret(roster.epoch), roster.operation_id, roster.epoch, identity.device_id, seq
    )
    nonce = os.urandom(_NONCE)
    ciphertext = nonce + AESGCM(key).encrypt(nonce, compress(body), header_bytes)
    return assemble_package(identity, header, ciphertext)


def open_package(data: bytes, keys: OperationKeys, seen: SeenSequences) -> OpenedPackage:
    """Verify and decrypt a package, or raise.

    Raises DuplicatePackage when this exact package was applied before, ProtocolError for every
    rejection: malformed, other operation, bad signature, unknown or removed sender, observer,
    epoch not held, a sequence number reused with different content (replay), failed decryption.
    """
    pkg = parse_package(data)
    header = pkg.header
    if header.operation_id != keys.operation_id:
        raise ProtocolError(_("Package refused: it belongs to another operation."))
    if header.epoch > keys.latest.epoch:
        raise BehindSender(header.epoch)
    earlier = seen.seen(header.sender, header.seq)
    if earlier is not None and hmac.compare_digest(earlier, pkg.package_id):
        raise DuplicatePackage(pkg.package_id)  # the same bytes were verified when first applied
    roster = keys.roster_at(header.epoch)
    verify_package_signature(pkg, roster)
    if not hmac.compare_digest(header.head, roster.hash):
        raise ProtocolError(
            _("Package refused: it names a history of the operation this device does not have.")
        )
    if earlier is not None:
        raise ProtocolError(
            _("Package refused: replay, that sender's sequence number was used before.")
        )
    now = keys.latest.member(header.sender)
    if now is None:
        raise ProtocolError(_("Package refused: the sender has been removed from the operation."))
    if now.role == "observer":  # demoted since: the relay refuses it too, so must every path
        raise ProtocolError(_("Package refused: the sender is now an observer."))
    # Authorised by the sender's role in the LATEST roster held here, never by the role it had
    # in the package's epoch: a demoted coordinator cannot act as one through an old epoch.
    return OpenedPackage(header, now, pkg.package_id, _decrypt(pkg, keys))


def _decrypt(pkg: SignedPackage, keys: OperationKeys) -> bytes:
    header = pkg.header
    key = package_key(
        keys.secret(header.epoch), header.operation_id, header.epoch, header.sender, header.seq
    )
    if len(pkg.ciphertext) < _NONCE + 16:
        raise ProtocolError(_("Package refused: ciphertext too short."))
    nonce, sealed = pkg.ciphertext[:_NONCE], pkg.ciphertext[_NONCE:]
    try:
        plain = AESGCM(key).decrypt(nonce, sealed, pkg.header_bytes)
    except Exception as exc:
        raise ProtocolError(_("Package refused: it does not decrypt.")) from exc
    return decompress(plain)
