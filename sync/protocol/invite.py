"""Invitation codes: relay URL, operation id, one-time token and the coordinator's fingerprint.

Bytes: ``version (1) | flags (1: 1 = https, 2 = http) | operation id (16) | token (16) |
coordinator device id prefix (10) | relay host[:port][/path] (UTF-8) | checksum (4)``, where the
checksum is the first 4 bytes of ``SHA-256("cordon-invite-v1\\0" || everything before it)``.
Written in Crockford base32 (no I, L, O or U; reading is case-insensitive and accepts O for 0,
I and L for 1), in groups of five separated by dashes, after the prefix ``CDN1``. The 80-bit
device-id prefix lets the joiner check, once it has the commits, that the operation's
coordinator holds the keys the inviter meant; the relay only ever learns SHA-256(token).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from locales import _
from sync.errors import ProtocolError
from sync.protocol.commit import OPERATION_ID_BYTES, Commit

INVITE_VERSION = 1
TOKEN_BYTES = 16
FINGERPRINT_BYTES = 10
_CHECKSUM_BYTES = 4
_PREFIX = "CDN1"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {ch: i for i, ch in enumerate(_ALPHABET)}
_DECODE.update({"O": 0, "I": 1, "L": 1})
_SCHEMES = {"https": 1, "http": 2}
_MAX_URL = 200


@dataclass(frozen=True)
class Invite:
    relay_url: str
    operation_id: bytes
    token: bytes
    coordinator: bytes  # the first 10 bytes of the inviting coordinator's device id

    def __repr__(self) -> str:  # the token is a secret until used
        return f"Invite(relay_url={self.relay_url!r}, operation={self.operation_id.hex()})"

    @property
    def token_hash(self) -> bytes:
        return hashlib.sha256(self.token).digest()

    def matches(self, commit: Commit) -> bool:
        """Whether a coordinator of ``commit`` has the device id the invitation names."""
        return commit.operation_id == self.operation_id and any(
            hmac.compare_digest(m.device_id[:FINGERPRINT_BYTES], self.coordinator)
            for m in commit.coordinators()
        )


def new_invite(relay_url: str, operation_id: bytes, coordinator_device_id: bytes) -> Invite:
    """A fresh invitation with a random one-time token."""
    return Invite(
        relay_url, operation_id, os.urandom(TOKEN_BYTES), coordinator_device_id[:FINGERPRINT_BYTES]
    )


def _checksum(payload: bytes) -> bytes:
    return hashlib.sha256(b"cordon-invite-v1\x00" + payload).digest()[:_CHECKSUM_BYTES]


def _split_url(url: str) -> tuple[int, str]:
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES or not parts.netloc or parts.query or parts.fragment:
        raise ProtocolError(_("The relay address must be an http or https URL."))
    rest = parts.netloc + parts.path.rstrip("/")
    if len(rest.encode()) > _MAX_URL or not rest.isprintable():
        raise ProtocolError(_("The relay address is too long."))
    return _SCHEMES[parts.scheme], rest


def encode_invite(invite: Invite) -> str:
    """The code to read aloud or put in a QR code, e.g. ``CDN1-0A1B2-...``."""
    if len(invite.operation_id) != OPERATION_ID_BYTES or len(invite.token) != TOKEN_BYTES:
        raise ProtocolError(_("The invitation is incomplete."))
    if len(invite.coordinator) != FINGERPRINT_BYTES:
        raise ProtocolError(_("The invitation is incomplete."))
    scheme, rest = _split_url(invite.relay_url)
    payload = (
        bytes([INVITE_VERSION, scheme])
        + invite.operation_id
        + invite.token
        + invite.coordinator
        + rest.encode()
    )
    data = payload + _checksum(payload)
    bits = len(data) * 8
    number = int.from_bytes(data, "big") << (-bits % 5)
    count = -(-bits // 5)
    chars = "".join(_ALPHABET[(number >> (5 * (count - 1 - i))) & 31] for i in range(count))
    groups = [chars[i : i + 5] for i in range(0, len(chars), 5)]
    return "-".join([_PREFIX, *groups])


def parse_invite(code: str) -> Invite:
    """Read an invitation code; ProtocolError with a clear sentence if it is not valid."""
    if not isinstance(code, str) or len(code) > 1000:
        raise ProtocolError(_("This is not a Cordon invitation code."))
    text = "".join(ch for ch in code.upper() if ch not in " -\t\r\n")
    if text[:3] == "CDN" and text[3:4] in ("I", "L"):  # read aloud, 1 is easily typed I or L
        text = _PREFIX + text[4:]
    if not text.startswith(_PREFIX):
        raise ProtocolError(_("This is not a Cordon invitation code (it should start with CDN1)."))
    text = text[len(_PREFIX) :]
    try:
        values = [_DECODE[ch] for ch in text]
    except KeyError:
        raise ProtocolError(
            _("The invitation code holds a character that cannot be part of it.")
        ) from None
    count = len(values) * 5 // 8
    minimum = 2 + OPERATION_ID_BYTES + TOKEN_BYTES + FINGERPRINT_BYTES + 1 + _CHECKSUM_BYTES
    if count < minimum:
        raise ProtocolError(_("The invitation code is too short; a part may be missing."))
    number = 0
    for value in values:
        number = (number << 5) | value
    pad = len(values) * 5 - count * 8
    if number & ((1 << pad) - 1):
        raise ProtocolError(_("The invitation code has a typing mistake (checksum failed)."))
    data = (number >> pad).to_bytes(count, "big")
    payload, checksum = data[:-_CHECKSUM_BYTES], data[-_CHECKSUM_BYTES:]
    if not hmac.compare_digest(_checksum(payload), checksum):
        raise ProtocolError(_("The invitation code has a typing mistake (checksum failed)."))
    if payload[0] != INVITE_VERSION:
        raise ProtocolError(_("This invitation is from a newer version of Cordon."))
    scheme = {v: k for k, v in _SCHEMES.items()}.get(payload[1])
    at = 2
    operation_id = payload[at : at + OPERATION_ID_BYTES]
    at += OPERATION_ID_BYTES
    token = payload[at : at + TOKEN_BYTES]
    at += TOKEN_BYTES
    coordinator = payload[at : at + FINGERPRINT_BYTES]
    at += FINGERPRINT_BYTES
    try:
        rest = payload[at:].decode("utf-8")
    except UnicodeDecodeError:
        rest = ""
    if scheme is None or not rest or not rest.isprintable():
        raise ProtocolError(_("The invitation code does not name a valid relay."))
    return Invite(f"{scheme}://{rest}", operation_id, token, coordinator)


def invite_qr_svg(code: str, scale: int = 4) -> bytes:
    """The invitation code as an SVG QR code (segno, alphanumeric mode: compact)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(code.upper(), error="m").save(buffer, kind="svg", scale=scale)
    return buffer.getvalue()
