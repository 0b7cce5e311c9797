"""Package bodies and package files: round trips, and hostile input raises only ProtocolError."""

from __future__ import annotations

import contextlib

import cbor2
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.client.files import parse_package_file
from sync.client.items import (
    Descriptor,
    DirectItem,
    LibraryEntry,
    MessageItem,
    RecordItem,
    RevisionItem,
    decode_body,
    encode_body,
)
from sync.errors import ProtocolError
from sync.protocol.wire import encode

HLC = "1795315454488.0003." + "ab" * 16
ID = "cd" * 16


def test_round_trip_every_kind() -> None:
    descriptor = Descriptor(b"k" * 32, b"h" * 32, 100, 60, 1 << 20, "scan.pdf", "application/pdf")
    items = [
        RecordItem(
            ID,
            "person",
            1,
            {"family_name": "Okafor", "n": 1.5, "l": [1, {"a": None}]},
            "draft",
            ID,
            HLC,
        ),
        RevisionItem(
            ID, ID, {"family_name": "Ökafor"}, "submitted", "see\nnote", HLC, {"family_name": HLC}
        ),
        RevisionItem(ID, ID, {}, None, None, HLC),
        MessageItem(ID, "Alerte", "ضبطت الجمارك\n第二行", True, HLC),
        DirectItem(b"\x00" * 40),
        LibraryEntry(
            ID,
            "Scan",
            "scan.pdf",
            "application/pdf",
            60,
            "ef" * 32,
            None,
            "0a" * 16,
            descriptor.encode(),
            HLC,
        ),
    ]
    assert decode_body(encode_body(items)) == items
    assert Descriptor.decode(descriptor.encode()) == descriptor


def test_rule_breaking_bodies_are_refused() -> None:
    good = {"t": "message", "id": ID, "subject": "s", "body": "b", "alert": False, "hlc": HLC}
    for bad in (
        {**good, "id": "XYZ"},
        {**good, "hlc": "yesterday"},
        {**good, "alert": 1},
        {**good, "extra": 1},
        {**good, "body": "bell\x07"},
        {
            "t": "record",
            "id": ID,
            "tpl": "p",
            "tv": 1,
            "f": "[1]",
            "st": "draft",
            "rev": ID,
            "hlc": HLC,
        },
        {
            "t": "record",
            "id": ID,
            "tpl": "p",
            "tv": 1,
            "f": "{}",
            "st": "deleted",
            "rev": ID,
            "hlc": HLC,
        },
        {"t": "nonsense"},
    ):
        with contextlib.suppress(ProtocolError):
            decode_body(encode({"v": 1, "items": [bad]}))
            raise AssertionError(f"accepted {bad}")
    for body in (encode({"v": 2, "items": [good]}), encode({"v": 1, "items": []}), b"\xff"):
        with contextlib.suppress(ProtocolError):
            decode_body(body)
            raise AssertionError("accepted")


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.binary(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_hostile_bytes_raise_only_protocol_error(data: bytes) -> None:
    for parse in (decode_body, parse_package_file, Descriptor.decode):
        with contextlib.suppress(ProtocolError):
            parse(data)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "t",
                "id",
                "f",
                "st",
                "hlc",
                "rev",
                "tpl",
                "tv",
                "c",
                "base",
                "env",
                "subject",
                "body",
                "alert",
            ]
        ),
        json_like,
    )
)
def test_hostile_structures_raise_only_protocol_error(item: dict[str, object]) -> None:
    try:
        data = cbor2.dumps({"v": 1, "items": [item]}, canonical=True)
    except Exception:  # noqa: BLE001 - not every generated value is encodable
        return
    with contextlib.suppress(ProtocolError):
        decode_body(data)
