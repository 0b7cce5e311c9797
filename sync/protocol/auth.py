"""Relay request signing: how a device proves a request is its own, fresh and unaltered.

Every authenticated relay request carries four headers:

* ``Cordon-Key-Id``: the device id in hex (32 lower-case hex digits);
* ``Cordon-Timestamp``: Unix time in whole seconds (the relay accepts +-5 minutes);
* ``Cordon-Nonce``: 16 to 64 URL-safe characters, never reused (the relay keeps a replay cache,
  and after a restart refuses whatever was signed before it started: 401 ``replayed`` with a
  ``Cordon-Not-Before`` header; the client then signs again, see docs/protocol.md);
* ``Cordon-Signature``: unpadded base64url Ed25519 signature over :func:`signing_message`.

The signed message binds the method, the path, the raw query string, the SHA-256 of the body,
the key id, the timestamp and the nonce, so a captured request cannot be replayed, re-targeted
or given another body. The client signs the path and query exactly as it sends them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sync.errors import ProtocolError

KEY_ID_HEADER = "Cordon-Key-Id"
TIMESTAMP_HEADER = "Cordon-Timestamp"
NONCE_HEADER = "Cordon-Nonce"
SIGNATURE_HEADER = "Cordon-Signature"
# On a 401 ``replayed`` refusal: the earliest timestamp the relay accepts (Unix seconds).
NOT_BEFORE_HEADER = "Cordon-Not-Before"
AUTH_HEADERS = (KEY_ID_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)

CLOCK_WINDOW_SECONDS = 300
_DOMAIN = b"cordon-relay-request-v1"
_KEY_ID = re.compile(r"[0-9a-f]{32}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"[A-Za-z0-9_-]{86}")


class Signer(Protocol):
    """What signing needs from a device identity (sync.primitives.identity.Identity fits)."""

    @property
    def device_id(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


class Verifier(Protocol):
    """What verification needs from a public identity (PublicIdentity fits)."""

    def verify(self, signature: bytes, message: bytes) -> bool: ...


@dataclass(frozen=True)
class RequestAuth:
    """The parsed authentication headers of one request (syntax checked, signature not yet)."""

    key_id: str
    timestamp: int
    nonce: str
    signature: bytes

    @property
    def device_id(self) -> bytes:
        return bytes.fromhex(self.key_id)


def body_digest(body: bytes) -> bytes:
    return hashlib.sha256(body).digest()


def signing_message(
    method: str,
    path: str,
    query: str,
    body_sha256: bytes,
    key_id: str,
    timestamp: int,
    nonce: str,
) -> bytes:
    """The exact bytes a request signature covers; each field on its own line."""
    fields = [
        _DOMAIN,
        method.upper().encode("ascii"),
        path.encode("utf-8"),
        query.encode("utf-8"),
        body_sha256.hex().encode("ascii"),
        key_id.encode("ascii"),
        str(timestamp).encode("ascii"),
        nonce.encode("ascii"),
    ]
    return b"\n".join(fields)


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def sign_request(
    signer: Signer,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    *,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four authentication headers for one request by ``signer``."""
    key_id = signer.device_id.hex()
    timestamp = int(time.time() if now is None else now)
    nonce = nonce or new_nonce()
    message = signing_message(method, path, query, body_digest(body), key_id, timestamp, nonce)
    signature = base64.urlsafe_b64encode(signer.sign(message)).rstrip(b"=").decode("ascii")
    return {
        KEY_ID_HEADER: key_id,
        TIMESTAMP_HEADER: str(timestamp),
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature,
    }


def has_auth_headers(headers: Mapping[str, str]) -> bool:
    return any(_get(headers, name) is not None for name in AUTH_HEADERS)


def _get(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    return value


def parse_auth_headers(headers: Mapping[str, str]) -> RequestAuth:
    """Check the syntax of the four headers; ProtocolError if any is missing or malformed."""
    values = {name: _get(headers, name) for name in AUTH_HEADERS}
    if any(value is None for value in values.values()):
        raise ProtocolError("the request is not signed")
    key_id = values[KEY_ID_HEADER] or ""
    timestamp = values[TIMESTAMP_HEADER] or ""
    nonce = values[NONCE_HEADER] or ""
    signature = values[SIGNATURE_HEADER] or ""
    if not _KEY_ID.fullmatch(key_id):
        raise ProtocolError("malformed key id")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise ProtocolError("malformed timestamp")
    if not _NONCE.fullmatch(nonce):
        raise ProtocolError("malformed nonce")
    if not _SIGNATURE.fullmatch(signature):
        raise ProtocolError("malformed signature")
    try:
        raw_signature = base64.urlsafe_b64decode(signature + "==")
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError("malformed signature") from exc
    if len(raw_signature) != 64:
        raise ProtocolError("malformed signature")
    return RequestAuth(key_id, int(timestamp), nonce, raw_signature)


def check_fresh(auth: RequestAuth, now: float | None = None) -> None:
    """ProtocolError if the timestamp is outside the +-5 minute window."""
    current = time.time() if now is None else now
    if abs(current - auth.timestamp) > CLOCK_WINDOW_SECONDS:
        raise ProtocolError("the request timestamp is outside the allowed clock window")


def verify_request(
    public: Verifier,
    auth: RequestAuth,
    method: str,
    path: str,
    query: str,
    body_sha256: bytes,
) -> None:
    """ProtocolError unless the signature is ``public``'s over this very request."""
    message = signing_message(
        method, path, query, body_sha256, auth.key_id, auth.timestamp, auth.nonce
    )
    if not public.verify(auth.signature, message):
        raise ProtocolError("the request signature is not valid")
