"""The engine: receiving packages (each applied once, a tampered one refused whole, received
changes searchable at once, prepared packages the same as raw ones) and its round against an
in-memory relay client (closing, removal, refusal, retrying while offline). What local.py,
apply.py, pull.py and push.py do alone is in their own test files; real relays in
tests/scenarios and tests/adversarial."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sync.client import engine as engine_module
from sync.client.context import Progress
from sync.client.engine import SyncEngine
from sync.client.local import LocalChanges
from sync.client.relay_http import (
    FetchResult,
    PostResult,
    RelayClient,
    RelayError,
    RelayUnavailable,
)
from sync.errors import CordonError
from sync.protocol import remove_members
from sync.protocol.commit import close_operation
from tests.sync.client.conftest import EVAL, PERSON, Device


def test_packages_apply_exactly_once(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    LocalChanges(a.profile, op).add_records(
        "person", 1, [PERSON, {**EVAL, "family_name": "Diallo"}], "submitted"
    )
    LocalChanges(a.profile, op).send_message("Alert", "Container", alert=True, to=None)
    packages = a.outgoing(op)
    assert len(packages) == 2
    first = b.engine.receive(op, packages)
    assert (first.received, first.duplicates, first.rejected) == (2, 0, 0)
    snapshot = b.profile.store.query("SELECT record_id, fields, revision FROM records ORDER BY 1")
    again = b.engine.receive(op, packages + packages[::-1])
    assert (again.received, again.duplicates, again.rejected) == (0, 4, 0)
    assert (
        b.profile.store.query("SELECT record_id, fields, revision FROM records ORDER BY 1")
        == snapshot
    )
    assert b.profile.store.messages.list(op)[0].kind == "alert"
    # the sender sees its own packages back as duplicates
    assert a.engine.receive(op, packages).duplicates == 2


def test_tampered_package_is_rejected_whole(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    LocalChanges(d["A"].profile, op).add_records("person", 1, [PERSON], "submitted")
    (raw,) = d["A"].outgoing(op)
    broken = raw[:-70] + bytes([raw[-70] ^ 1]) + raw[-69:]
    report = d["B"].engine.receive(op, [broken])
    assert report.rejected == 1 and d["B"].profile.store.records.count(op) == 0


def test_received_changes_are_searchable_as_soon_as_applied(
    trio: tuple[str, dict[str, Device]],
) -> None:
    """Receiving indexes the batch in one pass before its commit (store migration 0007): the
    result is what row-by-row indexing gives, a rejected package leaves nothing behind."""
    op, d = trio
    a, b = d["A"], d["B"]
    (rid, _other) = LocalChanges(a.profile, op).add_records(
        "person",
        1,
        [PERSON, {**EVAL, "family_name": "Diallo", "remarks": "pangolin scales"}],
        "submitted",
    )
    LocalChanges(a.profile, op).send_message(
        "Alert", "Reefer container MSCU1234565", alert=False, to=None
    )
    first = a.outgoing(op)
    LocalChanges(a.profile, op).revise(rid, {"family_name": "Okonkwo"})
    revised = a.outgoing(op)
    LocalChanges(a.profile, op).add_records(
        "person", 1, [{**EVAL, "family_name": "Zanzibarite", "role": "witness"}], "submitted"
    )
    (raw,) = a.outgoing(op)
    broken = raw[:-70] + bytes([raw[-70] ^ 1]) + raw[-69:]
    report = b.engine.receive(op, [*first, *revised, broken])
    assert (report.received, report.rejected) == (3, 1)
    store = b.profile.store
    assert store.query("SELECT * FROM search_pending") == []
    assert store.query("SELECT * FROM search_deferred") == []
    for fts in ("search_words", "search_trigram"):
        store.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
    reader = store.reopen()
    try:
        assert {h.id for h in reader.search("Okonkwo", op)} == {rid}
        assert {h.id for h in reader.search("Okafor", op)} == set()
        assert [h.kind for h in reader.search("pangolin", op)] == ["record"]
        assert [h.kind for h in reader.search("MSCU1234565", op)] == ["message"]
        assert reader.search("Zanzibarite", op) == []
        # the same answers as the sender's own store, indexed row by row as it wrote
        for query in ("Okonkwo", "pangolin", "MSCU", "Ok", "courier"):
            mine = [(h.kind, h.id, h.snippet) for h in reader.search(query, op)]
            theirs = [(h.kind, h.id, h.snippet) for h in a.profile.store.search(query, op)]
            assert mine and mine == theirs, query
    finally:
        reader.close()


def test_prepared_packages_apply_exactly_as_raw_ones(trio: tuple[str, dict[str, Device]]) -> None:
    """``pull`` prepares the next page on its fetch thread as if nothing were applied yet:
    receiving prepared packages gives the same outcome as raw ones, duplicates (applied
    before, or twice in the batch) and rejections included."""
    from sync.client.engine import prepare

    op, d = trio
    a, b, c = d["A"], d["B"], d["C"]
    LocalChanges(a.profile, op).add_records("person", 1, [PERSON], "submitted")
    (first,) = a.outgoing(op)
    LocalChanges(a.profile, op).add_records(
        "person", 1, [{**EVAL, "family_name": "Diallo"}], "submitted"
    )
    (second,) = a.outgoing(op)
    broken = second[:-70] + bytes([second[-70] ^ 1]) + second[-69:]
    batch = [first, second, second, broken]
    reports = []
    for device, prepared in ((b, True), (c, False)):
        device.engine.receive(op, [first])
        keys = device.engine.keys(op)
        packages = [prepare(raw, keys) for raw in batch] if prepared else batch
        report = device.engine.receive(op, packages, keys=keys)
        reports.append((report.received, report.duplicates, report.rejected, report.reasons))
        assert device.profile.store.audit.verify().ok
    assert reports[0] == reports[1]
    assert reports[0][:3] == (1, 2, 1)
    rows = "SELECT record_id, fields, revision FROM records ORDER BY record_id"
    assert b.profile.store.query(rows) == c.profile.store.query(rows)
    assert prepare(first, b.engine.keys(op)).opened is not None  # prepared before it was seen
    assert prepare(broken, b.engine.keys(op)).opened is None


# --- the sync round against an in-memory relay client -----------------------------------------


class MemoryRelay(RelayClient):
    """The relay API in memory: commits by epoch, packages by cursor; ``fail`` raises instead."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9", None)
        self.commit_list: list[tuple[int, bytes]] = []
        self.packages: list[bytes] = []
        self.fail: list[Exception] = []

    def _maybe_fail(self) -> None:
        if self.fail:
            raise self.fail.pop(0)

    def commits(self, operation_id: bytes, after: int = -1, limit: int = 100) -> list[bytes]:
        self._maybe_fail()
        return [raw for epoch, raw in self.commit_list if epoch > after][:limit]

    def fetch_packages(
        self, operation_id: bytes, after: int = 0, limit: int = 500, wait: int = 0
    ) -> FetchResult:
        chosen = list(enumerate(self.packages, start=1))[after : after + limit]
        return FetchResult(chosen, chosen[-1][0] if chosen else after)

    def post_packages(self, operation_id: bytes, packages: Sequence[bytes]) -> list[PostResult]:
        fresh = [p for p in packages if p not in self.packages]
        self.packages += fresh
        return [PostResult("00", n, p not in fresh) for n, p in enumerate(packages)]


