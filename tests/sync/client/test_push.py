"""sync.client.push: the outbox goes out sealed, in batches bounded by count and bytes; a batch
refused with 403 goes again one by one and only packages carried for others are set aside."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sync.client import push as push_module
from sync.client.context import FORWARD_KIND, Progress, SyncContext
from sync.client.local import LocalChanges, seal_outbox
from sync.client.relay_http import PostResult, RelayClient, RelayError
from sync.protocol import parse_package
from tests.sync.client.conftest import PERSON, Device


class FakeRelay(RelayClient):
    """Takes posted batches; refuses (403) any batch holding a payload in ``refuse``."""

    def __init__(self, refuse: Sequence[bytes] = ()) -> None:
        super().__init__("http://127.0.0.1:9", None)
        self.batches: list[list[bytes]] = []
        self.refuse = set(refuse)

    def post_packages(self, operation_id: bytes, packages: Sequence[bytes]) -> list[PostResult]:
        if self.refuse & set(packages):
            raise RelayError("refused", 403, "not_member")
        self.batches.append(list(packages))
        return [PostResult("00", n, False) for n in range(len(packages))]


def _queue(device: Device, op: str, count: int) -> None:
    changes = LocalChanges(device.profile, op)
    for n in range(count):
        changes.send_message(f"Subject {n}", "x" * 100, alert=False, to=None)


def test_everything_queued_goes_out_sealed_in_order_and_is_marked_sent(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a = d["A"]
    _queue(a, op, 3)
    events: list[Progress] = []
    relay = FakeRelay()
    sent = push_module.push(SyncContext(a.profile, progress=events.append), op, relay)
    assert sent == 3
    (batch,) = relay.batches
    assert [parse_package(raw).header.seq for raw in batch] == [1, 2, 3]
    assert a.profile.store.outbox.pending(op) == []
    assert [(e.stage, e.done) for e in events] == [("push", 3)]
    assert push_module.push(SyncContext(a.profile), op, relay) == 0  # nothing twice
    assert len(relay.batches) == 1


def test_batches_are_bounded_by_count_and_by_bytes(
    trio: tuple[str, dict[str, Device]], monkeypatch: pytest.MonkeyPatch
) -> None:
    op, d = trio
    a = d["A"]
    _queue(a, op, 5)
    monkeypatch.setattr(push_module, "PUSH_BATCH", 2)
    relay = FakeRelay()
    assert push_module.push(SyncContext(a.profile), op, relay) == 5
    assert [len(b) for b in relay.batches] == [2, 2, 1]
    _queue(a, op, 3)
    seal_outbox(a.profile, a.profile.store, op, a.engine.keys(op))  # measure what is sent
    size = max(len(e.payload) for e in a.profile.store.outbox.pending(op, limit=10))
    monkeypatch.setattr(push_module, "PUSH_BATCH", 400)
    monkeypatch.setattr(push_module, "PUSH_BYTES", size * 2 + 1)
    relay = FakeRelay()
    assert push_module.push(SyncContext(a.profile), op, relay) == 3
    assert [len(b) for b in relay.batches] == [2, 1]


def test_a_package_larger_than_the_byte_bound_still_goes_alone(
    trio: tuple[str, dict[str, Device]], monkeypatch: pytest.MonkeyPatch
) -> None:
    op, d = trio
    a = d["A"]
    _queue(a, op, 2)
    monkeypatch.setattr(push_module, "PUSH_BYTES", 10)
    relay = FakeRelay()
    assert push_module.push(SyncContext(a.profile), op, relay) == 2
    assert [len(b) for b in relay.batches] == [1, 1]


def test_a_refused_forward_is_set_aside_and_the_rest_goes_out(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a, b = d["A"], d["B"]
    LocalChanges(b.profile, op).add_records("person", 1, [PERSON], "submitted")
    (carried,) = b.outgoing(op)
    store = a.profile.store
    _queue(a, op, 1)
    store.outbox.enqueue(op, parse_package(carried).package_id, FORWARD_KIND, carried)
    _queue(a, op, 1)
    relay = FakeRelay(refuse=[carried])
    assert push_module.push(SyncContext(a.profile), op, relay) == 2
    assert [len(batch) for batch in relay.batches] == [1, 1]  # one by one after the refusal
    assert carried not in [raw for batch in relay.batches for raw in batch]
    assert store.outbox.pending(op) == []
    (row,) = store.query("SELECT last_error FROM outbox WHERE payload = ?", (carried,))
    assert row[0] == "refused by the relay"


def test_a_refused_package_of_this_device_stops_the_push_and_stays_queued(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    a = d["A"]
    _queue(a, op, 2)
    ctx = SyncContext(a.profile)
    push_module.push(ctx, op, FakeRelay(refuse=[b"never"]))  # seals; nothing refused
    _queue(a, op, 1)
    seal_outbox(a.profile, a.profile.store, op, ctx.keys(op))
    (own,) = a.profile.store.outbox.pending(op)
    with pytest.raises(RelayError) as refused:
        push_module.push(ctx, op, FakeRelay(refuse=[own.payload]))
    assert refused.value.status == 403
    assert [e.package_id for e in a.profile.store.outbox.pending(op)] == [own.package_id]
