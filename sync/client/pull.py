"""Receiving: fetch commits and packages from the relay, verify and apply each package.

Every received package is verified and applied all-or-nothing (a SAVEPOINT per package inside
a batch transaction that also moves the cursor), and is recorded as applied, so applying it
again, from the relay or from a file, changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sync.client import state
from sync.client.apply import Applier
from sync.client.context import FORWARD_KIND, Progress, SyncContext, SyncReport
from sync.client.items import Item, decode_body
from sync.client.relay_http import RelayClient
from sync.crypto.epochs import OperationKeys
from sync.crypto.packages import DuplicatePackage, OpenedPackage, open_package
from sync.errors import ProtocolError
from sync.store import audit, search
from sync.store.db import Store

FETCH_LIMIT = 1000  # the relay's maximum per request
COMMITS_PAGE = 100


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


def receive(
    ctx: SyncContext,
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
    store, profile = ctx.store, ctx.profile
    keys = keys or ctx.keys(operation_id)
    report = SyncReport()
    seen = StoreSeen(store, operation_id)
    applier = Applier(store, profile.identity, operation_id)
    conn = store.conn
    with store.transaction():
        # The search indexes take the batch's records in one pass before the commit.
        search.defer_indexing(store)
        for package in packages:
            if isinstance(package, PreparedPackage):
                prepared: PreparedPackage | None = package
                raw = package.raw
            else:
                prepared, raw = None, package
            try:
                if (
                    prepared is not None
                    and prepared.opened is not None
                    and seen.seen(prepared.opened.header.sender, prepared.opened.header.seq) is None
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
                store.outbox.mark_applied(
                    operation_id, opened.package_id, header.sender.hex(), header.seq
                )
                # HLC text sorts in clock order: observing the latest is observing all.
                clocks = [c for c in (getattr(item, "hlc", None) for item in items) if c]
                if clocks:
                    profile.clock.observe(max(clocks))
                if forward and header.sender != profile.identity.device_id:
                    store.outbox.enqueue(operation_id, opened.package_id, FORWARD_KIND, raw)
            except ProtocolError as exc:
                conn.execute("ROLLBACK TO package")
                conn.execute("RELEASE package")
                report.rejected += 1
                report.reasons.append(str(exc))
                continue
            conn.execute("RELEASE package")
            report.received += 1
        if report.received:
            store.audit.append(audit.COLLECTION, f"packages:{report.received}", operation_id)
        if cursor is not None:
            store.outbox.set_cursor(operation_id, cursor[0], str(cursor[1]))
    return report


def pull_commits(
    ctx: SyncContext, operation_id: str, client: RelayClient, keys: OperationKeys
) -> int:
    """Fetch and verify commits after the newest one held; returns how many were new."""
    op = bytes.fromhex(operation_id)
    added = 0
    while True:
        raws = client.commits(op, after=keys.latest.epoch, limit=COMMITS_PAGE)
        if not raws:
            return added
        added += len(state.add_commits(ctx.store, ctx.profile.identity, keys, raws))
        if len(raws) < COMMITS_PAGE:
            return added


def pull(
    ctx: SyncContext, operation_id: str, relay_url: str, client: RelayClient, keys: OperationKeys
) -> SyncReport:
    """Fetch and apply packages after the stored cursor until none are left. The next
    batch is fetched and prepared (verified, decrypted, decoded) on a helper thread while
    this one is applied: network, relay and crypto work overlap with the store's writes,
    which release the interpreter lock."""
    op = bytes.fromhex(operation_id)
    report = SyncReport()
    after = int(ctx.store.outbox.cursor(operation_id, relay_url) or 0)

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
            part = receive(ctx, operation_id, prepared, cursor=(relay_url, cursor), keys=keys)
            report.add(part)
            ctx.progress(Progress(operation_id, "pull", report.received, None))
