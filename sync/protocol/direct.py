"""Direct messages on the wire: one sender to one member's device, outside the epoch keys.

``{"h": header-bytes, "c": HPKE ciphertext, "s": Ed25519}`` in canonical CBOR. The header
(``v, op, id, sender, recipient, kind, hlc``) is readable by the relay so it can route; the
body is sealed with the device HPKE suite (ML-KEM-768 + X25519, HKDF-SHA256,
ChaCha20-Poly1305) with ``info = "cordon-direct-v1\\0" || SHA-256(header)``, and the signature
covers ``"cordon-direct-v1\\0" || SHA-256(header) || SHA-256(ciphertext)``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cached_property

from locales import _
from sync.errors import ProtocolError
from sync.primitives.identity import DEVICE_ID_BYTES, Identity, PublicIdentity
from sync.protocol.commit import OPERATION_ID_BYTES, Commit
from sync.protocol.package import check_kind
from sync.protocol.roster import Member
from sync.protocol.wire import (
    MAX_ENVELOPE_BYTES,
    PROTOCOL_VERSION,
    as_map,
    decode,
    encode,
    get_bytes,
    get_int,
    get_text,
)

_DOMAIN = b"cordon-direct-v1\x00"
MESSAGE_ID_BYTES = 16


@dataclass(frozen=True)
class DirectHeader:
    version: int
    operation_id: bytes
    message_id: bytes  # 16 random bytes: the receiver's duplicate key
    sender: bytes
    recipient: bytes
    kind: str
    hlc: int

    def encode(self) -> bytes:
        check_kind(self.kind)
        return encode(
            {
                "v": self.version,
                "op": self.operation_id,
                "id": self.message_id,
                "sender": self.sender,
                "recipient": self.recipient,
                "kind": self.kind,
                "hlc": self.hlc,
            }
        )

    @classmethod
    def decode(cls, data: bytes) -> DirectHeader:
        what = "direct message header"
        fields = {"v", "op", "id", "sender", "recipient", "kind", "hlc"}
        value = as_map(decode(data, what, limit=4096), fields, what)
        header = cls(
            get_int(value, "v", what),
            get_bytes(value, "op", what, size=OPERATION_ID_BYTES),
            get_bytes(value, "id", what, size=MESSAGE_ID_BYTES),
            get_bytes(value, "sender", what, size=DEVICE_ID_BYTES),
            get_bytes(value, "recipient", what, size=DEVICE_ID_BYTES),
            get_text(value, "kind", what, max_len=32),
            get_int(value, "hlc", what),
        )
        if header.version != PROTOCOL_VERSION:
            raise ProtocolError(_("Unsupported direct message version."))
        check_kind(header.kind)
        return header


@dataclass(frozen=True)
class SignedDirect:
    header: DirectHeader
    raw: bytes
    header_bytes: bytes = field(repr=False)
    ciphertext: bytes = field(repr=False)
    signature: bytes = field(repr=False)

    @cached_property
    def message_hash(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    def signed_message(self) -> bytes:
        return _signing_message(self.header_bytes, self.ciphertext)


def _hpke_info(header_bytes: bytes) -> bytes:
    return _DOMAIN + hashlib.sha256(header_bytes).digest()


def _signing_message(header_bytes: bytes, ciphertext: bytes) -> bytes:
    return _hpke_info(header_bytes) + hashlib.sha256(ciphertext).digest()


def parse_direct(data: bytes) -> SignedDirect:
    """Structure only (what the relay needs to route); ProtocolError if malformed."""
    value = as_map(
        decode(data, "direct message", limit=MAX_ENVELOPE_BYTES), {"h", "c", "s"}, "direct message"
    )
    header_bytes = get_bytes(value, "h", "direct message", max_size=4096)
    ciphertext = get_bytes(value, "c", "direct message")
    signature = get_bytes(value, "s", "direct message", size=64)
    return SignedDirect(
        DirectHeader.decode(header_bytes), bytes(data), header_bytes, ciphertext, signature
    )


def verify_direct_signature(message: SignedDirect, roster: Commit) -> Member:
    """Sender and recipient are members, the sender is no observer and signed; returns sender."""
    header = message.header
    if header.operation_id != roster.operation_id:
        raise ProtocolError(_("Direct message refused: it belongs to another operation."))
    sender = roster.member(header.sender)
    if sender is None:
        raise ProtocolError(_("Direct message refused: the sender is not a member."))
    if sender.role == "observer":
        raise ProtocolError(_("Direct message refused: observers cannot write."))
    if roster.member(header.recipient) is None:
        raise ProtocolError(_("Direct message refused: the recipient is not a member."))
    if not sender.public.verify(message.signature, message.signed_message()):
        raise ProtocolError(_("Direct message refused: bad signature."))
    return sender


def seal_direct_raw(
    identity: Identity,
    recipient: PublicIdentity,
    *,
    operation_id: bytes,
    kind: str,
    hlc: int,
    plaintext: bytes,
) -> bytes:
    """Seal already-encoded ``plaintext`` to ``recipient`` and sign it (see sync.crypto.direct)."""
    header = DirectHeader(
        PROTOCOL_VERSION,
        operation_id,
        os.urandom(MESSAGE_ID_BYTES),
        identity.device_id,
        recipient.device_id,
        kind,
        hlc,
    )
    header_bytes = header.encode()
    ciphertext = recipient.seal(plaintext, info=_hpke_info(header_bytes))
    signature = identity.sign(_signing_message(header_bytes, ciphertext))
    return encode({"h": header_bytes, "c": ciphertext, "s": signature})


def open_direct_raw(message: SignedDirect, identity: Identity) -> bytes:
    """Decrypt a parsed direct message addressed to ``identity`` (signature checked elsewhere)."""
    if message.header.recipient != identity.device_id:
        raise ProtocolError(_("Direct message refused: it is addressed to another device."))
    return identity.open(message.ciphertext, info=_hpke_info(message.header_bytes))
