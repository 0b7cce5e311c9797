"""Group commit: one thread writes every pending package batch in a single transaction.

Requests hand their batch to :meth:`GroupWriter.submit` and await it; the writer takes all that
queued up while the previous transaction was being committed, so under load many requests share
one fsync, and each is acknowledged only after its transaction committed.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable

from sync.relay.store import PackageBatch, RelayStore, StoreError

log = logging.getLogger("cordon.relay")

MAX_GROUP = 256


class GroupWriter:
    def __init__(self, store: RelayStore, on_stored: Callable[[list[PackageBatch]], None]) -> None:
        self.store = store
        self.on_stored = on_stored  # called in the writer thread after each commit
        self._queue: queue.Queue[tuple[PackageBatch, asyncio.Future[None]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="relay-writer", daemon=True)
        self.groups = 0
        self.batches = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Finish what is queued, then stop (graceful shutdown)."""
        self._queue.put(None)
        self._thread.join(timeout=30)

    async def submit(self, batch: PackageBatch) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put((batch, future))
        await future

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                group.append(item)
            self._write(group)

    def _write(self, group: list[tuple[PackageBatch, asyncio.Future[None]]]) -> None:
        batches = [batch for batch, _future in group]
        try:
            self.store.insert_package_batches(batches)
        except Exception:
            # One bad batch must not sink the others: retry each in its own transaction.
            log.exception("group commit failed; retrying batches one by one")
            for batch in batches:
                batch.results.clear()
                batch.stored.clear()
                batch.error = None
                try:
                    self.store.insert_package_batches([batch])
                except Exception:
                    log.exception("package batch could not be stored")
                    batch.results.clear()
                    batch.stored.clear()
                    batch.error = StoreError(
                        503, "storage_unavailable", "The relay could not store the packages."
                    )
        self.groups += 1
        self.batches += len(batches)
        try:
            self.on_stored(batches)
        finally:
            for _batch, future in group:
                loop = future.get_loop()
                loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
