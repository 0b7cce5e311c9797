"""The body of a content package: a batch of changes (records, revisions, messages, library
items, direct messages) in canonical CBOR.

``encode_body`` writes, ``decode_body`` reads outside input strictly (exact keys, types,
lengths) and raises only ProtocolError. Field values travel as one JSON text per record change
(``"f"``), so any JSON value a template allows round-trips exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.errors import ProtocolError
from sync.protocol.wire import as_map, decode, encode, get_bytes, get_int, get_list, get_text

BODY_VERSION = 1
PACKAGE_KIND = "changes"
MAX_ITEMS = 10_000
MAX_FIELDS_JSON = 4 * 1024 * 1024
MAX_BODY_TEXT = 1_000_000
_ID = re.compile(r"[0-9a-f]{32}\Z")
_HLC = re.compile(r"\d{13}\.\d{4}\.[0-9a-f]{32}\Z")
STATUSES = ("draft", "submitted", "validated", "returned")


@dataclass(frozen=True)
class RecordItem:
    """A new record (its first revision: every field)."""

    record_id: str
    template_id: str
    template_version: int
    fields: dict[str, Any]
    status: str
    revision_id: str
    hlc: str


@dataclass(frozen=True)
class RevisionItem:
    """A change to a record: some fields and/or its status; ``base`` holds the clock of each
    changed field as the editor saw it (to tell concurrent edits from later ones)."""

    record_id: str
    revision_id: str
    changes: dict[str, Any]
    status: str | None
    comment: str | None
    hlc: str
    base: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MessageItem:
    message_id: str
    subject: str
    body: str
    alert: bool
    hlc: str


@dataclass(frozen=True)
class DirectItem:
    """A direct message envelope sealed to one member (sync.crypto.direct)."""

    envelope: bytes


@dataclass(frozen=True)
class LibraryEntry:
    item_id: str
    title: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    record_id: str | None
    blob_id: str
    descriptor: bytes  # protocol §7 descriptor (canonical CBOR): key, hashes, sizes
    hlc: str


Item = RecordItem | RevisionItem | MessageItem | DirectItem | LibraryEntry


@dataclass(frozen=True)
class Descriptor:
    """How to fetch and decrypt an attachment (docs/protocol.md §7)."""

    key: bytes
    hash: bytes
    csize: int
    size: int
    chunk: int
    name: str
    type: str

    def __repr__(self) -> str:  # the key is a secret
        return f"Descriptor(size={self.size}, hash={self.hash.hex()})"

    def encode(self) -> bytes:
        return encode(
            {
                "v": 1,
                "key": self.key,
                "hash": self.hash,
                "csize": self.csize,
                "size": self.size,
                "chunk": self.chunk,
                "name": self.name,
                "type": self.type,
            }
        )

    @classmethod
    def decode(cls, data: bytes) -> Descriptor:
        what = "attachment descriptor"
        value = as_map(
            decode(data, what, 8192),
            {"v", "key", "hash", "csize", "size", "chunk", "name", "type"},
            what,
        )
        if get_int(value, "v", what) != 1:
            raise ProtocolError("unsupported attachment descriptor version")
        return cls(
            get_bytes(value, "key", what, size=32),
            get_bytes(value, "hash", what, size=32),
            get_int(value, "csize", what),
            get_int(value, "size", what),
            get_int(value, "chunk", what, minimum=1),
            get_text(value, "name", what, allow_empty=True),
            get_text(value, "type", what, max_len=200),
        )


# -- writing ---------------------------------------------------------------------------------


def _fields_json(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _item_to_wire(item: Item) -> dict[str, Any]:
    if isinstance(item, RecordItem):
        return {
            "t": "record",
            "id": item.record_id,
            "tpl": item.template_id,
            "tv": item.template_version,
            "f": _fields_json(item.fields),
            "st": item.status,
            "rev": item.revision_id,
            "hlc": item.hlc,
        }
    if isinstance(item, RevisionItem):
        return {
            "t": "revision",
            "id": item.record_id,
            "rev": item.revision_id,
            "f": _fields_json(item.changes),
            "st": item.status,
            "c": item.comment,
            "hlc": item.hlc,
            "base": dict(item.base),
        }
    if isinstance(item, MessageItem):
        return {
            "t": "message",
            "id": item.message_id,
            "subject": item.subject,
            "body": item.body,
            "alert": item.alert,
            "hlc": item.hlc,
        }
    if isinstance(item, DirectItem):
        return {"t": "direct", "env": item.envelope}
    return {
        "t": "library",
        "id": item.item_id,
        "title": item.title,
        "name": item.file_name,
        "type": item.media_type,
        "size": item.size,
        "sha256": item.sha256,
        "record": item.record_id,
        "blob": item.blob_id,
        "desc": item.descriptor,
        "hlc": item.hlc,
    }


def encode_body(items: list[Item]) -> bytes:
    """The package body for ``items`` (canonical CBOR)."""
    return encode({"v": BODY_VERSION, "items": [_item_to_wire(i) for i in items]})


def encode_direct(message: MessageItem) -> bytes:
    """The plaintext sealed inside a direct message envelope."""
    return encode(_item_to_wire(message))


# -- reading ---------------------------------------------------------------------------------


def _id(value: Mapping[str, Any], key: str, what: str) -> str:
    text = value[key]
    if not isinstance(text, str) or not _ID.match(text):
        raise ProtocolError(f"malformed {what}: {key} is not an identifier")
    return text


def _hlc(value: Mapping[str, Any], what: str) -> str:
    text = value["hlc"]
    if not isinstance(text, str) or not _HLC.match(text):
        raise ProtocolError(f"malformed {what}: bad clock value")
    return text


def _optional_text(value: Mapping[str, Any], key: str, what: str, max_len: int) -> str | None:
    if value[key] is None:
        return None
    return _free_text(value, key, what, max_len)


def _free_text(value: Mapping[str, Any], key: str, what: str, max_len: int) -> str:
    """Message bodies may hold newlines and tabs, but no other control characters."""
    text = value[key]
    if not isinstance(text, str) or len(text) > max_len:
        raise ProtocolError(f"malformed {what}: {key} is not valid text")
    if any((ord(ch) < 0x20 and ch not in "\n\t\r") or 0x7F <= ord(ch) < 0xA0 for ch in text):
        raise ProtocolError(f"malformed {what}: {key} holds control characters")
    return text


def _fields(value: Mapping[str, Any], what: str) -> dict[str, Any]:
    text = value["f"]
    if not isinstance(text, str) or len(text) > MAX_FIELDS_JSON:
        raise ProtocolError(f"malformed {what}: fields are not text")
    try:
        fields = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"malformed {what}: fields are not JSON") from exc
    if not isinstance(fields, dict) or any(
        not isinstance(k, str) or not k or k.startswith("@") or len(k) > 200 for k in fields
    ):
        raise ProtocolError(f"malformed {what}: fields are not a JSON object")
    return fields


def _status(value: Any, what: str, *, optional: bool) -> str | None:
    if value is None and optional:
        return None
    if value not in STATUSES:
        raise ProtocolError(f"malformed {what}: unknown status")
    return str(value)


def _decode_item(raw: Any) -> Item:
    if not isinstance(raw, dict) or not isinstance(raw.get("t"), str):
        raise ProtocolError("malformed change: not a map with a type")
    kind = raw["t"]
    what = f"{kind} change"
    if kind == "record":
        v = as_map(raw, {"t", "id", "tpl", "tv", "f", "st", "rev", "hlc"}, what)
        return RecordItem(
            _id(v, "id", what),
            get_text(v, "tpl", what, max_len=100),
            get_int(v, "tv", what, maximum=2**31),
            _fields(v, what),
            str(_status(v["st"], what, optional=False)),
            _id(v, "rev", what),
            _hlc(v, what),
        )
    if kind == "revision":
        v = as_map(raw, {"t", "id", "rev", "f", "st", "c", "hlc", "base"}, what)
        base = v["base"]
        if not isinstance(base, dict) or len(base) > 10_000:
            raise ProtocolError(f"malformed {what}: base is not a map")
        for key, clock in base.items():
            if not isinstance(key, str) or not isinstance(clock, str) or len(clock) > 100:
                raise ProtocolError(f"malformed {what}: base is not a map of clocks")
        return RevisionItem(
            _id(v, "id", what),
            _id(v, "rev", what),
            _fields(v, what),
            _status(v["st"], what, optional=True),
            _optional_text(v, "c", what, 10_000),
            _hlc(v, what),
            dict(base),
        )
    if kind == "message":
        v = as_map(raw, {"t", "id", "subject", "body", "alert", "hlc"}, what)
        if not isinstance(v["alert"], bool):
            raise ProtocolError(f"malformed {what}: alert is not a boolean")
        return MessageItem(
            _id(v, "id", what),
            get_text(v, "subject", what, max_len=1000, allow_empty=True),
            _free_text(v, "body", what, MAX_BODY_TEXT),
            bool(v["alert"]),
            _hlc(v, what),
        )
    if kind == "direct":
        v = as_map(raw, {"t", "env"}, what)
        return DirectItem(get_bytes(v, "env", what, max_size=MAX_BODY_TEXT * 4 + 8192))
    if kind == "library":
        keys = {"t", "id", "title", "name", "type", "size", "sha256", "record", "blob", "desc"}
        v = as_map(raw, keys | {"hlc"}, what)
        sha = get_text(v, "sha256", what, max_len=64)
        if not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise ProtocolError(f"malformed {what}: sha256 is not a hash")
        record = None if v["record"] is None else _id(v, "record", what)
        blob = get_text(v, "blob", what, max_len=64)
        if not re.fullmatch(r"[0-9a-f]{1,64}", blob):
            raise ProtocolError(f"malformed {what}: blob is not an identifier")
        return LibraryEntry(
            _id(v, "id", what),
            get_text(v, "title", what, max_len=1000),
            get_text(v, "name", what, max_len=1000, allow_empty=True),
            get_text(v, "type", what, max_len=200),
            get_int(v, "size", what),
            sha,
            record,
            blob,
            get_bytes(v, "desc", what, max_size=8192),
            _hlc(v, what),
        )
    raise ProtocolError("malformed change: unknown type")


def decode_body(data: bytes) -> list[Item]:
    """The changes of a package body; ProtocolError on anything malformed."""
    value = as_map(decode(data, "package body"), {"v", "items"}, "package body")
    if get_int(value, "v", "package body") != BODY_VERSION:
        raise ProtocolError("unsupported package body version")
    items = get_list(value, "items", "package body", max_len=MAX_ITEMS)
    if not items:
        raise ProtocolError("malformed package body: no changes")
    return [_decode_item(raw) for raw in items]


def decode_direct(data: bytes) -> MessageItem:
    item = _decode_item(decode(data, "direct message"))
    if not isinstance(item, MessageItem):
        raise ProtocolError("malformed direct message")
    return item


def header_clock(hlc: str) -> int:
    """The package header's integer clock for a text HLC value (ms * 10^4 + counter)."""
    physical, counter = hlc.split(".")[:2]
    return int(physical) * 10_000 + int(counter)
