"""Issue 20 item 1: one strict, bounded CBOR decoder for the relay, the client and sync files.

Hostile bodies of 8 MiB (forbidden tags such as 30 rationals over bignums, floats, deep nesting,
lengths the input cannot hold, floods of tiny items, non-canonical forms) are refused within
50 ms by each decoding path that takes network input before authentication; and everything the
encoder writes decodes back to the same value.
"""

from __future__ import annotations

import time
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.errors import ProtocolError
from sync.primitives import cbor_strict
from sync.protocol import decode_commit, decode_join_request, wire
from sync.relay.config import RelaySettings
from sync.relay.guard import Refused
from sync.relay.routes_ops import GENESIS_MAX_ITEMS, JOIN_MAX_ITEMS
from sync.relay.routes_packages import _decode_batch

SIZE = 8 * 1024 * 1024
BUDGET = 0.050  # seconds


def _encode_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * width):
            return bytes([major << 5 | info]) + arg.to_bytes(width, "big")
    raise ValueError(arg)


def _bignum(size: int) -> bytes:
    return b"\xc2" + _encode_head(2, size) + b"\xff" * size


# Each builds an 8 MiB body from a filler byte chosen by hypothesis.
HOSTILE = {
    "tag 30 rational of bignums": lambda f: (
        b"\xd8\x1e\x82" + _bignum(SIZE // 2 - 16) + _bignum(SIZE // 2 - 16)
    ),
    "tag 4 decimal fraction": lambda f: b"\xc4\x82\x1b" + b"\x7f" * 8 + _bignum(SIZE - 32),
    "tag inside an array": lambda f: b"\x82\x01\xd8\x1e" + bytes([f]) * (SIZE - 4),
    "bignum": lambda f: _bignum(SIZE - 16),
    "float64": lambda f: b"\x81\xfb" + bytes([f]) * 8 + bytes([f]) * (SIZE - 10),
    "half float in a map": lambda f: b"\xa1\x61a\xf9" + bytes([f]) * (SIZE - 4),
    "undefined": lambda f: b"\x82\xf7" + bytes([f]) * (SIZE - 2),
    "deep arrays": lambda f: b"\x81" * SIZE,
    "deep maps": lambda f: b"\xa1\x61a" * (SIZE // 3),
    "array longer than the input": lambda f: b"\x9b" + (2**63).to_bytes(8, "big") + b"\x00" * SIZE,
    "bytes longer than the input": lambda f: b"\x5b" + (2**62).to_bytes(8, "big") + b"\x00" * SIZE,
    "flood of tiny ints": lambda f: _encode_head(4, SIZE - 5) + bytes([f % 24]) * (SIZE - 5),
    "flood of empty maps": lambda f: _encode_head(4, SIZE - 5) + b"\xa0" * (SIZE - 5),
    "flood of empty strings": lambda f: _encode_head(4, SIZE - 5) + b"\x40" * (SIZE - 5),
    "indefinite array": lambda f: b"\x9f" + bytes([f % 24]) * (SIZE - 1),
    "non-canonical length": lambda f: b"\x98\x01" + bytes([f % 24]) * (SIZE - 2),
    "repeated map key": lambda f: b"\xa2\x61a\x01\x61a" + bytes([f % 24]) * (SIZE - 6),
    "invalid UTF-8": lambda f: (
        _encode_head(3, SIZE - 5) + b"\xc3\x28" * ((SIZE - 5) // 2) + b"\x00"
    ),
    "trailing bytes": lambda f: b"\x01" + bytes([f]) * (SIZE - 1),
}

RELAY = RelaySettings()


class _Relay:
    settings = RELAY


def _batch(body: bytes) -> None:
    try:
        _decode_batch(_Relay(), body)  # type: ignore[arg-type]
    except Refused as exc:
        assert exc.status in (400, 413)
        raise ValueError from exc


def _genesis(body: bytes) -> None:
    with wire.item_limit(GENESIS_MAX_ITEMS):
        decode_commit(body)


def _join(body: bytes) -> None:
    with wire.item_limit(JOIN_MAX_ITEMS):
        decode_join_request(body)


PATHS = {"package batch": _batch, "genesis commit": _genesis, "join request": _join}


def _time_refusal(decode: Any, body: bytes) -> float:
    best = float("inf")
    for _ in range(3):  # the best of three: the machine is shared
        start = time.perf_counter()
        with pytest.raises((ValueError, ProtocolError)):
            decode(body)
        best = min(best, time.perf_counter() - start)
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(HOSTILE)),
    path=st.sampled_from(sorted(PATHS)),
    filler=st.integers(0, 255),
)
def test_hostile_8_mib_body_refused_within_50_ms(kind: str, path: str, filler: int) -> None:
    body = HOSTILE[kind](filler)
    assert len(body) >= SIZE - 64
    elapsed = _time_refusal(PATHS[path], body)
    assert elapsed < BUDGET, f"{kind} via {path}: {elapsed * 1000:.1f} ms"


@pytest.mark.parametrize("kind", sorted(k for k in HOSTILE if "flood" not in k))
def test_forbidden_shapes_refused_fast_by_every_decoder(kind: str) -> None:
    """The shared decoder with its default limits (client, sync files) refuses each hostile
    shape at once; floods of items stop at the item limit (200,000 by default)."""
    body = HOSTILE[kind](1)
    assert _time_refusal(lambda b: wire.decode(b, "test"), body) < BUDGET
    assert _time_refusal(lambda b: cbor_strict.loads(b, canonical=False), body) < BUDGET


def test_item_limit_enforced_while_decoding() -> None:
    flood = _encode_head(4, 1_000_000) + b"\x01" * 1_000_000
    with pytest.raises(cbor_strict.CBORError, match="too many items"):
        cbor_strict.loads(flood, max_items=1000)
    assert cbor_strict.loads(flood, max_items=1_000_001) == [1] * 1_000_000
    with pytest.raises(cbor_strict.CBORError, match="too deeply"):
        cbor_strict.loads(b"\x81" * 20 + b"\x01", max_depth=16)
    assert cbor_strict.loads(b"\x81" * 16 + b"\x01", max_depth=16) is not None
    with pytest.raises(cbor_strict.CBORError, match="too large"):
        cbor_strict.loads(b"\x41\x00", max_bytes=1)


# Everything the protocol's encoder can write: no floats, no tags, text keys.
scalars = (
    st.integers(-(2**64), 2**64 - 1)
    | st.binary(max_size=64)
    | st.text(max_size=32)
    | st.booleans()
    | st.none()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=40,
)


def _typed(value: Any) -> Any:
    """The value with each scalar's type beside it (True == 1 in Python, not in CBOR)."""
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    return (type(value).__name__, value)


@settings(max_examples=400, deadline=None)
@given(values)
def test_round_trips_what_the_encoder_writes(value: Any) -> None:
    encoded = wire.encode(value)
    for decoded in (cbor_strict.loads(encoded), wire.decode(encoded, "test")):
        assert _typed(decoded) == _typed(value)
    assert wire.encode(cbor_strict.loads(encoded)) == encoded
    # Transport decoding (not canonical) accepts the same and any key order.
    if isinstance(value, dict) and len(value) > 1:
        reordered = cbor2.dumps(dict(reversed(list(value.items()))))
        assert _typed(cbor_strict.loads(reordered, canonical=False)) == _typed(value)
        if reordered != encoded:
            with pytest.raises(cbor_strict.CBORError, match="canonical order"):
                cbor_strict.loads(reordered)
