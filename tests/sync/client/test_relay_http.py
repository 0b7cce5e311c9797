"""sync.client.relay_http: how the relay client reads answers, against a scripted loopback server.

End-to-end hostile relays live in tests/adversarial; here each answer shape and each refusal is
checked on the client alone: well-formed answers parse, malformed ones become the one sentence
"The relay sent a damaged answer.", error statuses become their sentences, and no error text
carries a signature, a capability URL or unprintable relay text.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import cbor2
import pytest

from sync.client.relay_http import RelayClient, RelayError, RelayUnavailable
from sync.primitives.identity import Identity
from sync.protocol.auth import SIGNATURE_HEADER, body_digest, parse_auth_headers, verify_request

DAMAGED = "The relay sent a damaged answer."
OP = bytes(range(32))
OP_PATH = "/v1/operations/" + OP.hex()


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def cbor_answer(value: Any, status: int = 200) -> Answer:
    return Answer(status, cbor2.dumps(value), {"Content-Type": "application/cbor"})


def json_answer(value: Any, status: int = 200, **headers: str) -> Answer:
    return Answer(
        status, json.dumps(value).encode(), {"Content-Type": "application/json", **headers}
    )


class Relay:
    """A loopback HTTP server that answers each (method, path) as the test scripts it."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], Callable[[Seen], Answer]] = {}
        self.seen: list[Seen] = []
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    self.command,
                    parts.path,
                    parts.query,
                    dict(self.headers.items()),
                    self.rfile.read(length),
                )
                relay.seen.append(seen)
                script = relay.answers.get((self.command, parts.path))
                answer = script(seen) if script else Answer(404, b"")
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)

            do_GET = do_POST = do_PATCH = do_HEAD = do_DELETE = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def on(self, method: str, path: str, answer: Answer | Callable[[Seen], Answer]) -> None:
        self.answers[(method, path)] = answer if callable(answer) else (lambda _s: answer)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def identity() -> Identity:
    return Identity.generate()


@pytest.fixture
def relay() -> Iterator[Relay]:
    server = Relay()
    yield server
    server.close()


@pytest.fixture
def client(relay: Relay, identity: Identity) -> RelayClient:
    return RelayClient(relay.url, identity, timeout=5)


# --- requests ---------------------------------------------------------------------------------


def test_the_signature_covers_the_path_under_the_base_url_the_query_and_the_body(
    relay: Relay, identity: Identity
) -> None:
    client = RelayClient(relay.url + "/relay/", identity, timeout=5)
    relay.on("POST", "/relay" + OP_PATH + "/commits", json_answer({"epoch": 2}))
    assert client.post_commit(OP, b"commit bytes") == {"epoch": 2}
    seen = relay.seen[-1]
    auth = parse_auth_headers(seen.headers)
    assert auth.device_id == identity.public.device_id
    # raises if any of path (with the base URL's /relay prefix), query or body differ
    verify_request(identity.public, auth, "POST", seen.path, seen.query, body_digest(seen.body))
    assert seen.body == b"commit bytes"


def test_a_signed_call_without_an_identity_is_one_sentence_and_sends_nothing(
    relay: Relay,
) -> None:
    client = RelayClient(relay.url, None, timeout=5)
    with pytest.raises(RelayError) as refused:
        client.operation_state(OP)
    assert refused.value.code == "no_identity"
    assert str(refused.value) == "This relay request needs a device identity."
    assert relay.seen == []


def test_an_unreachable_relay_is_relay_unavailable_naming_only_the_base_url(
    identity: Identity,
) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = RelayClient(f"http://127.0.0.1:{port}", identity, timeout=2)
    secret_upload = f"http://127.0.0.1:{port}/v1/uploads/capability-token-123"
    with pytest.raises(RelayUnavailable) as down:
        client.upload_offset(secret_upload)
    assert str(down.value) == f"The relay at http://127.0.0.1:{port} cannot be reached."
    assert "capability-token-123" not in str(down.value)


# --- well-formed answers ----------------------------------------------------------------------


def test_fetch_packages_reads_a_page_and_sends_the_paging_parameters(
    relay: Relay, client: RelayClient
) -> None:
    relay.on(
        "GET",
        OP_PATH + "/packages",
        cbor_answer({"packages": [[4, b"one"], [7, b"two"]], "cursor": 9}),
    )
    page = client.fetch_packages(OP, after=3, limit=50, wait=0)
    assert page.packages == [(4, b"one"), (7, b"two")]
    assert page.cursor == 9
    assert parse_qs(relay.seen[-1].query) == {"after": ["3"], "limit": ["50"], "wait": ["0"]}


def test_post_packages_reads_one_result_per_package(relay: Relay, client: RelayClient) -> None:
    results = [
        {"package_id": "aa", "cursor": 1, "duplicate": False},
        {"package_id": "bb", "cursor": 2, "duplicate": True},
    ]
    relay.on("POST", OP_PATH + "/packages", json_answer({"results": results}))
    found = client.post_packages(OP, [b"p1", b"p2"])
    assert [(r.package_id, r.cursor, r.duplicate) for r in found] == [
        ("aa", 1, False),
        ("bb", 2, True),
    ]
    assert cbor2.loads(relay.seen[-1].body) == [b"p1", b"p2"]


