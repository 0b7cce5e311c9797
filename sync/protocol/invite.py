"""Invitation codes: relay URL, operation id, one-time token, and what binds the joiner to the
inviting coordinator and to the operation's chain.

Bytes (version 2): ``version (1) | flags (1: 1 = https, 2 = http) | operation id (16) |
token (16) | coordinator (32) | head (32) | relay host[:port][/path] (UTF-8) | checksum (4)``,
where ``coordinator`` is ``SHA-256("cordon-invite-coordinator-v2\\0" || the coordinator's whole
public bundle)``, ``head`` is the hash of the operation's newest commit when the code was made, and
the checksum is the first 4 bytes of ``SHA-256("cordon-invite-v1\\0" || everything before it)``.
Written in Crockford base32 (no I, L, O or U; reading is case-insensitive and accepts O for 0,
I and L for 1), in groups of five separated by dashes, after the prefix ``CDN1``.

The joiner activates only a chain that contains the ``head`` commit (so genesis and history are
the ones the coordinator saw) and in which the commit that admits it is signed by the identity
``coordinator`` names (see ``sync.protocol.join.check_admission``). The relay learns only the
invitation id, ``SHA-256("cordon-invitation-id-v2\\0" || token)``, never the token: the token keys
the MAC and the name encryption of the join request, which only the coordinator can check.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from locales import _
from sync.errors import ProtocolError
from sync.primitives.identity import PublicIdentity
from sync.protocol.commit import OPERATION_ID_BYTES, Commit

INVITE_VERSION = 2
TOKEN_BYTES = 16
COORDINATOR_BYTES = 32
HEAD_BYTES = 32
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
    coordinator: bytes  # coordinator_digest() of the inviting coordinator's public bundle
    head: bytes  # hash of the operation's newest commit when the invitation was made

    def __repr__(self) -> str:  # the token is a secret until used
        return f"Invite(relay_url={self.relay_url!r}, operation={self.operation_id.hex()})"

    @property
    def invitation_id(self) -> bytes:
        """What the relay stores and the join request names: a hash the token cannot be read
        back from."""
        return invitation_id(self.token)

    def is_coordinator(self, public: PublicIdentity) -> bool:
        """Whether ``public`` is the very identity (every key) of the inviting coordinator."""
        return hmac.compare_digest(coordinator_digest(public), self.coordinator)


def offered_chain_mismatch() -> ProtocolError:
    """The one refusal of a chain that does not answer an invitation."""
    return ProtocolError(
        _(
            "The relay offered an operation that does not match the invitation; it was refused "
            "and nothing was kept."
        )
    )


def check_invited_chain(invite: Invite, chain: Sequence[Commit], device_id: bytes) -> Commit | None:
    """For a joiner: the commit that admitted ``device_id``, or None while not admitted yet.

    ``chain`` must be verified already (genesis signed, every link chained and signed by a
    coordinator of the epoch before). It must hold the commit ``invite.head`` names (so genesis
    and history are the ones the coordinator saw), and the first later commit whose roster holds
    this device must be signed by the very identity the invitation names. ProtocolError
    (``offered_chain_mismatch``) otherwise.
    """
    if not chain or chain[0].operation_id != invite.operation_id:
        raise offered_chain_mismatch()
    head = next((i for i, c in enumerate(chain) if hmac.compare_digest(c.hash, invite.head)), None)
    if head is None:
        # The head was on the relay when the code was made and commits are never taken back:
        # a chain without it is another chain.
        raise offered_chain_mismatch()
    for index in range(head + 1, len(chain)):
        commit = chain[index]
        if commit.member(device_id) is None:
            continue
        signer = chain[index - 1].member(commit.author)
        if signer is None or not invite.is_coordinator(signer.public):
            raise offered_chain_mismatch()
        return commit
    if chain[head].member(device_id) is not None:
        raise offered_chain_mismatch()  # a member before the invitation was made: not this one
    return None


def invitation_id(token: bytes) -> bytes:
    """The relay-visible id of an invitation: SHA-256 over a domain and the one-time token."""
    return hashlib.sha256(b"cordon-invitation-id-v2\x00" + token).digest()


def coordinator_digest(public: PublicIdentity) -> bytes:
    """SHA-256 over the coordinator's whole public bundle (Ed25519, ML-DSA and HPKE keys)."""
    return hashlib.sha256(b"cordon-invite-coordinator-v2\x00" + public.encode()).digest()


def new_invite(relay_url: str, head: Commit, coordinator: PublicIdentity) -> Invite:
    """A fresh invitation with a random one-time token, bound to ``coordinator`` and to the
    chain ending in ``head``."""
    return Invite(
        relay_url,
        head.operation_id,
        os.urandom(TOKEN_BYTES),
        coordinator_digest(coordinator),
        head.hash,
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
    if len(invite.coordinator) != COORDINATOR_BYTES or len(invite.head) != HEAD_BYTES:
        raise ProtocolError(_("The invitation is incomplete."))
    scheme, rest = _split_url(invite.relay_url)
    payload = (
        bytes([INVITE_VERSION, scheme])
        + invite.operation_id
        + invite.token
        + invite.coordinator
        + invite.head
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
    minimum = 2 + OPERATION_ID_BYTES + TOKEN_BYTES + COORDINATOR_BYTES + HEAD_BYTES + 1
    minimum += _CHECKSUM_BYTES
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
    if payload[0] < INVITE_VERSION:
        raise ProtocolError(
            _("This invitation is from an older version of Cordon; ask for a new one.")
        )
    if payload[0] != INVITE_VERSION:
        raise ProtocolError(_("This invitation is from a newer version of Cordon."))
    scheme = {v: k for k, v in _SCHEMES.items()}.get(payload[1])
    at = 2
    operation_id = payload[at : at + OPERATION_ID_BYTES]
    at += OPERATION_ID_BYTES
    token = payload[at : at + TOKEN_BYTES]
    at += TOKEN_BYTES
    coordinator = payload[at : at + COORDINATOR_BYTES]
    at += COORDINATOR_BYTES
    head = payload[at : at + HEAD_BYTES]
    at += HEAD_BYTES
    try:
        rest = payload[at:].decode("utf-8")
    except UnicodeDecodeError:
        rest = ""
    if scheme is None or not rest or not rest.isprintable():
        raise ProtocolError(_("The invitation code does not name a valid relay."))
    return Invite(f"{scheme}://{rest}", operation_id, token, coordinator, head)


def invite_qr_svg(code: str, scale: int = 4) -> bytes:
    """The invitation code as an SVG QR code (segno, alphanumeric mode: compact)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(code.upper(), error="m").save(buffer, kind="svg", scale=scale)
    return buffer.getvalue()
