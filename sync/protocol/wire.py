"""Wire-format helpers: deterministic CBOR in and out, with strict size and type checks.

Every structure Cordon exchanges is canonical CBOR (RFC 8949 §4.2.1 as cbor2 implements it with
``canonical=True``). Decoding goes through the strict, bounded decoder of ``cbor_strict`` (no
tags, no floats, limits enforced while decoding), then re-encodes and demands byte equality, so
each value has exactly one valid encoding: no second spelling of a signed structure can slip
past a hash or a duplicate check. Only ProtocolError ever leaves this module on hostile input.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator, Mapping
from typing import Any

import cbor2

from locales import _
from sync.errors import ProtocolError
from sync.primitives import cbor_strict

PROTOCOL_VERSION = 1  # packages and direct messages
ROSTER_VERSION = 2  # commits and join requests (wire format 2, see docs/protocol.md)
MAX_ENVELOPE_BYTES = 64 * 1024 * 1024  # a package or commit larger than this is refused unread
MAX_TEXT = 1000  # names, agencies and other short labels
MAX_INT = 2**63 - 1
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")


def encode(value: Any) -> bytes:
    """Canonical CBOR of ``value``."""
    return cbor2.dumps(value, canonical=True)


def decode(
    data: Any, what: str, limit: int = MAX_ENVELOPE_BYTES, *, max_items: int | None = None
) -> Any:
    """Decode canonical CBOR with the strict decoder (sync.primitives.cbor_strict): only the
    types the protocol uses, limits on size, depth and item count checked while decoding, no
    trailing bytes; then re-encode and demand the same bytes (one spelling per value)."""
    if max_items is None:
        max_items = _ITEM_LIMIT.get()
    try:
        value = cbor_strict.loads(data, max_bytes=limit, max_items=max_items)
    except cbor_strict.CBORError as exc:
        raise malformed(what, str(exc)) from None
    try:
        again = cbor2.dumps(value, canonical=True)
    except Exception as exc:  # not expected: every decoded type has one canonical encoding
        raise malformed(what, "not CBOR") from exc
    if again != data:
        raise malformed(what, "not canonical CBOR")
    return value


MAX_ITEMS = cbor_strict.DEFAULT_MAX_ITEMS  # data items in one structure: bounds decoding work
_ITEM_LIMIT: contextvars.ContextVar[int] = contextvars.ContextVar("item_limit", default=MAX_ITEMS)


@contextlib.contextmanager
def item_limit(max_items: int) -> Iterator[None]:
    """``with item_limit(n):`` every ``decode`` in the block (nested structures included) accepts
    at most ``n`` items per structure: the relay decodes what unauthenticated senders post
    (a genesis commit, a join request) under a limit that fits the structure, not the default."""
    token = _ITEM_LIMIT.set(min(max_items, _ITEM_LIMIT.get()))
    try:
        yield
    finally:
        _ITEM_LIMIT.reset(token)


def malformed(what: str, detail: str) -> ProtocolError:
    """The rejection of a structure that is not well formed (``detail`` is technical)."""
    return ProtocolError(
        # Translators: {what} names a protocol structure, e.g. "package header", and {detail}
        # is a technical reason; both stay in English (they are for a support engineer).
        _("Rejected a malformed {what}: {detail}.").format(what=what, detail=detail)
    )


def as_map(value: Any, keys: set[str], what: str) -> Mapping[str, Any]:
    """A CBOR map with exactly ``keys`` (no missing and no extra fields)."""
    if not isinstance(value, dict) or set(value) != keys:
        raise malformed(what, "unexpected fields")
    return value


def get_bytes(
    value: Mapping[str, Any],
    key: str,
    what: str,
    *,
    size: int | None = None,
    max_size: int = MAX_ENVELOPE_BYTES,
) -> bytes:
    item = value[key]
    if not isinstance(item, bytes):
        raise malformed(what, f"{key} is not bytes")
    if size is not None and len(item) != size:
        raise malformed(what, f"{key} has the wrong length")
    if len(item) > max_size:
        raise malformed(what, f"{key} is too long")
    return item


def get_int(
    value: Mapping[str, Any], key: str, what: str, *, minimum: int = 0, maximum: int = MAX_INT
) -> int:
    item = value[key]
    if not isinstance(item, int) or isinstance(item, bool) or not minimum <= item <= maximum:
        raise malformed(what, f"{key} is not a valid integer")
    return item


def get_text(
    value: Mapping[str, Any],
    key: str,
    what: str,
    *,
    max_len: int = MAX_TEXT,
    allow_empty: bool = False,
) -> str:
    item = value[key]
    if not isinstance(item, str) or len(item) > max_len or (not allow_empty and not item):
        raise malformed(what, f"{key} is not valid text")
    if CONTROL_CHARACTERS.search(item):
        raise malformed(what, f"{key} holds control characters")
    return item


def get_list(value: Mapping[str, Any], key: str, what: str, *, max_len: int = 100_000) -> list[Any]:
    item = value[key]
    if not isinstance(item, list) or len(item) > max_len:
        raise malformed(what, f"{key} is not a valid list")
    return item


def u64(number: int) -> bytes:
    """Eight big-endian bytes, for binding integers into key derivation and signatures."""
    if not 0 <= number <= MAX_INT:
        raise ProtocolError(_("Integer out of range."))
    return number.to_bytes(8, "big")
