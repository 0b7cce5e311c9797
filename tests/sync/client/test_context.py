"""sync.client.context: the report a round adds up, which failures are worth retrying, and the
context's one relay client per URL."""

from __future__ import annotations

import pytest

from sync.client import state
from sync.client.context import Progress, SyncContext, SyncReport, is_transient
from sync.client.relay_http import RelayClient, RelayError, RelayUnavailable
from sync.errors import CordonError
from tests.sync.client.conftest import Device


def test_reports_add_up_and_keep_their_own_status() -> None:
    total = SyncReport(sent=1, received=2, reasons=["r1"], notices=["n1"], status="active")
    total.add(SyncReport(sent=3, duplicates=4, rejected=1, reasons=["r2"], more=True,
                         notices=["n2"], status="closed"))  # fmt: skip
    total.add(SyncReport(received=5))
    assert (total.sent, total.received, total.duplicates, total.rejected) == (4, 7, 4, 1)
    assert total.reasons == ["r1", "r2"] and total.notices == ["n1", "n2"]
    assert total.more is True  # one part stopped at its page limit: the whole did
    assert total.status == "active"


def test_as_dict_is_what_the_cli_prints_and_owns_its_notices() -> None:
    report = SyncReport(sent=1, received=2, duplicates=3, rejected=4, status="removed",
                        reasons=["why"], more=True, notices=["note"])  # fmt: skip
    shown = report.as_dict()
    assert shown == {
        "sent": 1,
        "received": 2,
        "duplicates": 3,
        "rejected": 4,
        "status": "removed",
        "notices": ["note"],
    }
    shown["notices"].append("changed")
    assert report.notices == ["note"]


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (RelayUnavailable("down"), True),
        (RelayError("boom", 500, "internal"), True),
        (RelayError("busy", 503, "unavailable"), True),
        (RelayError("slow", 429, "rate_limited"), True),
        (RelayError("race", 409, "conflict"), True),
        (RelayError("bad", 400, "bad_request"), False),
        (RelayError("who", 401, "bad_signature"), False),
        (RelayError("no", 403, "not_member"), False),
        (RelayError("gone", 410, "closed"), False),
        (RelayError("big", 413, "too_large"), False),
        (RelayError("damaged", 200, "bad_answer"), False),
        (RelayError("no key", 0, "no_identity"), False),
        (CordonError("other"), False),
        (ValueError("bug"), False),
    ],
)
def test_only_unreachable_overloaded_or_slow_down_is_transient(
    exc: Exception, transient: bool
) -> None:
    assert is_transient(exc) is transient


def test_one_client_per_relay_url_for_the_contexts_life(
    trio: tuple[str, dict[str, Device]],
) -> None:
    _op, d = trio
    made: list[str] = []

    def factory(url: str) -> RelayClient:
        made.append(url)
        return RelayClient(url, None)

    context = SyncContext(d["A"].profile, client_factory=factory)
    first = context.client("http://127.0.0.1:1")
    assert context.client("http://127.0.0.1:1") is first
    other = context.client("http://127.0.0.1:2")
    assert other is not first and made == ["http://127.0.0.1:1", "http://127.0.0.1:2"]


def test_the_default_client_signs_as_the_profile(trio: tuple[str, dict[str, Device]]) -> None:
    _op, d = trio
    profile = d["A"].profile
    client = SyncContext(profile).client("http://127.0.0.1:1/")
    assert client.identity is profile.identity
    assert client.base_url == "http://127.0.0.1:1" and client.timeout == 30


def test_keys_and_store_come_from_the_profile(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    profile = d["B"].profile
    context = SyncContext(profile)
    assert context.store is profile.store
    expected = state.load_keys(profile.store, profile.identity, op)
    assert context.keys(op).latest.hash == expected.latest.hash
    context.progress(Progress(op, "push"))  # the default progress callback takes anything
    seen: list[Progress] = []
    SyncContext(profile, progress=seen.append).progress(Progress(op, "done", 1, 1))
    assert seen == [Progress(op, "done", 1, 1, "")]
