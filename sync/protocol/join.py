"""Join requests: a would-be member's signed answer to an invitation code.

``{"body": bytes, "sig": Ed25519}`` in canonical CBOR; ``body`` holds the operation id, SHA-256 of
the invitation's one-time token (the relay never sees the token itself), the joiner's public
identity, name, agency and country. The signature (by the joiner's own key, over
``b"cordon-join-v1\\x00" + body``) proves the joiner holds the keys it asks to be admitted with.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from locales import _
from sync.crypto.identity import Identity, PublicIdentity
from sync.errors import ProtocolError
from sync.protocol.commit import OPERATION_ID_BYTES
from sync.protocol.roster import Member, check_member_fields
from sync.protocol.wire import (
    PROTOCOL_VERSION,
    as_map,
    decode,
    encode,
    get_bytes,
    get_int,
    get_text,
)

_JOIN_DOMAIN = b"cordon-join-v1\x00"
_FIELDS = {"v", "op", "token", "id", "name", "agency", "country", "time"}


@dataclass(frozen=True)
class JoinRequest:
    operation_id: bytes
    token_hash: bytes  # SHA-256 of the one-time token (32 bytes)
    public: PublicIdentity
    name: str
    agency: str
    country: str
    raw: bytes
    time_ms: int = 0
    signature: bytes = field(default=b"", repr=False)

    def as_member(self, role: str = "participant") -> Member:
        """The roster entry a coordinator adds when admitting this request."""
        return Member(self.public, self.name, self.agency, self.country, role)


def token_hash(token: bytes) -> bytes:
    return hashlib.sha256(token).digest()


def build_join_request(
    identity: Identity,
    *,
    operation_id: bytes,
    token: bytes,
    name: str,
    agency: str,
    country: str,
    time_ms: int | None = None,
) -> bytes:
    """A signed join request for the invitation's operation and one-time token."""
    check_member_fields(name, agency, country, "participant")
    body = encode(
        {
            "v": PROTOCOL_VERSION,
            "op": operation_id,
            "token": token_hash(token),
            "id": identity.public.to_cbor_map(),
            "name": name,
            "agency": agency,
            "country": country,
            "time": int(time.time() * 1000) if time_ms is None else time_ms,
        }
    )
    return encode({"body": body, "sig": identity.sign(_JOIN_DOMAIN + body)})


def decode_join_request(data: bytes) -> JoinRequest:
    """Decode and check the joiner's own signature; ProtocolError otherwise."""
    outer = as_map(decode(data, "join request", limit=64 * 1024), {"body", "sig"}, "join request")
    body = get_bytes(outer, "body", "join request")
    signature = get_bytes(outer, "sig", "join request", size=64)
    what = "join request"
    value = as_map(decode(body, what), _FIELDS, what)
    if get_int(value, "v", what) != PROTOCOL_VERSION:
        raise ProtocolError(_("Unsupported join request version."))
    public = PublicIdentity.from_cbor_map(value["id"])
    name = get_text(value, "name", what)
    agency = get_text(value, "agency", what)
    country = get_text(value, "country", what, max_len=2)
    check_member_fields(name, agency, country, "participant")
    request = JoinRequest(
        operation_id=get_bytes(value, "op", what, size=OPERATION_ID_BYTES),
        token_hash=get_bytes(value, "token", what, size=32),
        public=public,
        name=name,
        agency=agency,
        country=country,
        raw=bytes(data),
        time_ms=get_int(value, "time", what),
        signature=signature,
    )
    if not public.verify(signature, _JOIN_DOMAIN + body):
        raise ProtocolError(_("Join request refused: bad signature."))
    return request