def test_join_requests_and_commits_parse(relay: Relay, client: RelayClient) -> None:
    relay.on(
        "GET",
        OP_PATH + "/join-requests",
        cbor_answer({"requests": [{"id": "r1", "request": b"raw", "received_at": 1700}]}),
    )
    relay.on("GET", OP_PATH + "/commits", cbor_answer({"commits": [b"c1", b"c2"]}))
    (record,) = client.join_requests(OP)
    assert (record.request_id, record.raw, record.received_at) == ("r1", b"raw", 1700)
    assert client.commits(OP, after=0) == [b"c1", b"c2"]


def test_closing_commit_is_none_when_the_relay_keeps_none(
    relay: Relay, client: RelayClient
) -> None:
    assert client.closing_commit(OP) is None  # 404
    relay.on("GET", OP_PATH + "/closing", json_answer({"error": "gone"}, status=410))
    assert client.closing_commit(OP) is None
    relay.on("GET", OP_PATH + "/closing", cbor_answer({"commit": b"closing"}))
    assert client.closing_commit(OP) == b"closing"
    relay.on("GET", OP_PATH + "/closing", json_answer({"error": "boom"}, status=500))
    with pytest.raises(RelayError) as refused:
        client.closing_commit(OP)
    assert refused.value.status == 500


def test_events_yield_packages_until_the_stream_closes(relay: Relay, client: RelayClient) -> None:
    stream = (
        b": keep-alive\n\n"
        b"id: 5\nevent: package\ndata: aGVsbG8\n\n"  # b"hello", unpadded base64url
        b"id: 6\nevent: other\ndata: eA\n\n"  # not a package: skipped
        b"id: 8\nevent: package\ndata: d29ybGQ=\n\n"
        b"event: closed\n\n"
        b"id: 9\nevent: package\ndata: bGF0ZQ\n\n"  # after "closed": never read
    )
    relay.on("GET", OP_PATH + "/events", Answer(200, stream, {"Content-Type": "text/event-stream"}))
    assert list(client.events(OP, after=4)) == [(5, b"hello"), (8, b"world")]


def test_upload_blob_sends_chunks_at_the_offsets_the_relay_confirms(
    relay: Relay, client: RelayClient
) -> None:
    received = bytearray()

    def patch(seen: Seen) -> Answer:
        assert int(seen.headers["Upload-Offset"]) == len(received)
        received.extend(seen.body)
        return Answer(204, b"", {"Upload-Offset": str(len(received))})

    relay.on(
        "POST",
        OP_PATH + "/blobs",
        Answer(201, b"", {"Location": relay.url + "/v1/uploads/u1", "Cordon-Blob-Id": "blob-1"}),
    )
    relay.on("PATCH", "/v1/uploads/u1", patch)
    data = bytes(range(256)) * 10
    assert client.upload_blob(OP, data, chunk_size=1000) == "blob-1"
    assert bytes(received) == data
    patches = [s for s in relay.seen if s.method == "PATCH"]
    assert len(patches) == 3
    assert all(SIGNATURE_HEADER not in s.headers for s in patches)  # the URL is the key


# --- malformed answers ------------------------------------------------------------------------


def test_an_upload_that_does_not_move_forward_is_a_damaged_answer(
    relay: Relay, client: RelayClient
) -> None:
    relay.on(
        "HEAD", "/v1/uploads/u1", Answer(200, b"", {"Upload-Offset": "0", "Cordon-Blob-Id": "b"})
    )
    relay.on("PATCH", "/v1/uploads/u1", Answer(204, b"", {"Upload-Offset": "0"}))
    with pytest.raises(RelayError) as refused:
        client.upload_blob(OP, b"x" * 10, upload_url=relay.url + "/v1/uploads/u1")
    assert str(refused.value) == DAMAGED
    assert refused.value.code == "bad_answer"
    assert len([s for s in relay.seen if s.method == "PATCH"]) == 1  # no loop


@pytest.mark.parametrize(
    "answer",
    [
        json_answer({"results": [{"package_id": "aa", "cursor": 1, "duplicate": False}]}),
        json_answer({"results": [{"package_id": "aa", "cursor": 1, "duplicate": 0}] * 2}),
        json_answer({"results": [{"package_id": "aa", "cursor": -1, "duplicate": False}] * 2}),
        json_answer({"results": [{"package_id": "a" * 201, "cursor": 1, "duplicate": True}] * 2}),
        json_answer({"results": "two"}),
        json_answer([1, 2]),
        Answer(200, b"<html>not json</html>", {"Content-Type": "text/html"}),
    ],
    ids=["one short", "duplicate not bool", "negative cursor", "long id", "not a list",
         "a list", "not json"],
)  # fmt: skip
def test_malformed_post_results_are_one_sentence(
    relay: Relay, client: RelayClient, answer: Answer
) -> None:
    relay.on("POST", OP_PATH + "/packages", answer)
    with pytest.raises(RelayError) as refused:
        client.post_packages(OP, [b"p1", b"p2"])
    assert str(refused.value) == DAMAGED


