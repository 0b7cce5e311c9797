"""Parsers of outside input (auth headers, ranges, tus metadata, settings), property-tested."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.errors import ProtocolError, UsageError
from sync.primitives.identity import Identity
from sync.protocol.auth import (
    body_digest,
    check_fresh,
    parse_auth_headers,
    sign_request,
    verify_request,
)
from sync.relay.config import load_settings
from sync.relay.guard import NonceCache, RateLimiter, Refused
from sync.relay.routes_blobs import _byte_range, _metadata

IDENTITY = Identity.generate()
OTHER = Identity.generate()

header_values = st.one_of(st.none(), st.text(max_size=100), st.from_regex(r"[0-9a-f]{32}"))


@settings(max_examples=300, deadline=None)
@given(key=header_values, stamp=header_values, nonce=header_values, sig=header_values)
def test_auth_header_parser_only_raises_protocol_error(
    key: str | None, stamp: str | None, nonce: str | None, sig: str | None
) -> None:
    headers = {
        name: value
        for name, value in (
            ("Cordon-Key-Id", key),
            ("Cordon-Timestamp", stamp),
            ("Cordon-Nonce", nonce),
            ("Cordon-Signature", sig),
        )
        if value is not None
    }
    try:
        auth = parse_auth_headers(headers)
    except ProtocolError:
        return
    assert len(auth.signature) == 64


@settings(max_examples=50, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PATCH", "DELETE"]),
    path=st.from_regex(r"/v1/[a-z0-9/_-]{0,40}", fullmatch=True),
    query=st.from_regex(r"([a-z]{1,5}=[0-9]{1,5}(&[a-z]{1,5}=[0-9]{1,5}){0,3})?", fullmatch=True),
    body=st.binary(max_size=200),
)
def test_signature_binds_every_field(method: str, path: str, query: str, body: bytes) -> None:
    headers = sign_request(IDENTITY, method, path, query, body)
    auth = parse_auth_headers(headers)
    check_fresh(auth)
    verify_request(IDENTITY.public, auth, method, path, query, body_digest(body))
    for changed in (
        (("PUT" if method != "PUT" else "GET"), path, query, body),
        (method, path + "x", query, body),
        (method, path, query + "&z=1", body),
        (method, path, query, body + b"!"),
    ):
        with pytest.raises(ProtocolError):
            verify_request(
                IDENTITY.public, auth, changed[0], changed[1], changed[2], body_digest(changed[3])
            )
    with pytest.raises(ProtocolError):
        verify_request(OTHER.public, auth, method, path, query, body_digest(body))


def test_clock_window_and_nonce_cache() -> None:
    auth = parse_auth_headers(sign_request(IDENTITY, "GET", "/v1/x", now=time.time() - 290))
    check_fresh(auth)
    with pytest.raises(ProtocolError):
        check_fresh(auth, time.time() + 20)
    cache = NonceCache()
    cache.local_check(auth, time.time())
    with pytest.raises(Refused):
        cache.local_check(auth, time.time())


def test_rate_limiter_refills() -> None:
    limiter = RateLimiter(rate=1.0, burst=2.0)
    limiter.check("a", now=0.0)
    limiter.check("a", now=0.0)
    with pytest.raises(Refused) as refused:
        limiter.check("a", now=0.1)
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "1"
    limiter.check("a", now=1.2)
    limiter.check("b", now=0.1)


@settings(max_examples=300, deadline=None)
@given(
    header=st.one_of(st.none(), st.text(max_size=40), st.from_regex(r"bytes=\d{0,20}-\d{0,20}")),
    length=st.integers(min_value=0, max_value=10**6),
)
def test_range_parser(header: str | None, length: int) -> None:
    try:
        span = _byte_range(header, length)
    except Refused as exc:
        assert exc.status == 416
        return
    if span is not None:
        start, end = span
        assert 0 <= start < end <= length


@settings(max_examples=300, deadline=None)
@given(header=st.one_of(st.none(), st.text(max_size=60)))
def test_tus_metadata_parser(header: str | None) -> None:
    try:
        _metadata(header)
    except Refused as exc:
        assert exc.status == 400
    assert _metadata("sha256 YWJj,flag") == {"sha256": b"abc", "flag": b""}


def test_settings_layers(tmp_path: Path) -> None:
    config = tmp_path / "relay.toml"
    config.write_text('[relay]\nport = 9000\nquota-bytes = 5000\nhost = "0.0.0.0"\n')
    settings_ = load_settings(
        str(config), environ={"CORDON_RELAY_PORT": "9100"}, overrides={"host": "127.0.0.1"}
    )
    assert (settings_.port, settings_.quota_bytes, settings_.host) == (9100, 5000, "127.0.0.1")
    flags = load_settings(None, environ={"CORDON_RELAY_VERIFY_ALL_PACKAGE_SIGNATURES": "yes"})
    assert flags.verify_all_package_signatures is True
    config.write_text("[relay]\nunknown = 1\n")
    with pytest.raises(UsageError):
        load_settings(str(config), environ={})
    with pytest.raises(UsageError):
        load_settings(None, environ={"CORDON_RELAY_PORT": "eighty"})
    with pytest.raises(UsageError):
        load_settings(str(tmp_path / "missing.toml"), environ={})