def _engines(
    trio: tuple[str, dict[str, Device]],
) -> tuple[str, MemoryRelay, dict[str, SyncEngine], list[Progress]]:
    op, d = trio
    relay = MemoryRelay()
    keys = d["C"].engine.keys(op)
    relay.commit_list = [(c.epoch, c.raw) for c in keys.commits]
    events: list[Progress] = []
    engines = {
        name: SyncEngine(device.profile, progress=events.append, client_factory=lambda _u: relay)
        for name, device in d.items()
    }
    return op, relay, engines, events


def test_a_round_sends_and_another_device_receives(trio: tuple[str, dict[str, Device]]) -> None:
    op, relay, engines, events = _engines(trio)
    LocalChanges(engines["A"].profile, op).add_records("person", 1, [PERSON], "submitted")
    sent = engines["A"].sync_once(op)
    assert (sent.sent, sent.received, sent.status) == (1, 0, "active")
    got = engines["B"].sync_once(op)
    assert (got.sent, got.received) == (0, 1)
    assert engines["B"].profile.store.records.count(op) == 1
    assert [e.stage for e in events if e.stage == "done"] == ["done", "done"]
    assert engines["A"].sync_once(op).received == 0  # its own package is known here


def test_a_closing_commit_ends_the_round_before_anything_is_sent(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, relay, engines, _events = _engines(trio)
    c = engines["C"].profile
    closing, _secret = close_operation(c.identity, engines["C"].keys(op).latest, 3)
    relay.commit_list.append((closing.epoch, closing.raw))
    LocalChanges(engines["A"].profile, op).add_records("person", 1, [PERSON], "submitted")
    report = engines["A"].sync_once(op)
    assert report.status == "closed" and report.sent == 0 and relay.packages == []
    current = engines["A"].profile.store.operations.get(op)
    assert current is not None and current.status == "closed" and current.retention_days == 3
    assert engines["A"].sync_once(op).status == "closed"  # no relay call for a closed copy


def test_a_removed_member_sends_nothing(trio: tuple[str, dict[str, Device]]) -> None:
    op, relay, engines, _events = _engines(trio)
    c, b = engines["C"].profile, engines["B"].profile
    removal, _secret = remove_members(
        c.identity, engines["C"].keys(op).latest, [b.identity.device_id]
    )
    LocalChanges(b, op).add_records("person", 1, [PERSON], "submitted")
    relay.commit_list.append((removal.epoch, removal.raw))
    report = engines["B"].sync_once(op)
    assert report.status == "removed" and relay.packages == []


def test_a_relay_refusing_the_device_is_one_sentence(trio: tuple[str, dict[str, Device]]) -> None:
    op, relay, engines, _events = _engines(trio)
    relay.fail = [RelayError("refused", 403, "not_member")]
    with pytest.raises(CordonError) as refused:
        engines["A"].sync_once(op)
    assert str(refused.value) == (
        "The relay refused this device for operation Lantern: it is no longer a member."
    )


def test_sync_retries_while_the_relay_is_unreachable_then_gives_up(
    trio: tuple[str, dict[str, Device]], monkeypatch: pytest.MonkeyPatch
) -> None:
    op, relay, engines, events = _engines(trio)
    slept: list[float] = []
    monkeypatch.setattr(engine_module.time, "sleep", slept.append)
    relay.fail = [RelayUnavailable("down"), RelayError("busy", 503, "unavailable")]
    assert engines["A"].sync(op, wait=60).status == "active"
    assert len(slept) == 2 and all(0 < s <= 0.5 for s in slept)
    assert [e.detail for e in events if e.stage == "offline"] == ["down", "busy"]
    relay.fail = [RelayError("bad", 400, "bad_request")]
    with pytest.raises(RelayError):  # not worth retrying: raised at once
        engines["A"].sync(op, wait=60)
    assert len(slept) == 2
    relay.fail = [RelayUnavailable("down")]
    with pytest.raises(RelayUnavailable):  # no time to wait
        engines["A"].sync(op, wait=0)
