"""The relay API end to end against real relay processes, on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import threading
import time

import cbor2
import pytest
import requests

from sync.client.relay_http import RelayError
from sync.primitives.identity import Identity
from sync.protocol import (
    build_join_request,
    close_operation,
    decode_join_request,
    invitation_id,
    remove_members,
)
from sync.protocol.auth import sign_request
from sync.protocol.package import PACKAGE_VERSION
from tests.sync.relay.conftest import Op, RelayProcess


def test_post_fetch_and_duplicates(relay: RelayProcess, op: Op) -> None:
    client = relay.client(op.people["part"])
    packages = [op.package() for _ in range(5)]
    results = client.post_packages(op.id, packages)
    assert [r.cursor for r in results] == [1, 2, 3, 4, 5]
    assert [r.package_id for r in results] == [hashlib.sha256(p).hexdigest() for p in packages]
    again = client.post_packages(op.id, packages[:2] + [op.package()])
    assert [r.duplicate for r in again] == [True, True, False]
    assert [r.cursor for r in again] == [1, 2, 6]
    fetched = client.fetch_packages(op.id, after=0)
    assert [raw for _c, raw in fetched.packages][:5] == packages
    assert fetched.cursor == 6
    assert client.fetch_packages(op.id, after=6).packages == []
    page = client.fetch_packages(op.id, after=2, limit=2)
    assert [c for c, _raw in page.packages] == [3, 4] and page.cursor == 4
    state = client.operation_state(op.id)
    assert state["cursor"] == 6 and state["epoch"] == 1


def test_long_poll_wakes_on_post(relay: RelayProcess, op: Op) -> None:
    reader = relay.client(op.people["obs"])
    writer = relay.client(op.people["part"])
    result: dict[str, object] = {}

    def poll() -> None:
        start = time.monotonic()
        result["fetch"] = reader.fetch_packages(op.id, after=0, wait=20)
        result["elapsed"] = time.monotonic() - start

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(0.5)
    package = op.package()
    writer.post_packages(op.id, [package])
    thread.join(timeout=10)
    fetch = result["fetch"]
    assert fetch.packages == [(1, package)]  # type: ignore[attr-defined]
    assert result["elapsed"] < 5  # type: ignore[operator]


def test_server_sent_events(relay: RelayProcess, op: Op) -> None:
    writer = relay.client(op.people["part"])
    first = op.package()
    writer.post_packages(op.id, [first])
    received: list[tuple[int, bytes]] = []

    def listen() -> None:
        for item in relay.client(op.people["coord"]).events(op.id, after=0):
            received.append(item)
            if len(received) == 3:
                return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    later = [op.package(), op.package()]
    time.sleep(0.3)
    writer.post_packages(op.id, later[:1])
    writer.post_packages(op.id, later[1:])
    thread.join(timeout=10)
    assert received == [(1, first), (2, later[0]), (3, later[1])]


def test_forwarding_and_roles(relay: RelayProcess, op: Op) -> None:
    observer = relay.client(op.people["obs"])
    participant = relay.client(op.people["part"])
    # An observer may forward a participant's package (store-carry-forward) ...
    forwarded = op.package("part")
    assert observer.post_packages(op.id, [forwarded])[0].cursor == 1
    # ... but not post content of its own.
    with pytest.raises(RelayError) as refused:
        observer.post_packages(op.id, [op.package("obs")])
    assert refused.value.status == 403
    # Only coordinators post commits, list join requests or close.
    with pytest.raises(RelayError) as refused:
        participant.post_commit(op.id, op.latest.raw)
    assert refused.value.status == 403
    with pytest.raises(RelayError) as refused:
        participant.join_requests(op.id)
    assert refused.value.status == 403
    with pytest.raises(RelayError) as refused:
        participant.close_operation(op.id)
    assert refused.value.status == 403


def test_authentication_refusals(relay: RelayProcess, op: Op, people: dict[str, Identity]) -> None:
    path = f"/v1/operations/{op.id.hex()}/packages"
    url = relay.url + path
    # Unsigned.
    response = requests.get(url, timeout=10)
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    # Stale: signed ten minutes ago.
    stale = sign_request(people["part"], "GET", path, "", b"", now=time.time() - 600)
    assert requests.get(url, headers=stale, timeout=10).status_code == 401
    # Replayed: the same signed request twice.
    fresh = sign_request(people["part"], "GET", path, "", b"")
    assert requests.get(url, headers=fresh, timeout=10).status_code == 200
    assert requests.get(url, headers=fresh, timeout=10).status_code == 401
    # Wrong key: the participant's key id, signed by an outsider.
    forged = sign_request(people["out"], "GET", path, "", b"")
    forged["Cordon-Key-Id"] = people["part"].device_id.hex()
    assert requests.get(url, headers=forged, timeout=10).status_code == 401
    # A signature over another query is refused (the query is covered).
    moved = sign_request(people["part"], "GET", path, "after=0", b"")
    assert requests.get(url + "?after=5", headers=moved, timeout=10).status_code == 401
    # A device outside the roster.
    outsider = sign_request(people["out"], "GET", path, "", b"")
    assert requests.get(url, headers=outsider, timeout=10).status_code == 403
    # Malformed headers are a 401, never a 500.
    broken = dict(fresh, **{"Cordon-Signature": "!!", "Cordon-Nonce": "x"})
    assert requests.get(url, headers=broken, timeout=10).status_code == 401


def test_removed_member_refused_at_once(relay: RelayProcess, op: Op) -> None:
    participant = relay.client(op.people["part2"])
    participant.post_packages(op.id, [op.package("part2")])
    commit, _secret = remove_members(op.people["coord"], op.latest, [op.people["part2"].device_id])
    relay.client(op.people["coord"]).post_commit(op.id, commit.raw)
    op.commits.append(commit)
    for call in (
        lambda: participant.fetch_packages(op.id),
        lambda: participant.post_packages(op.id, [op.package("part")]),
    ):
        with pytest.raises(RelayError) as refused:
            call()
        assert refused.value.status == 403
    # Another member forwarding the removed member's package is refused too.
    with pytest.raises(RelayError) as refused:
        relay.client(op.people["part"]).post_packages(op.id, [op.package("part2")])
    assert refused.value.status == 403
    commits = relay.client(op.people["part"]).commits(op.id)
    assert commits == [c.raw for c in op.commits]


def test_invitation_and_join_request(relay: RelayProcess, op: Op) -> None:
    coordinator = relay.client(op.people["coord"])
    token = b"one-time-token-" + op.id
    coordinator.register_invitation(op.id, invitation_id(token))
    joiner = Identity.generate()
    request = build_join_request(
        joiner, operation_id=op.id, token=token, name="Li Wei", agency="GACC", country="CN"
    )
    anonymous = relay.client(None)
    request_id = anonymous.post_join_request(op.id, request)
    listed = coordinator.join_requests(op.id)
    assert [(r.request_id, r.raw) for r in listed] == [(request_id, request)]
    assert decode_join_request(listed[0].raw).public == joiner.public
    # The token is one-time.
    with pytest.raises(RelayError) as refused:
        anonymous.post_join_request(op.id, request)
    assert refused.value.status == 403
    # An unknown token is refused as well.
    other = build_join_request(
        joiner, operation_id=op.id, token=b"guess", name="Li Wei", agency="GACC", country="CN"
    )
    with pytest.raises(RelayError) as refused:
        anonymous.post_join_request(op.id, other)
    assert refused.value.status == 403
    coordinator.dismiss_join_request(op.id, request_id)
    assert coordinator.join_requests(op.id) == []


def test_limits_and_malformed_input(relay: RelayProcess, op: Op) -> None:
    client = relay.client(op.people["part"])
    with pytest.raises(RelayError) as refused:
        client.post_packages(op.id, [op.package(body=b"\0" * (1024 * 1024 + 10))])
    assert refused.value.status == 413
    path = f"/v1/operations/{op.id.hex()}/packages"
    for body in (b"", b"\xff\xfe", cbor2.dumps({"a": 1}), cbor2.dumps([b"not a package"])):
        headers = sign_request(op.people["part"], "POST", path, "", body)
        response = requests.post(relay.url + path, data=body, headers=headers, timeout=10)
        assert response.status_code == 400, response.text
        assert "error" in response.json()
    response = requests.get(relay.url + "/v1/operations/zz/packages", timeout=10)
    assert response.status_code == 400
    unknown = "/v1/operations/" + "ab" * 16 + "/packages"
    headers = sign_request(op.people["part"], "GET", unknown, "", b"")
    assert requests.get(relay.url + unknown, headers=headers, timeout=10).status_code == 404


def test_health_metrics_openapi(relay: RelayProcess) -> None:
    assert requests.get(relay.url + "/healthz", timeout=10).json()["status"] == "ok"
    metrics = requests.get(relay.url + "/metrics", timeout=10).text
    assert "cordon_relay_requests_total" in metrics
    document = requests.get(relay.url + "/openapi.json", timeout=10).json()
    assert "/v1/operations/{operation_id}/packages" in document["paths"]


def test_close_operation(relay: RelayProcess, op: Op) -> None:
    coordinator = relay.client(op.people["coord"])
    relay.client(op.people["part"]).post_packages(op.id, [op.package()])
    blob_id = relay.client(op.people["part"]).upload_blob(op.id, b"ciphertext" * 1000)
    with pytest.raises(RelayError) as refused:  # only after the coordinator's closing commit
        coordinator.close_operation(op.id)
    assert refused.value.status == 409
    closing, _secret = close_operation(op.people["coord"], op.latest, 7)
    coordinator.post_commit(op.id, closing.raw)
    coordinator.close_operation(op.id)
    # the tombstone hands the closing commit to the members it names, and to nobody else
    assert relay.client(op.people["part"]).closing_commit(op.id) == closing.raw
    assert relay.client(Identity.generate()).closing_commit(op.id) is None
    for call in (
        lambda: coordinator.fetch_packages(op.id),
        lambda: coordinator.download_blob(op.id, blob_id),
        lambda: coordinator.create_operation(op.commits[0].raw),
    ):
        with pytest.raises(RelayError) as refused:
            call()
        assert refused.value.status == 410


def test_forged_sender_refused(relay: RelayProcess, op: Op) -> None:
    from sync.protocol import PackageHeader, parse_package
    from sync.protocol.wire import encode

    real = parse_package(op.package("part"))
    # The participant claims another member wrote it (signature is its own): refused.
    header = PackageHeader(
        PACKAGE_VERSION, op.id, op.latest.epoch, op.people["part2"].device_id, 99, "record", 1
    )
    forged = encode({"h": header.encode(), "c": real.ciphertext, "s": real.signature})
    with pytest.raises(RelayError) as refused:
        relay.client(op.people["part"]).post_packages(op.id, [forged])
    assert refused.value.status == 403


def test_event_stream_ends_when_device_is_removed(relay: RelayProcess, op: Op) -> None:
    received: list[int] = []
    finished = threading.Event()

    def listen() -> None:
        for cursor, _raw in relay.client(op.people["part2"]).events(op.id, after=0):
            received.append(cursor)
        finished.set()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    relay.client(op.people["part"]).post_packages(op.id, [op.package()])
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    commit, _secret = remove_members(op.people["coord"], op.latest, [op.people["part2"].device_id])
    relay.client(op.people["coord"]).post_commit(op.id, commit.raw)
    assert finished.wait(10), "the stream stayed open after the removal"
    assert received == [1]


def test_numbers_at_the_column_limits(relay: RelayProcess, op: Op) -> None:
    """Found by schemathesis on PostgreSQL: an epoch beyond int4 was a 500, now a 400."""
    client = relay.client(op.people["part"])
    assert client.commits(op.id, after=2**31 - 1) == []
    with pytest.raises(RelayError) as refused:
        client.commits(op.id, after=2**31)
    assert refused.value.status == 400
    assert client.fetch_packages(op.id, after=2**62).packages == []
