"""Issue 20 items 2 and 5: limits before work, timeouts on slow senders, no secrets in logs.

Against the real relay process (SQLite), with short timeouts set through the environment.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
import requests

from sync.primitives.identity import Identity
from sync.protocol import build_join_request, invitation_id
from sync.protocol.auth import sign_request
from tests.sync.relay.conftest import INFO, Op, RelayProcess, make_operation

TIMEOUTS = {
    "CORDON_RELAY_HEADER_TIMEOUT_SECONDS": "1",
    "CORDON_RELAY_BODY_TIMEOUT_SECONDS": "1",
}


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    data = tmp_path_factory.mktemp("limits") / "data"
    process = RelayProcess(data, env=TIMEOUTS).start()
    yield process
    process.stop()


def _connect(relay: RelayProcess) -> socket.socket:
    parts = urlsplit(relay.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return sock


def _answer(sock: socket.socket) -> bytes:
    data = b""
    while True:
        try:
            piece = sock.recv(65536)
        except TimeoutError:
            break
        if not piece:
            break
        data += piece
        if b"\r\n\r\n" in data and b'"}' in data:
            break
    return data


def test_declared_oversize_body_refused_unread(relay: RelayProcess, op: Op) -> None:
    """Three 512 MiB bodies announced, none sent: each is refused at once, memory stays flat."""
    process = psutil.Process(relay.proc.pid)  # type: ignore[union-attr]
    before = process.memory_info().rss
    path = f"/v1/operations/{op.id.hex()}/invitations"
    for _ in range(3):
        sock = _connect(relay)
        start = time.monotonic()
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n"
            f"Content-Length: {512 * 1024 * 1024}\r\n\r\n".encode()
            + b"{" * 65536
        )
        answer = _answer(sock)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert time.monotonic() - start < 2
    assert process.memory_info().rss - before < 50 * 1024 * 1024


def test_streamed_oversize_body_refused_as_it_arrives(relay: RelayProcess, op: Op) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(10_000):  # up to 640 MiB, chunked, no Content-Length
            sent += 65536
            yield b" " * 65536

    path = f"/v1/operations/{op.id.hex()}/invitations"
    try:
        response = requests.post(relay.url + path, data=chunks(), timeout=20)
        assert response.status_code == 413
    except requests.ConnectionError:
        pass  # the relay answered 413 and closed while the client was still sending
    assert sent < 64 * 1024 * 1024
    # A body on a route that takes none.
    response = requests.get(relay.url + "/healthz", data=b"x" * 100, timeout=10)
    assert response.status_code == 413
    # The packages route keeps its own, larger cap; under it, authentication comes first.
    body = b"\x00" * (2 * 1024 * 1024)
    response = requests.post(relay.url + f"/v1/operations/{op.id.hex()}/packages", data=body)
    assert response.status_code == 401


def test_slow_headers_and_slow_body_time_out(relay: RelayProcess, op: Op) -> None:
    sock = _connect(relay)
    start = time.monotonic()
    sock.sendall(b"POST /v1/operations HTTP/1.1\r\nHost: relay\r\n")
    sock.settimeout(10)
    assert sock.recv(1024) == b""  # closed, without an answer
    assert time.monotonic() - start < 5
    sock.close()

    sock = _connect(relay)
    path = f"/v1/operations/{op.id.hex()}/join-requests"
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: relay\r\nContent-Length: 1000\r\n\r\n".encode())
    sock.sendall(b"\xa1" * 10)
    start = time.monotonic()
    answer = _answer(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - start < 5
    # The relay still serves.
    assert requests.get(relay.url + "/healthz", timeout=5).status_code == 200


def test_no_log_line_holds_a_token_or_a_name(
    relay: RelayProcess, people: dict[str, Identity], tmp_path: Path
) -> None:
    op = make_operation(relay, people)
    part = relay.client(op.people["part"])
    blob = os.urandom(10_000)
    upload_url, _blob_id = part.create_upload(op.id, len(blob))
    part.upload_blob(op.id, blob, upload_url=upload_url)
    upload_token = urlsplit(upload_url).path.rsplit("/", 1)[-1]
    invite = b"one-time-token-" + os.urandom(8)
    relay.client(op.people["coord"]).register_invitation(op.id, invitation_id(invite))
    joiner = build_join_request(
        Identity.generate(),
        operation_id=op.id,
        token=invite,
        name="Li Wei",
        agency="GACC",
        country="CN",
    )
    relay.client(None).post_join_request(op.id, joiner)
    path = f"/v1/operations/{op.id.hex()}/packages"
    headers = sign_request(op.people["part"], "GET", path, "", b"")
    assert requests.get(relay.url + path, headers=headers, timeout=10).status_code == 200
    time.sleep(0.3)
    log = relay.log_path.read_text()
    assert '"path": "/v1/operations/*/uploads/*"' in log  # the upload requests were logged
    secrets = {
        "upload token": upload_token,
        "invite token": invite.hex(),
        "invitation id": invitation_id(invite).hex(),
        "signature header": headers["Cordon-Signature"][:40],
        "operation id": op.id.hex(),
        "operation name": INFO.name,
    }
    for name in ("Ana Souza", "Jan de Vries", "Eva Lind", "Olga Berg", "Li Wei"):
        secrets[name] = name
    found = {what for what, text in secrets.items() if text in log}
    assert found == set(), found


def test_hostile_cbor_before_authentication_does_not_stall_the_relay(relay: RelayProcess) -> None:
    """Issue 20 item 1 end to end: CBOR the protocol forbids, posted without authentication,
    is refused at once, and the relay keeps answering others meanwhile."""
    rational = b"\xd8\x1e\x82\xc2\x5a" + (100_000).to_bytes(4, "big") + b"\xff" * 100_000
    rational += b"\xc2\x5a" + (100_000).to_bytes(4, "big") + b"\xfd" * 100_000
    flood = b"\x9a" + (250_000).to_bytes(4, "big") + b"\xa0" * 250_000
    bodies = {
        "tag 30 rational": rational,
        "flood of maps": flood,
        "8 MiB": b"\xd8\x1e" + b"\x00" * (8 * 1024 * 1024),
    }
    for what, body in bodies.items():
        start = time.monotonic()
        answer = requests.post(relay.url + "/v1/operations", data=body, timeout=30)
        elapsed = time.monotonic() - start
        assert answer.status_code in (400, 413), (what, answer.text)
        assert elapsed < 2, (what, elapsed)
        start = time.monotonic()
        assert requests.get(relay.url + "/healthz", timeout=5).status_code == 200
        assert time.monotonic() - start < 1
    join = "/v1/operations/" + "ab" * 16 + "/join-requests"
    small_flood = b"\x9a" + (60_000).to_bytes(4, "big") + b"\xa0" * 60_000
    answer = requests.post(relay.url + join, data=small_flood, timeout=30)
    assert answer.status_code == 400, answer.text