@pytest.mark.parametrize(
    "answer",
    [
        cbor_answer({"requests": [{"id": "r1", "request": "text", "received_at": 1}]}),
        cbor_answer({"requests": [{"id": 5, "request": b"raw", "received_at": 1}]}),
        cbor_answer({"requests": [{"id": "r1", "request": b"raw", "received_at": True}]}),
        cbor_answer({"requests": [{"id": "r1", "request": b"raw"}]}),
        cbor_answer({"requests": [{"id": "r1", "request": b"raw", "received_at": 2**64}]}),
        Answer(200, b"\x9f" * 5000, {"Content-Type": "application/cbor"}),
    ],
    ids=["request text", "id number", "time bool", "no time", "time too big", "deep nesting"],
)
def test_malformed_join_requests_are_one_sentence(
    relay: Relay, client: RelayClient, answer: Answer
) -> None:
    relay.on("GET", OP_PATH + "/join-requests", answer)
    with pytest.raises(RelayError) as refused:
        client.join_requests(OP)
    assert str(refused.value) == DAMAGED


def test_a_json_answer_that_is_not_a_map_is_one_sentence(relay: Relay, client: RelayClient) -> None:
    relay.on("GET", OP_PATH, json_answer(["epoch", 1]))
    with pytest.raises(RelayError) as refused:
        client.operation_state(OP)
    assert str(refused.value) == DAMAGED


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "document", "sentence"),
    [
        (410, {"error": "closed"}, "This operation has been closed on the relay."),
        (401, {"error": "bad_signature", "message": "signature invalid"},
         "The relay refused this device: signature invalid"),
        (403, {"error": "not_member"}, "The relay refused this device: 403"),
        (429, {"error": "rate_limited", "message": "slow"},
         "The relay asks this device to slow down."),
        (413, {"error": "too_large", "message": "over 64 MiB"},
         "The relay refused the data as too large: over 64 MiB"),
        (500, {"error": "internal"}, "The relay refused the request (500): internal"),
        (400, {"error": "bad", "message": "the cursor is not a number"},
         "The relay refused the request (400): the cursor is not a number"),
    ],
)  # fmt: skip
def test_each_refusal_is_its_sentence_with_status_and_code(
    relay: Relay, client: RelayClient, status: int, document: dict[str, str], sentence: str
) -> None:
    relay.on("GET", OP_PATH, json_answer(document, status=status))
    with pytest.raises(RelayError) as refused:
        client.operation_state(OP)
    assert str(refused.value) == sentence
    assert refused.value.status == status
    assert refused.value.code == document["error"]


def test_a_refusal_without_json_keeps_the_status_and_a_generic_code(
    relay: Relay, client: RelayClient
) -> None:
    relay.on(
        "GET", OP_PATH, Answer(502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"})
    )
    with pytest.raises(RelayError) as refused:
        client.operation_state(OP)
    assert str(refused.value) == "The relay refused the request (502): http_error"
    assert "html" not in str(refused.value)


def test_retry_after_is_read_only_when_it_is_whole_seconds(
    relay: Relay, client: RelayClient
) -> None:
    relay.on(
        "GET", OP_PATH, json_answer({"error": "rate_limited"}, status=429, **{"Retry-After": "7"})
    )
    with pytest.raises(RelayError) as refused:
        client.operation_state(OP)
    assert refused.value.retry_after == 7.0
    relay.on(
        "GET",
        OP_PATH,
        json_answer(
            {"error": "rate_limited"}, 429, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
        ),
    )
    with pytest.raises(RelayError) as refused:
        client.operation_state(OP)
    assert refused.value.retry_after is None


def test_the_relays_words_are_one_short_printable_line_and_the_code_is_bounded(
    relay: Relay, client: RelayClient
) -> None:
    hostile = "line one\n\x1b[31mred\x1b[0m\r" + "x" * 500
    relay.on("GET", OP_PATH, json_answer({"error": "e" * 500, "message": hostile}, status=400))
    with pytest.raises(RelayError) as refused:
        client.operation_state(OP)
    text = str(refused.value)
    assert text.isprintable()
    assert "\x1b" not in text and "\n" not in text
    detail = text.split(": ", 1)[1]
    assert len(detail) == 200
    assert detail.startswith("line one[31mred[0m")
    assert refused.value.code == "e" * 64


def test_no_refusal_repeats_the_signature_headers(relay: Relay, client: RelayClient) -> None:
    relay.on("GET", OP_PATH, lambda seen: json_answer({"error": "x", "message": "ok"}, 403))
    with pytest.raises(RelayError) as refused:
        client.operation_state(OP)
    auth = parse_auth_headers(relay.seen[-1].headers)
    text = str(refused.value) + repr(refused.value.args)
    assert auth.nonce not in text
    assert relay.seen[-1].headers[SIGNATURE_HEADER] not in text
