"""Long polls woken together share one database read (the PostgreSQL fan-out), and a read that
began before a newer wake-up is never handed to a waiter that would miss that package."""

from __future__ import annotations

import asyncio
import threading
import time
from types import SimpleNamespace

from sync.relay.hub import Hub
from sync.relay.routes_packages import _fetch

OP = bytes(16)


class CountingStore:
    def __init__(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()
        self.rows: list[tuple[int, bytes]] = [(1, b"one")]

    def packages_after(
        self, op: bytes, after: int, limit: int, max_bytes: int
    ) -> tuple[list[tuple[int, bytes]], int]:
        with self.lock:
            self.calls += 1
            rows = [r for r in self.rows if r[0] > after][:limit]
        time.sleep(0.05)  # a database round trip
        return rows, max((r[0] for r in self.rows), default=0)


def _relay(store: CountingStore) -> SimpleNamespace:
    hub = Hub(authoritative=False)  # PostgreSQL: memory never answers for the database
    return SimpleNamespace(hub=hub, store=store)


def test_waiters_asking_the_same_thing_share_one_read() -> None:
    async def main() -> None:
        store = CountingStore()
        relay = _relay(store)
        relay.hub.bind(asyncio.get_running_loop())
        answers = await asyncio.gather(*(_fetch(relay, OP, 0, 500) for _ in range(200)))
        assert store.calls == 1
        assert all(a == [(1, b"one")] for a in answers)
        assert relay.hub.fetches == {}  # nothing kept once answered

    asyncio.run(main())


def test_a_read_begun_before_a_wake_up_is_not_shared_after_it() -> None:
    async def main() -> None:
        store = CountingStore()
        relay = _relay(store)
        relay.hub.bind(asyncio.get_running_loop())
        store.rows = []
        early = asyncio.ensure_future(_fetch(relay, OP, 0, 500))
        await asyncio.sleep(0.01)  # the early read is in flight and will see nothing
        store.rows = [(1, b"one")]
        relay.hub.wake(OP)  # the package's notification arrives
        late = await _fetch(relay, OP, 0, 500)
        assert late == [(1, b"one")]
        assert await early == []
        assert store.calls == 2

    asyncio.run(main())


def test_a_waiter_that_leaves_does_not_cancel_the_others() -> None:
    async def main() -> None:
        store = CountingStore()
        relay = _relay(store)
        relay.hub.bind(asyncio.get_running_loop())
        leaving = asyncio.ensure_future(_fetch(relay, OP, 0, 500))
        staying = asyncio.ensure_future(_fetch(relay, OP, 0, 500))
        await asyncio.sleep(0.01)
        leaving.cancel()
        assert await staying == [(1, b"one")]
        assert store.calls == 1

    asyncio.run(main())
