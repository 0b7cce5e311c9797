"""Content packages on the wire: header, ciphertext and the sender's Ed25519 signature.

A package is ``{"h": header-bytes, "c": ciphertext, "s": signature}`` in canonical CBOR. The header
bytes are canonical CBOR themselves; they are the AEAD associated data, and the signature covers
``b"cordon-package-v1\\x00" + SHA-256(header) + SHA-256(ciphertext)`` (pre-hashed so that signing
a large package hashes it once). Nothing here decrypts: the relay uses this module to authorise
packages it cannot read; sync.crypto.packages seals and opens them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from locales import _
from sync.errors import ProtocolError
from sync.primitives.identity import DEVICE_ID_BYTES, Identity
from sync.protocol.commit import OPERATION_ID_BYTES, Commit
from sync.protocol.wire import (
    MAX_ENVELOPE_BYTES,
    as_map,
    decode,
    encode,
    get_bytes,
    get_int,
    get_text,
)

_PACKAGE_DOMAIN = b"cordon-package-v1\x00"
# Package headers are version 2 (protocol 2): they name the sender's head commit (``head``).
# Commits, join requests and direct messages keep PROTOCOL_VERSION.
PACKAGE_VERSION = 2
_KIND = re.compile(r"[a-z][a-z0-9._-]{0,31}\Z")
_HEADER_FIELDS = {"v", "op", "epoch", "head", "sender", "seq", "kind", "hlc"}
MAX_PACKAGE_BYTES = MAX_ENVELOPE_BYTES


@dataclass(frozen=True)
class PackageHeader:
    """What anyone (the relay included) may read about a package."""

    version: int
    operation_id: bytes
    epoch: int
    sender: bytes  # device id
    seq: int  # per-sender sequence, from 1
    kind: str
    hlc: int  # hybrid logical clock timestamp
    # H(commit) of the sender's latest known commit, the one of ``epoch`` (protocol v2): a
    # receiver that does not hold it catches up before applying, and refuses another history.
    head: bytes = b"\x00" * 32

    def encode(self) -> bytes:
        check_kind(self.kind)
        return encode(
            {
                "v": self.version,
                "op": self.operation_id,
                "epoch": self.epoch,
                "head": self.head,
                "sender": self.sender,
                "seq": self.seq,
                "kind": self.kind,
                "hlc": self.hlc,
            }
        )

    @classmethod
    def decode(cls, data: bytes) -> PackageHeader:
        what = "package header"
        value = as_map(decode(data, what, limit=4096), _HEADER_FIELDS, what)
        header = cls(
            version=get_int(value, "v", what),
            operation_id=get_bytes(value, "op", what, size=OPERATION_ID_BYTES),
            epoch=get_int(value, "epoch", what),
            head=get_bytes(value, "head", what, size=32),
            sender=get_bytes(value, "sender", what, size=DEVICE_ID_BYTES),
            seq=get_int(value, "seq", what, minimum=1),
            kind=get_text(value, "kind", what, max_len=32),
            hlc=get_int(value, "hlc", what),
        )
        if header.version != PACKAGE_VERSION:
            raise ProtocolError(_("Unsupported package version."))
        check_kind(header.kind)
        return header


def check_kind(kind: str) -> None:
    if not _KIND.match(kind):
        raise ProtocolError(_("Malformed package header: invalid kind."))


@dataclass(frozen=True)
class SignedPackage:
    """A parsed (not yet verified, not decrypted) package."""

    header: PackageHeader
    raw: bytes  # exact bytes: what the relay stores and forwards
    header_bytes: bytes = field(repr=False)
    ciphertext: bytes = field(repr=False)
    signature: bytes = field(repr=False)

    @cached_property
    def package_id(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    def signed_message(self) -> bytes:
        return signing_message(self.header_bytes, self.ciphertext)


def signing_message(header_bytes: bytes, ciphertext: bytes) -> bytes:
    return (
        _PACKAGE_DOMAIN
        + hashlib.sha256(header_bytes).digest()
        + hashlib.sha256(ciphertext).digest()
    )


def parse_package(data: bytes) -> SignedPackage:
    """Structure only, no decryption and no signature check; ProtocolError if malformed."""
    value: Any = as_map(
        decode(data, "package", limit=MAX_PACKAGE_BYTES), {"h", "c", "s"}, "package"
    )
    header_bytes = get_bytes(value, "h", "package", max_size=4096)
    ciphertext = get_bytes(value, "c", "package")
    signature = get_bytes(value, "s", "package", size=64)
    header = PackageHeader.decode(header_bytes)
    return SignedPackage(header, bytes(data), header_bytes, ciphertext, signature)


def verify_package_signature(pkg: SignedPackage, roster: Commit) -> None:
    """Sender is in ``roster``, not an observer, and signed header+ciphertext; else ProtocolError.

    ``roster`` is normally the latest verified commit: a removed member is then refused even for
    packages it claims to have written in an earlier epoch.
    """
    header = pkg.header
    if header.operation_id != roster.operation_id:
        raise ProtocolError(_("Package refused: it belongs to another operation."))
    if header.epoch > roster.epoch:
        raise ProtocolError(_("Package refused: its epoch is newer than the roster."))
    sender = roster.member(header.sender)
    if sender is None:
        raise ProtocolError(_("Package refused: the sender is not a member."))
    if sender.role == "observer":
        raise ProtocolError(_("Package refused: observers cannot write."))
    if not sender.public.verify(pkg.signature, pkg.signed_message()):
        raise ProtocolError(_("Package refused: bad signature."))


def assemble_package(identity: Identity, header: PackageHeader, ciphertext: bytes) -> bytes:
    """Sign and encode a package from an already-encrypted body (sync.crypto.packages seals)."""
    if header.sender != identity.device_id:
        raise ProtocolError(_("The package sender must be the signing device."))
    header_bytes = header.encode()
    signature = identity.sign(signing_message(header_bytes, ciphertext))
    return encode({"h": header_bytes, "c": ciphertext, "s": signature})
