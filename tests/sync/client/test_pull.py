"""sync.client.pull: received clocks held against this computer's time, and the pull loop
against a fake relay client (pages, the stored cursor, commits fetched before a page that names
a newer epoch). Hostile relays end to end are in tests/adversarial."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sync.client import pull as pull_module
from sync.client import state
from sync.client.context import Progress, SyncContext
from sync.client.items import MessageItem, RecordItem
from sync.client.local import LocalChanges
from sync.client.relay_http import FetchResult, RelayClient
from sync.errors import CordonError, ProtocolError
from sync.primitives.identity import Identity
from sync.protocol import Member, add_members
from sync.store.clock import format_hlc
from tests.sync.client.conftest import PERSON, Device

NOW = 1_800_000_000_000
ME = "aa" * 16
TEN_MINUTES = 10 * 60 * 1000


def _message(hlc: str) -> MessageItem:
    return MessageItem("m-" + hlc[-4:], "s", "b", False, hlc)


def test_clocks_give_the_latest_and_allow_ten_minutes_ahead() -> None:
    early, late = format_hlc(NOW - 5, 0, ME), format_hlc(NOW + TEN_MINUTES, 3, ME)
    header = (NOW + TEN_MINUTES) * 10_000
    assert pull_module.check_clocks([_message(late), _message(early)], ME, header, NOW) == late
    assert pull_module.check_clocks([], ME, NOW * 10_000, NOW) is None


@pytest.mark.parametrize(
    ("item_clock", "header", "sentence"),
    [
        (format_hlc(NOW + TEN_MINUTES + 1, 0, ME), NOW * 10_000, "more than 10 minutes ahead"),
        (format_hlc(NOW, 0, ME), (NOW + TEN_MINUTES + 1) * 10_000, "more than 10 minutes ahead"),
        (format_hlc(NOW, 0, "bb" * 16), NOW * 10_000, "names another device"),
        ("not a clock", NOW * 10_000, "malformed"),
    ],
)
def test_a_clock_too_far_ahead_malformed_or_of_another_device_is_refused(
    item_clock: str, header: int, sentence: str
) -> None:
    with pytest.raises(ProtocolError, match=sentence):
        pull_module.check_clocks([_message(item_clock)], ME, header, NOW)


class PagedRelay(RelayClient):
    """Serves ``packages`` ``page`` at a time with cursors 1, 2, ...; ``commits`` on request."""

    def __init__(self, packages: Sequence[bytes], page: int, commits: Sequence[bytes] = ()) -> None:
        super().__init__("http://127.0.0.1:9", None)
        self.packages = list(packages)
        self.page = page
        self.commit_list = list(commits)
        self.asked: list[int] = []

    def fetch_packages(
        self, operation_id: bytes, after: int = 0, limit: int = 500, wait: int = 0
    ) -> FetchResult:
        self.asked.append(after)
        chosen = list(enumerate(self.packages, start=1))[after : after + self.page]
        return FetchResult(chosen, chosen[-1][0] if chosen else after)

    def commits(self, operation_id: bytes, after: int = -1, limit: int = 100) -> list[bytes]:
        return self.commit_list


def test_pull_applies_page_after_page_and_keeps_the_cursor(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    changes = LocalChanges(a.profile, op)
    for n in range(5):
        changes.send_message(f"Subject {n}", "body", alert=False, to=None)
    relay = PagedRelay(a.outgoing(op), page=2)
    events: list[Progress] = []
    ctx = SyncContext(b.profile, progress=events.append)
    report = pull_module.pull(ctx, op, "http://relay", relay, ctx.keys(op))
    assert (report.received, report.rejected, report.more) == (5, 0, False)
    assert relay.asked == [0, 2, 4, 5]
    assert [e.done for e in events] == [2, 4, 5]
    assert b.profile.store.outbox.cursor(op, "http://relay") == "5"
    again = PagedRelay(relay.packages, page=2)
    assert pull_module.pull(ctx, op, "http://relay", again, ctx.keys(op)).received == 0
    assert again.asked == [5]  # starts from the stored cursor


def test_a_round_stops_after_its_page_limit_and_says_there_is_more(
    trio: tuple[str, dict[str, Device]], monkeypatch: pytest.MonkeyPatch
) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    for n in range(3):
        LocalChanges(a.profile, op).send_message(f"S{n}", "b", alert=False, to=None)
    monkeypatch.setattr(pull_module, "MAX_PAGES_PER_ROUND", 2)
    ctx = SyncContext(b.profile)
    relay = PagedRelay(a.outgoing(op), page=1)
    report = pull_module.pull(ctx, op, "http://relay", relay, ctx.keys(op))
    assert (report.received, report.more) == (2, True)
    assert b.profile.store.outbox.cursor(op, "http://relay") == "2"


def test_a_page_naming_a_newer_epoch_waits_for_its_commit(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a, b, c = d["A"], d["B"], d["C"]
    newcomer = Member(Identity.generate().public, "Officer D", "Agency D", "KE", "participant")
    commit, _secret = add_members(c.profile.identity, c.engine.keys(op).latest, [newcomer])
    state.add_commits(a.profile.store, a.profile.identity, a.engine.keys(op), [commit.raw])
    LocalChanges(a.profile, op).add_records("person", 1, [PERSON], "submitted")
    packages = a.outgoing(op)  # sealed under epoch 2, which B does not hold yet
    ctx = SyncContext(b.profile)
    withheld = PagedRelay(packages, page=10)
    with pytest.raises(CordonError, match="holds back a change of members"):
        pull_module.pull(ctx, op, "http://relay", withheld, ctx.keys(op))
    assert b.profile.store.records.count(op) == 0
    assert b.profile.store.outbox.cursor(op, "http://relay") in (None, "0")
    given = PagedRelay(packages, page=10, commits=[commit.raw])
    report = pull_module.pull(ctx, op, "http://relay", given, ctx.keys(op))
    assert report.received == 1 and b.profile.store.records.count(op) == 1
    assert ctx.keys(op).latest.epoch == 2


def test_prepare_is_store_free_and_marks_what_failed(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    LocalChanges(a.profile, op).add_records("person", 1, [PERSON], "submitted")
    (raw,) = a.outgoing(op)
    keys = b.engine.keys(op)
    good = pull_module.prepare(raw, keys)
    assert good.opened is not None and good.items is not None
    assert isinstance(good.items[0], RecordItem)
    assert pull_module.prepare(b"garbage", keys).opened is None
    assert b.profile.store.records.count(op) == 0  # preparing applies nothing
