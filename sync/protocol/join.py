"""Join requests: a would-be member's signed answer to an invitation code.

``{"body": bytes, "sig": Ed25519, "mac": HMAC-SHA256}`` in canonical CBOR (version 2). ``body``
holds the operation id, the invitation id (``sync.protocol.invite.invitation_id``: a hash of the
one-time token, which is all the relay knows), the joiner's public identity, its name, agency and
country sealed under a key derived from the token, and the time. ``sig`` (by the joiner's own key,
over ``b"cordon-join-v1\\x00" + body``) proves the joiner holds the keys it asks to be admitted
with; ``mac`` (keyed by HKDF(token), over ``b"cordon-join-mac-v2\\x00" + body``) proves to the
coordinator, and to nobody else, that whoever wrote it held the invitation code. The relay can
store and forward a request, and check the signature, but cannot write one that
``open_join_request`` accepts, nor read the names.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import time
from dataclasses import dataclass, field

from locales import _
from sync.errors import ProtocolError
from sync.primitives.identity import Identity, PublicIdentity
from sync.protocol.commit import OPERATION_ID_BYTES
from sync.protocol.invite import invitation_id
from sync.protocol.roster import Member, check_member_fields
from sync.protocol.sealing import derive_key, open_value, seal_value
from sync.protocol.wire import (
    ROSTER_VERSION,
    as_map,
    decode,
    encode,
    get_bytes,
    get_int,
    get_text,
)

_JOIN_DOMAIN = b"cordon-join-v1\x00"
_MAC_DOMAIN = b"cordon-join-mac-v2\x00"
_MAC_KEY_INFO = b"cordon-join-mac-key-v2\x00"
_NAMES_INFO = b"cordon-join-names-v2\x00"
_FIELDS = {"v", "op", "inv", "id", "names", "time"}


@dataclass(frozen=True)
class JoinRequest:
    """A decoded join request; ``name``, ``agency`` and ``country`` are empty until
    ``open_join_request`` has checked it against the invitation's token."""

    operation_id: bytes
    invitation_id: bytes  # hash of the one-time token (32 bytes)
    public: PublicIdentity
    raw: bytes
    time_ms: int = 0
    sealed_names: bytes = field(default=b"", repr=False)
    signature: bytes = field(default=b"", repr=False)
    mac: bytes = field(default=b"", repr=False)
    body: bytes = field(default=b"", repr=False)
    name: str = ""
    agency: str = ""
    country: str = ""

    @property
    def opened(self) -> bool:
        return bool(self.name)

    def as_member(self, role: str = "participant") -> Member:
        """The roster entry a coordinator adds when admitting this (opened) request."""
        if not self.opened:
            raise ProtocolError(_("This join request has not been checked against its invitation."))
        return Member(self.public, self.name, self.agency, self.country, role)


def _mac_key(token: bytes, operation_id: bytes) -> bytes:
    return derive_key(token, operation_id, _MAC_KEY_INFO)


def _names_aad(operation_id: bytes, invitation: bytes, public: PublicIdentity) -> bytes:
    return operation_id + invitation + public.device_id


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
    """A signed join request for the invitation's operation, proven with its one-time token."""
    check_member_fields(name, agency, country, "participant")
    invitation = invitation_id(token)
    names = seal_value(
        token,
        operation_id,
        _NAMES_INFO,
        _names_aad(operation_id, invitation, identity.public),
        {"name": name, "agency": agency, "country": country},
    )
    body = encode(
        {
            "v": ROSTER_VERSION,
            "op": operation_id,
            "inv": invitation,
            "id": identity.public.to_cbor_map(),
            "names": names,
            "time": int(time.time() * 1000) if time_ms is None else time_ms,
        }
    )
    mac = hmac.new(_mac_key(token, operation_id), _MAC_DOMAIN + body, hashlib.sha256).digest()
    return encode({"body": body, "sig": identity.sign(_JOIN_DOMAIN + body), "mac": mac})


def decode_join_request(data: bytes) -> JoinRequest:
    """Decode and check the joiner's own signature (what the relay can check); ProtocolError
    otherwise. The names stay sealed: see ``open_join_request``."""
    what = "join request"
    outer = as_map(decode(data, what, limit=64 * 1024), {"body", "sig", "mac"}, what)
    body = get_bytes(outer, "body", what)
    signature = get_bytes(outer, "sig", what, size=64)
    mac = get_bytes(outer, "mac", what, size=32)
    value = as_map(decode(body, what), _FIELDS, what)
    if get_int(value, "v", what) != ROSTER_VERSION:
        raise ProtocolError(_("Unsupported join request version."))
    public = PublicIdentity.from_cbor_map(value["id"])
    request = JoinRequest(
        operation_id=get_bytes(value, "op", what, size=OPERATION_ID_BYTES),
        invitation_id=get_bytes(value, "inv", what, size=32),
        public=public,
        raw=bytes(data),
        time_ms=get_int(value, "time", what),
        sealed_names=get_bytes(value, "names", what, max_size=4096),
        signature=signature,
        mac=mac,
        body=body,
    )
    if not public.verify(signature, _JOIN_DOMAIN + body):
        raise ProtocolError(_("Join request refused: bad signature."))
    return request


def open_join_request(request: JoinRequest, token: bytes) -> JoinRequest:
    """Check ``request`` against the invitation's one-time ``token`` (held by the coordinator
    who made it) and read the joiner's name, agency and country; ProtocolError if it was not
    written by someone holding the invitation code."""
    refused = ProtocolError(
        _("This join request does not prove it answers your invitation; it was refused.")
    )
    if not hmac.compare_digest(invitation_id(token), request.invitation_id):
        raise refused
    expected = hmac.new(
        _mac_key(token, request.operation_id), _MAC_DOMAIN + request.body, hashlib.sha256
    ).digest()
    if not hmac.compare_digest(expected, request.mac):
        raise refused
    what = "join request names"
    try:
        value = open_value(
            token,
            request.operation_id,
            _NAMES_INFO,
            _names_aad(request.operation_id, request.invitation_id, request.public),
            request.sealed_names,
            what,
        )
    except ProtocolError:
        raise refused from None
    names = as_map(value, {"name", "agency", "country"}, what)
    name = get_text(names, "name", what)
    agency = get_text(names, "agency", what)
    country = get_text(names, "country", what, max_len=2)
    check_member_fields(name, agency, country, "participant")
    return dataclasses.replace(request, name=name, agency=agency, country=country)
