"""Small sealed values inside signed structures: names the relay must not read.

``seal_value`` encrypts canonical CBOR with AES-256-GCM under ``HKDF-SHA256(ikm=secret,
salt=salt, info=domain)`` and a random 12-byte nonce stored before the ciphertext; ``aad`` binds
the value to where it sits (operation, epoch, invitation). ``open_value`` returns the decoded value
or raises ProtocolError: never partial plaintext.
"""

from __future__ import annotations

import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from locales import _
from sync.errors import ProtocolError
from sync.protocol.wire import decode, encode

_NONCE = 12
MAX_SEALED = 512 * 1024


def derive_key(secret: bytes, salt: bytes, domain: bytes) -> bytes:
    """A 32-byte key for one purpose (``domain``) from a secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=domain).derive(secret)


def seal_value(secret: bytes, salt: bytes, domain: bytes, aad: bytes, value: Any) -> bytes:
    """``nonce || AES-GCM(key, CBOR(value))`` with ``aad`` as associated data."""
    nonce = os.urandom(_NONCE)
    key = derive_key(secret, salt, domain)
    return nonce + AESGCM(key).encrypt(nonce, encode(value), aad)


def open_value(
    secret: bytes,
    salt: bytes,
    domain: bytes,
    aad: bytes,
    sealed: bytes,
    what: str,
    limit: int = MAX_SEALED,
) -> Any:
    """The value ``seal_value`` sealed; ProtocolError if the key, place or bytes are wrong."""
    if not _NONCE + 16 <= len(sealed) <= limit:
        raise ProtocolError(_("Sealed names refused: wrong size."))
    key = derive_key(secret, salt, domain)
    try:
        plain = AESGCM(key).decrypt(sealed[:_NONCE], sealed[_NONCE:], aad)
    except InvalidTag:
        raise ProtocolError(_("Sealed names refused: they do not open with this key.")) from None
    return decode(plain, what, limit=limit)
