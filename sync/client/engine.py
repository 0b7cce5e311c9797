"""The sync engine: push the outbox, pull after the cursor, verify and apply each package.

Runs in-process under the CLI (``SyncEngine.sync``) and on a worker thread under the desktop
(``SyncEngine.run`` until a stop event), always on the thread that opened its store. Every
received package is verified and applied all-or-nothing (a SAVEPOINT per package inside a batch
transaction that also moves the cursor), and is recorded as applied, so applying it again, from
the relay or from a file, changes nothing. While the relay is unreachable the engine backs off
exponentially with jitter and resumes when it answers; progress goes to a callback.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from locales import _
from sync.client import state
from sync.client.apply import Applier
from sync.client.backoff import Backoff
from sync.client.items import Item, decode_body
from sync.client.relay_http import RelayClient, RelayError, RelayUnavailable
from sync.crypto.epochs import OperationKeys
from sync.crypto.packages import DuplicatePackage, OpenedPackage, open_package
from sync.errors import CordonError, ProtocolError
from sync.store import audit, search
from sync.store.clock import utc_now
from sync.store.db import Store
from sync.store.outbox import OutboxEntry
from sync.store.profile import Profile

FETCH_LIMIT = 1000  # the relay's maximum per request
PUSH_BATCH = 400
PUSH_BYTES = 12 * 1024 * 1024
FORWARD_KIND = "forward"


@dataclass(frozen=True)
class Progress:
    """One progress event: ``stage`` is push, pull, upload, download, offline or done."""

    operation_id: str
    stage: str
    done: int = 0
    total: int | None = None
    detail: str = ""


ProgressCallback = Callable[[Progress], None]


@dataclass
class SyncReport:
    sent: int = 0
    received: int = 0
    duplicates: int = 0
    rejected: int = 0
    status: str = "active"
    reasons: list[str] = field(default_factory=list)

    def add(self, other: SyncReport) -> None:
        self.sent += other.sent
        self.received += other.received
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.reasons += other.reasons

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "received": self.received,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "status": self.status,
        }


class StoreSeen:
    """``SeenSequences`` over the applied_packages table."""

    def __init__(self, store: Store, operation_id: str) -> None:
        self._store = store
        self._op = operation_id

    def seen(self, sender: bytes, seq: int) -> str | None:
        row = self._store.query_one(
            "SELECT package_id FROM applied_packages "
            "WHERE operation_id = ? AND sender = ? AND sender_seq = ?",
            (self._op, sender.hex(), seq),
        )
        return None if row is None else str(row[0])


class _NothingSeen:
    """``SeenSequences`` as for a package never applied before."""

    def seen(self, sender: bytes, seq: int) -> str | None:
        return None


@dataclass(frozen=True)
class PreparedPackage:
    """A package verified, decrypted and decoded as if it had never been applied before
    (``prepare``): whether it was, ``receive`` checks against the store when it gets there.
    ``opened``/``items`` are None when that step failed; ``receive`` then opens it again."""

    raw: bytes
    opened: OpenedPackage | None
    items: list[Item] | None


def prepare(raw: bytes, keys: OperationKeys) -> PreparedPackage:
    """The store-free part of receiving a package (signature, decryption, decoding): pure, so
    ``pull`` runs it on its fetch thread for the next page while this page is applied."""
    try:
        opened = open_package(raw, keys, _NothingSeen())
    except Exception:  # any failure is met again, and reported, where receive() opens it
        return PreparedPackage(raw, None, None)
    try:
        items = decode_body(opened.body)
    except Exception:
        return PreparedPackage(raw, opened, None)
    return PreparedPackage(raw, opened, items)


def is_transient(exc: Exception) -> bool:
    """Worth retrying later: the relay is unreachable, overloaded or asks to slow down."""
    if isinstance(exc, RelayUnavailable):
        return True
    return isinstance(exc, RelayError) and (exc.status >= 500 or exc.status in (409, 429))


class SyncEngine:
    """Synchronises this profile's operations with their relays."""

    def __init__(
        self,
        profile: Profile,
        *,
        store: Store | None = None,
        progress: ProgressCallback | None = None,
        client_factory: Callable[[str], RelayClient] | None = None,
    ) -> None:
        self.profile = profile
        self.store = store or profile.store
        self.progress = progress or (lambda _event: None)
        self._client_factory = client_factory
        self._clients: dict[str, RelayClient] = {}

    def client(self, relay_url: str) -> RelayClient:
        if relay_url not in self._clients:
            if self._client_factory is not None:
                self._clients[relay_url] = self._client_factory(relay_url)
            else:
                self._clients[relay_url] = RelayClient(relay_url, self.profile.identity, timeout=30)
        return self._clients[relay_url]

    def keys(self, operation_id: str) -> OperationKeys:
        return state.load_keys(self.store, self.profile.identity, operation_id)

    # -- receiving ---------------------------------------------------------------------------

    def receive(
        self,
        operation_id: str,
        packages: Iterable[bytes | PreparedPackage],
        *,
        forward: bool = False,
        cursor: tuple[str, int] | None = None,
        keys: OperationKeys | None = None,
    ) -> SyncReport:
        """Verify and apply packages in one transaction, each one all-or-nothing; search
        finds their content as soon as this returns.

        ``packages``: raw packages, or packages ``prepare``d with the same ``keys`` (the
        outcome is the same: only the work moves).
        ``forward``: queue each applied package for the relay (store-carry-forward).
        ``cursor``: (source, value) to record in the same transaction.
        """
        keys = keys or self.keys(operation_id)
        report = SyncReport()
        seen = StoreSeen(self.store, operation_id)
        applier = Applier(self.store, self.profile.identity, operation_id)
        conn = self.store.conn
        with self.store.transaction():
            # The search indexes take the batch's records in one pass before the commit.
            search.defer_indexing(self.store)
            for package in packages:
                if isinstance(package, PreparedPackage):
                    prepared, raw = package, package.raw
                else:
                    prepared, raw = None, package
                try:
                    if (
                        prepared is not None
                        and prepared.opened is not None
                        and seen.seen(prepared.opened.header.sender, prepared.opened.header.seq)
                        is None
                    ):
                        # Never applied: open_package would give just what prepare() got.
                        opened = prepared.opened
                    else:
                        opened = open_package(raw, keys, seen)
                        prepared = None
                except DuplicatePackage:
                    report.duplicates += 1
                    continue
                except ProtocolError as exc:
                    report.rejected += 1
                    report.reasons.append(str(exc))
                    continue
                header = opened.header
                conn.execute("SAVEPOINT package")
                try:
                    if prepared is not None and prepared.items is not None:
                        items = prepared.items
                    else:
                        items = decode_body(opened.body)
                    applier.apply(
                        items, header.sender.hex(), opened.sender.role, keys.roster_at(header.epoch)
                    )
                    self.store.outbox.mark_applied(
                        operation_id, opened.package_id, header.sender.hex(), header.seq
                    )
                    # HLC text sorts in clock order: observing the latest is observing all.
                    clocks = [c for c in (getattr(item, "hlc", None) for item in items) if c]
                    if clocks:
                        self.profile.clock.observe(max(clocks))
                    if forward and header.sender != self.profile.identity.device_id:
                        self.store.outbox.enqueue(
                            operation_id, opened.package_id, FORWARD_KIND, raw
                        )
                except ProtocolError as exc:
                    conn.execute("ROLLBACK TO package")
                    conn.execute("RELEASE package")
                    report.rejected += 1
                    report.reasons.append(str(exc))
                    continue
                conn.execute("RELEASE package")
                report.received += 1
            if report.received:
                self.store.audit.append(
                    audit.COLLECTION, f"packages:{report.received}", operation_id
                )
            if cursor is not None:
                self.store.outbox.set_cursor(operation_id, cursor[0], str(cursor[1]))
        return report

    # -- one round with the relay ------------------------------------------------------------

    def pull_commits(self, operation_id: str, client: RelayClient, keys: OperationKeys) -> int:
        """Fetch and verify commits after the newest one held; returns how many were new."""
        op = bytes.fromhex(operation_id)
        added = 0
        while True:
            raws = client.commits(op, after=keys.latest.epoch, limit=100)
            if not raws:
                return added
            added += len(state.add_commits(self.store, self.profile.identity, keys, raws))
            if len(raws) < 100:
                return added

    def push(self, operation_id: str, client: RelayClient) -> int:
        """Send the outbox (uploading pending library files first); returns packages sent."""
        from sync.client import files
        from sync.client.local import seal_outbox

        files.upload_pending(self, operation_id, client)
        seal_outbox(self.profile, self.store, operation_id, self.keys(operation_id))
        op = bytes.fromhex(operation_id)
        sent = 0
        while True:
            pending = self.store.outbox.pending(operation_id, limit=PUSH_BATCH)
            if not pending:
                return sent
            batch: list[OutboxEntry] = []
            size = 0
            for entry in pending:
                if batch and size + len(entry.payload) > PUSH_BYTES:
                    break
                batch.append(entry)
                size += len(entry.payload)
            try:
                client.post_packages(op, [e.payload for e in batch])
            except RelayError as exc:
                if exc.status != 403 or len(batch) == 1 and batch[0].kind != FORWARD_KIND:
                    raise
                sent += self._push_one_by_one(op, client, batch)
                continue
            with self.store.transaction():
                for entry in batch:
                    self.store.outbox.mark_sent(entry.package_id)
            sent += len(batch)
            self.progress(Progress(operation_id, "push", sent, None))

    def _push_one_by_one(self, op: bytes, client: RelayClient, batch: list[OutboxEntry]) -> int:
        """A batch was refused: post packages singly and set aside the ones the relay refuses
        (packages carried for a member removed meanwhile), so they do not block the outbox."""
        sent = 0
        for entry in batch:
            try:
                client.post_packages(op, [entry.payload])
            except RelayError as exc:
                if exc.status != 403 or entry.kind != FORWARD_KIND:
                    raise
                self.store.execute(
                    "UPDATE outbox SET sent_at = ?, last_error = 'refused by the relay' "
                    "WHERE package_id = ?",
                    (utc_now(), entry.package_id),
                )
                continue
            self.store.outbox.mark_sent(entry.package_id)
            sent += 1
        return sent

    def pull(
        self, operation_id: str, relay_url: str, client: RelayClient, keys: OperationKeys
    ) -> SyncReport:
        """Fetch and apply packages after the stored cursor until none are left. The next
        batch is fetched and prepared (verified, decrypted, decoded) on a helper thread while
        this one is applied: network, relay and crypto work overlap with the store's writes,
        which release the interpreter lock."""
        op = bytes.fromhex(operation_id)
        report = SyncReport()
        after = int(self.store.outbox.cursor(operation_id, relay_url) or 0)

        def fetch(cursor: int) -> tuple[int, list[PreparedPackage]]:
            result = client.fetch_packages(op, cursor, FETCH_LIMIT)
            return result.cursor, [prepare(raw, keys) for _cursor, raw in result.packages]

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cordon-fetch") as pool:
            pending = pool.submit(fetch, after)
            while True:
                cursor, prepared = pending.result()
                if not prepared:
                    return report
                pending = pool.submit(fetch, cursor)
                part = self.receive(operation_id, prepared, cursor=(relay_url, cursor), keys=keys)
                report.add(part)
                self.progress(Progress(operation_id, "pull", report.received, None))

    def sync_once(self, operation_id: str) -> SyncReport:
        """One round: commits, push, pull. Raises RelayUnavailable/RelayError."""
        op = state.require_operation(self.store, operation_id)
        if op.status == "pending":
            from sync.client import lifecycle

            lifecycle.try_activate(self, op.operation_id)
            op = state.require_operation(self.store, operation_id)
            if op.status == "pending":
                return SyncReport(status="pending")
        if op.status not in ("active",):
            return SyncReport(status=op.status)
        if not op.relay_url:
            raise CordonError(_("Operation {op} has no relay.").format(op=op.operation_id))
        client = self.client(op.relay_url)
        keys = self.keys(op.operation_id)
        report = SyncReport()
        try:
            self.pull_commits(op.operation_id, client, keys)
            if keys.latest.action == "close":  # signed by a coordinator: the operation ends
                from sync.client import lifecycle

                lifecycle.apply_closing(self.store, keys.latest)
                return SyncReport(status="closed")
            if keys.latest.member(self.profile.identity.device_id) is None:
                return SyncReport(status="removed")
            report.sent = self.push(op.operation_id, client)
            report.add(self.pull(op.operation_id, op.relay_url, client, keys))
        except RelayError as exc:
            if exc.status == 410:  # closed only if the coordinator's closing commit says so
                from sync.client import lifecycle

                lifecycle.handle_gone(self, op.operation_id, client)
                report.status = "closed"
                return report
            if exc.status == 403:
                raise CordonError(
                    _(
                        "The relay refused this device for operation {name}: it is no longer a "
                        "member."
                    ).format(name=op.name)
                ) from exc
            raise
        self.progress(Progress(op.operation_id, "done", report.received, None))
        return report

    def sync(self, operation_id: str, wait: float = 0.0) -> SyncReport:
        """``sync_once``, retrying with backoff while the relay is unreachable, up to ``wait``
        seconds; then the last error is raised."""
        deadline = time.monotonic() + wait
        backoff = Backoff()
        while True:
            try:
                return self.sync_once(operation_id)
            except (RelayUnavailable, RelayError) as exc:
                remaining = deadline - time.monotonic()
                if not is_transient(exc) or remaining <= 0:
                    raise
                delay = min(remaining, backoff.next_delay())
                self.progress(Progress(operation_id, "offline", 0, None, str(exc)))
                time.sleep(delay)

    def run(self, stop: threading.Event, interval: float = 5.0) -> None:
        """Keep every active operation in sync until ``stop`` is set (the desktop's worker):
        back off while offline, resume as soon as the relay answers."""
        backoff = Backoff(cap=60.0)
        while not stop.is_set():
            delay = interval
            for op in self.store.operations.list():
                if stop.is_set() or op.status not in ("active", "pending"):
                    continue
                try:
                    self.sync_once(op.operation_id)
                    backoff.reset()
                except CordonError as exc:
                    if isinstance(exc, RelayUnavailable | RelayError) and is_transient(exc):
                        delay = backoff.next_delay()
                    self.progress(Progress(op.operation_id, "offline", 0, None, str(exc)))
            with contextlib.suppress(Exception):
                stop.wait(delay)
