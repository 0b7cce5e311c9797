"""Issue 20 items 6 and 7: replays refused across restarts; a duplicated request is harmless.

Against the real relay process: a captured signed request, replayed after a clean restart and
after ``kill -9``, is refused with 401 ``replayed``; the client, whose request the network
duplicated, signs again and carries on instead of reporting the device refused.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import pytest
import requests

from sync.client.relay_http import RelayClient
from sync.primitives.identity import Identity
from sync.protocol.auth import NOT_BEFORE_HEADER, sign_request
from tests.sync.relay.conftest import Op, RelayProcess, make_operation


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_relay(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RelayProcess]:
    """A relay of its own, so the test may restart it."""
    url = request.getfixturevalue("postgres").url if request.param == "postgres" else None
    process = RelayProcess(tmp_path / "data", url).start()
    yield process
    process.stop()


def _captured_post(relay: RelayProcess, op: Op) -> tuple[str, dict[str, str], bytes]:
    """A signed POST of one package, as an attacker on the path would record it."""
    path = "/v1/operations/" + op.id.hex() + "/packages"
    body = cbor2.dumps([op.package("part")])
    headers = sign_request(op.people["part"], "POST", path, "", body)
    headers["Content-Type"] = "application/cbor"
    return path, headers, body


def _refused_as_replay(answer: requests.Response) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == "replayed"
    assert answer.headers[NOT_BEFORE_HEADER].isdigit()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_a_request_replayed_after_a_restart_is_refused(
    fresh_relay: RelayProcess, people: dict[str, Identity], how: int
) -> None:
    op = make_operation(fresh_relay, people)
    path, headers, body = _captured_post(fresh_relay, op)
    read_path = "/v1/operations/" + op.id.hex() + "/commits"
    read_headers = sign_request(people["part"], "GET", read_path, "after=-1")
    first = requests.post(fresh_relay.url + path, data=body, headers=headers, timeout=10)
    assert first.status_code == 200, first.text
    read = requests.get(fresh_relay.url + read_path + "?after=-1", headers=read_headers, timeout=10)
    assert read.status_code == 200, read.text
    _refused_as_replay(
        requests.post(fresh_relay.url + path, data=body, headers=headers, timeout=10)
    )

    fresh_relay.stop(how)
    fresh_relay.start()

    _refused_as_replay(
        requests.post(fresh_relay.url + path, data=body, headers=headers, timeout=10)
    )
    _refused_as_replay(
        requests.get(fresh_relay.url + read_path + "?after=-1", headers=read_headers, timeout=10)
    )
    # The device itself is not refused: a freshly signed request goes through.
    client = fresh_relay.client(people["part"])
    assert len(client.commits(op.id)) == 2


class Duplicating(requests.Session):
    """A network that delivers every other request twice and hands back the second answer."""

    def __init__(self) -> None:
        super().__init__()
        self.refusals = 0
        self.duplicate = True

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.duplicate:
            super().request(method, url, *args, **kwargs).close()
        self.duplicate = not self.duplicate
        answer = super().request(method, url, *args, **kwargs)
        if answer.status_code == 401:
            self.refusals += 1
        return answer


def test_a_duplicated_request_is_signed_again_not_reported_as_refused(
    fresh_relay: RelayProcess, people: dict[str, Identity]
) -> None:
    op = make_operation(fresh_relay, people)
    session = Duplicating()
    client = RelayClient(fresh_relay.url, people["part"], timeout=30, session=session)
    package = op.package("part")
    results = client.post_packages(op.id, [package])
    assert len(results) == 1
    fetched = client.fetch_packages(op.id)
    assert package in [raw for _cursor, raw in fetched.packages]
    assert len(client.commits(op.id)) == 2
    assert session.refusals == 3  # each call met the replay refusal once and signed again
    coordinator = RelayClient(fresh_relay.url, people["coord"], timeout=30, session=Duplicating())
    # Re-posting the commit the relay already holds is answered as done, not as a conflict.
    assert coordinator.post_commit(op.id, op.latest.raw)["epoch"] == op.latest.epoch


def test_the_bound_is_written_ahead_rarely_and_never_beyond_the_clock_window(
    tmp_path: Path,
) -> None:
    from sync.protocol.auth import CLOCK_WINDOW_SECONDS, RequestAuth
    from sync.relay.guard import NonceCache, Refused

    bound_file = tmp_path / "replay-bound"
    cache = NonceCache(bound_file=bound_file)
    now = 1_800_000_000.0
    writes = []
    for n in range(200):  # 200 requests over 20 s: within one lease, so one write
        auth = RequestAuth("ab" * 16, int(now + n / 10), f"nonce-{n:012d}", b"s" * 64)
        cache.local_check(auth, now + n / 10)
        writes.append(bound_file.read_text())
    assert len(set(writes)) == 1
    fast = RequestAuth("cd" * 16, int(now) + CLOCK_WINDOW_SECONDS, "fast-clock-nonce", b"s" * 64)
    cache.local_check(fast, now + 20)
    restarted = NonceCache(bound_file=bound_file)
    # Everything the first run accepted is refused after the restart...
    with pytest.raises(Refused) as refused:
        restarted.local_check(fast, now + 21)
    assert refused.value.code == "replayed"
    # ...and an honest client that signs at Cordon-Not-Before is within the clock window.
    assert restarted.not_before - (now + 21) <= CLOCK_WINDOW_SECONDS
    honest = RequestAuth("ab" * 16, restarted.not_before, "after-restart-nonce", b"s" * 64)
    restarted.local_check(honest, now + 21)
