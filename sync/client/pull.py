"""Receiving: fetch commits and packages from the relay, verify and apply each package.

Every received package is verified and applied all-or-nothing (a SAVEPOINT per package inside
a batch transaction that also moves the cursor), and is recorded as applied, so applying it
again, from the relay or from a file, changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from locales import _
from sync.client import state
from sync.client.apply import Applier
from sync.client.context import FORWARD_KIND, Progress, SyncContext, SyncReport
from sync.client.items import Item, decode_body
from sync.client.relay_http import RelayClient
from sync.crypto.epochs import OperationKeys
from sync.crypto.packages import DuplicatePackage, OpenedPackage, open_package
from sync.errors import CordonError, ProtocolError
from sync.protocol import parse_package
from sync.store import audit, search
from sync.store.clock import HybridClock, format_hlc, parse_hlc
from sync.store.db import Store

FETCH_LIMIT = 1000  # the relay's maximum per request
COMMITS_PAGE = 100
# Pages per round: a relay that never returns an empty page cannot keep a round busy for ever
# (the cursor moves on with every page; the rest comes in the next round).
MAX_PAGES_PER_ROUND = 200
MAX_COMMIT_PAGES = 100
# Clocks: a received value may run at most this far ahead of this computer's clock; this
# device's own clock follows received values at most OBSERVE_AHEAD_MS ahead, so what it writes
# next stays acceptable to members whose clocks run up to that much behind its own.
MAX_SKEW_MS = 10 * 60 * 1000
OBSERVE_AHEAD_MS = 5 * 60 * 1000


class StoreSeen:
    """``SeenSequences`` over the applied_packages table."""

    def __init__(self, store: Store, operation_id: str) -> None:
        self._store = store
        self._op = operation_id

    def seen(self, sender: bytes, seq: int) -> str | None:
        return self._store.outbox.applied_id(self._op, sender.hex(), seq)


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


def _named_epoch(raw: bytes) -> int:
    """The epoch a package names (-1 when it does not parse: receive refuses it then)."""
    try:
        return parse_package(raw).header.epoch
    except ProtocolError:
        return -1


def now_ms_here() -> int:
    """This computer's time in milliseconds (what received clocks are held against)."""
    return time.time_ns() // 1_000_000


def check_clocks(items: list[Item], sender: str, header_clock: int, now_ms: int) -> str | None:
    """Refuse a package whose clocks run more than MAX_SKEW_MS ahead of ``now_ms`` or name
    another device than its sender; returns the latest clock in it (None when it has none)."""
    limit = now_ms + MAX_SKEW_MS
    if header_clock // 10_000 > limit:
        raise ProtocolError(_("Package refused: its clock runs more than 10 minutes ahead."))
    latest = None
    for item in items:
        value = getattr(item, "hlc", None)
        if value is None:
            continue
        try:
            physical, _counter, node = parse_hlc(value)
        except ValueError as exc:
            raise ProtocolError(_("Package refused: a clock value in it is malformed.")) from exc
        if node != sender:
            raise ProtocolError(_("Package refused: a clock value in it names another device."))
        if physical > limit:
            raise ProtocolError(_("Package refused: its clock runs more than 10 minutes ahead."))
        latest = value if latest is None or value > latest else latest
    return latest


def _observe(clock: HybridClock, value: str, now_ms: int) -> None:
    """Move this device's clock past a received value, but never more than OBSERVE_AHEAD_MS
    ahead of its own time."""
    physical, _counter, node = parse_hlc(value)
    if physical > now_ms + OBSERVE_AHEAD_MS:
        value = format_hlc(now_ms + OBSERVE_AHEAD_MS, 0, node)
    clock.observe(value)


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
            try:
                with store.savepoint("package"):
                    if prepared is not None and prepared.items is not None:
                        items = prepared.items
                    else:
                        items = decode_body(opened.body)
                    now_ms = now_ms_here()
                    latest = check_clocks(items, header.sender.hex(), header.hlc, now_ms)
                    applier.apply(
                        items, header.sender.hex(), opened.sender.role, keys.roster_at(header.epoch)
                    )
                    store.outbox.mark_applied(
                        operation_id, opened.package_id, header.sender.hex(), header.seq
                    )
                    if latest is not None:
                        _observe(profile.clock, latest, now_ms)
                    if forward and header.sender != profile.identity.device_id:
                        store.outbox.enqueue(operation_id, opened.package_id, FORWARD_KIND, raw)
            except ProtocolError as exc:
                report.rejected += 1
                report.reasons.append(str(exc))
                continue
            report.received += 1
        if report.received:
            store.audit.append(audit.COLLECTION, f"packages:{report.received}", operation_id)
        if cursor is not None:
            store.outbox.set_cursor(operation_id, cursor[0], str(cursor[1]))
    return report


def pull_commits(
    ctx: SyncContext,
    operation_id: str,
    client: RelayClient,
    keys: OperationKeys,
    notices: list[str] | None = None,
) -> int:
    """Fetch and verify commits after the newest one held; returns how many were new."""
    op = bytes.fromhex(operation_id)
    added = 0
    for _page in range(MAX_COMMIT_PAGES):
        raws = client.commits(op, after=keys.latest.epoch, limit=COMMITS_PAGE)
        if not raws:
            return added
        new = len(state.add_commits(ctx.store, ctx.profile.identity, keys, raws, notices))
        added += new
        if len(raws) < COMMITS_PAGE or new == 0:  # a page of known commits moves nothing
            return added
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

    def catch_up(prepared: list[PreparedPackage]) -> None:
        """A package naming a commit newer than any held here: fetch the commits first. If
        the relay still does not give them, stop before applying anything of this page."""
        named = max((_named_epoch(p.raw) for p in prepared), default=-1)
        if named <= keys.latest.epoch:
            return
        pull_commits(ctx, operation_id, client, keys, report.notices)
        if named > keys.latest.epoch:
            raise CordonError(
                _(
                    "The relay holds back a change of members that another member has already "
                    "seen; nothing more was applied or sent."
                )
            )

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cordon-fetch") as pool:
        pending = pool.submit(fetch, after)
        for pages in range(1, MAX_PAGES_PER_ROUND + 1):
            cursor, prepared = pending.result()
            if not prepared:
                return report
            catch_up(prepared)
            if pages < MAX_PAGES_PER_ROUND:
                pending = pool.submit(fetch, cursor)
            part = receive(ctx, operation_id, prepared, cursor=(relay_url, cursor), keys=keys)
            report.add(part)
            ctx.progress(Progress(operation_id, "pull", report.received, None))
    report.more = True
    return report
