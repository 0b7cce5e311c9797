"""Hostile input to every parser: only ProtocolError may come out."""

from __future__ import annotations

import contextlib

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.crypto.attachments import AttachmentDescriptor
from sync.crypto.epochs import OperationKeys
from sync.crypto.packages import MemorySeen, open_package
from sync.errors import ProtocolError
from sync.primitives.identity import PublicIdentity
from sync.protocol import decode_commit, decode_join_request, parse_package
from sync.protocol.direct import DirectHeader, parse_direct
from sync.protocol.package import PackageHeader

from .conftest import Operation

PARSERS = [
    decode_commit,
    decode_join_request,
    parse_package,
    PackageHeader.decode,
    parse_direct,
    DirectHeader.decode,
    AttachmentDescriptor.decode,
    PublicIdentity.decode,
]

cbor_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.binary(max_size=40)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=8)
    ),
    max_leaves=20,
)


def _only_protocol_error(parser: object, data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        parser(data)  # type: ignore[operator]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    for parser in PARSERS:
        _only_protocol_error(parser, data)


@settings(max_examples=300, deadline=None)
@given(value=cbor_values)
def test_random_cbor(value: object) -> None:
    data = cbor2.dumps(value, canonical=True)
    for parser in PARSERS:
        _only_protocol_error(parser, data)


envelope = st.fixed_dictionaries(
    {
        "h": st.binary(max_size=64) | cbor_values.map(lambda v: cbor2.dumps(v, canonical=True)),
        "c": st.binary(max_size=64),
        "s": st.binary(min_size=64, max_size=64),
    }
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=envelope)
def test_structured_packages(operation: Operation, value: dict[str, bytes]) -> None:
    keys = OperationKeys.from_chain(
        operation.coordinator, [operation.genesis.raw, operation.commit1.raw]
    )
    with contextlib.suppress(ProtocolError):
        open_package(cbor2.dumps(value, canonical=True), keys, MemorySeen())


@pytest.mark.parametrize("parser", PARSERS)
def test_deep_nesting_and_huge_lengths(parser: object) -> None:
    for data in (
        b"\x81" * 100_000 + b"\x00",
        b"\x5b\xff\xff\xff\xff\xff\xff\xff\xff",
        b"\xbf" * 5000,
        b"\xd8\x1e\x82\x01\x00",
        b"\xf9\x7e\x00",
        b"\x9a\x03\x00\x00\x00" + b"\x00" * (48 << 20),  # 48 Mi items: refused unread
        b"\x9b" + b"\xff" * 8,
        b"\xa3\x61h\x40\x61c\x40\x61s\x40\x00",  # trailing byte
    ):
        _only_protocol_error(parser, data)
