"""Real-time wake-ups: waiters per operation, a small cache of recent packages, LISTEN/NOTIFY.

In one process, the group writer reports stored packages and every long poll or SSE stream of
that operation wakes at once, usually served from the recent-package cache without touching the
database. With PostgreSQL, each instance LISTENs on one channel; the writers' NOTIFY (sent inside
the storing transaction, so delivered only on commit) wakes the waiters of every instance.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sync.relay.store import NOTIFY_CHANNEL, PackageBatch

log = logging.getLogger("cordon.relay")

CACHE_PACKAGES = 2048
CACHE_BYTES = 8 * 1024 * 1024


@dataclass
class _Feed:
    event: asyncio.Event = field(default_factory=asyncio.Event)
    recent: deque[tuple[int, bytes]] = field(default_factory=deque)
    recent_bytes: int = 0
    last: int = 0  # newest cursor in ``recent`` (authoritative mode: newest stored)
    # Encoded long-poll answers by (after, limit): hundreds of waiters woken by the same package
    # get the very same bytes, encoded once. Cleared whenever anything arrives.
    answers: dict[tuple[int, int], bytes] = field(default_factory=dict)


class Hub:
    """Per-operation wake-ups; ``authoritative`` when this process is the only writer (SQLite)."""

    def __init__(self, authoritative: bool) -> None:
        self.authoritative = authoritative
        self._feeds: dict[bytes, _Feed] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self.on_commit: Callable[[bytes], None] = lambda _operation_id: None
        # Database reads in flight, shared by the long polls that ask the same thing at once.
        self.fetches: dict[tuple[bytes, int, int, asyncio.Event], asyncio.Future[Any]] = {}

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def _feed(self, operation_id: bytes) -> _Feed:
        feed = self._feeds.get(operation_id)
        if feed is None:
            feed = self._feeds[operation_id] = _Feed()
        return feed

    # --- called from the writer thread ------------------------------------------------------

    def stored(self, batches: list[PackageBatch]) -> None:
        if self._loop is None:
            return
        for batch in batches:
            if batch.stored:
                self._loop.call_soon_threadsafe(self._add, batch.operation_id, list(batch.stored))

    # --- called on the event loop -----------------------------------------------------------

    def _add(self, operation_id: bytes, stored: list[tuple[int, bytes]]) -> None:
        feed = self._feed(operation_id)
        for seq, raw in stored:
            if feed.recent and seq != feed.last + 1:
                # Another instance stored the cursors in between: restart the cache here.
                feed.recent.clear()
                feed.recent_bytes = 0
            feed.recent.append((seq, raw))
            feed.recent_bytes += len(raw)
            feed.last = seq
        while feed.recent and (
            len(feed.recent) > CACHE_PACKAGES or feed.recent_bytes > CACHE_BYTES
        ):
            _seq, raw = feed.recent.popleft()
            feed.recent_bytes -= len(raw)
        self.wake(operation_id)

    def wake(self, operation_id: bytes) -> None:
        feed = self._feeds.get(operation_id)
        if feed is not None:
            feed.answers.clear()
            feed.event.set()
            feed.event = asyncio.Event()

    def wake_all(self) -> None:
        for operation_id in list(self._feeds):
            self.wake(operation_id)

    def forget(self, operation_id: bytes) -> None:
        """The operation was closed: wake its waiters (they will find 410) and drop the cache."""
        self.wake(operation_id)
        self._feeds.pop(operation_id, None)

    def remote(self, payload: str) -> None:
        """A NOTIFY from any instance: 'p' packages, 'c' commit, 'x' closed, then the id hex."""
        try:
            kind, operation_id = payload[0], bytes.fromhex(payload[1:])
        except (IndexError, ValueError):
            return
        if kind == "c":
            self.on_commit(operation_id)
        if kind == "x":
            self.on_commit(operation_id)
            self.forget(operation_id)
        else:
            self.wake(operation_id)

    def event(self, operation_id: bytes) -> asyncio.Event:
        """Take this before looking for data; it is set when anything new arrives after."""
        return self._feed(operation_id).event

    def recent_after(
        self, operation_id: bytes, after: int, limit: int, max_bytes: int
    ) -> list[tuple[int, bytes]] | None:
        """Packages after ``after`` from memory, or None when the database must answer."""
        feed = self._feeds.get(operation_id)
        if feed is None or not feed.recent:
            return None
        first = feed.recent[0][0]
        if after < first - 1:
            return None
        if after >= feed.last:
            return [] if self.authoritative else None
        result: list[tuple[int, bytes]] = []
        total = 0
        for seq, raw in feed.recent:  # short deque; a scan is cheaper than bookkeeping
            if seq <= after:
                continue
            if len(result) >= limit or (result and total + len(raw) > max_bytes):
                break
            result.append((seq, raw))
            total += len(raw)
        return result

    def answer(self, operation_id: bytes, after: int, limit: int) -> bytes | None:
        feed = self._feeds.get(operation_id)
        return None if feed is None else feed.answers.get((after, limit))

    def keep_answer(self, operation_id: bytes, after: int, limit: int, body: bytes) -> None:
        feed = self._feeds.get(operation_id)
        if feed is not None and len(feed.answers) < 64:
            feed.answers[(after, limit)] = body

    def knows_latest(self, operation_id: bytes, last_seq: int) -> None:
        """Authoritative mode: after a database read, nothing newer exists than ``last_seq``."""
        if not self.authoritative:
            return
        feed = self._feed(operation_id)
        if not feed.recent and last_seq >= feed.last:
            feed.last = last_seq


class PostgresListener:
    """A thread holding one LISTEN connection and forwarding notifications to the hub."""

    def __init__(self, dsn: str, hub: Hub, loop: asyncio.AbstractEventLoop) -> None:
        self.dsn = dsn
        self.hub = hub
        self.loop = loop
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relay-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(timeout=10)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self.dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self._ready.set()
                    # Notifications sent while we were not listening are lost: wake everyone
                    # once, so each waiter looks in the database again.
                    self.loop.call_soon_threadsafe(self.hub.wake_all)
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self.loop.call_soon_threadsafe(self.hub.remote, note.payload)
            except Exception:
                log.warning("relay notification listener lost its connection; reconnecting")
                self._stop.wait(1.0)
