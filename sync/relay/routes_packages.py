"""Packages: post batches (stored once per package id), fetch after a cursor, long poll and SSE.

Cursor semantics: every stored package gets the next cursor of its operation (1, 2, 3, ...), in
the order the relay committed them. A client keeps the highest cursor it has applied and asks
for packages after it; nothing is ever inserted behind a cursor a client has already seen.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Annotated

import cbor2
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from sync.errors import ProtocolError
from sync.primitives import cbor_strict
from sync.protocol import (
    Member,
    SignedPackage,
    parse_package,
    verify_package_signature,
)
from sync.relay.context import Relay, parse_operation_id
from sync.relay.guard import Refused, Roster, forbidden, store_refusal
from sync.relay.routes_ops import CBOR_BODY, ERRORS, OperationId, relay_of
from sync.relay.store import PackageBatch, StoreError

router = APIRouter(prefix="/v1")

MAX_RESPONSE_BYTES = 8 * 1024 * 1024


def _decode_batch(relay: Relay, body: bytes) -> list[bytes]:
    try:  # an array of byte strings: one level, at most max_batch_packages + 1 items
        items = cbor_strict.loads(
            body, max_depth=1, max_items=relay.settings.max_batch_packages + 1, canonical=False
        )
    except cbor_strict.CBORError as exc:
        if str(exc) == cbor_strict.TOO_MANY_ITEMS:
            raise Refused(413, "batch_too_large", "Too many packages in one request.") from None
        raise Refused(400, "bad_batch", "The body is not a CBOR array of packages.") from None
    if not isinstance(items, list) or not items:
        raise Refused(400, "bad_batch", "The body is not a CBOR array of packages.")
    if len(items) > relay.settings.max_batch_packages:
        raise Refused(413, "batch_too_large", "Too many packages in one request.")
    for item in items:
        if not isinstance(item, bytes):
            raise Refused(400, "bad_batch", "Every package must be a CBOR byte string.")
        if len(item) > relay.settings.max_package_bytes:
            raise Refused(413, "package_too_large", "A package is larger than the relay accepts.")
    return items


def _authorise_package(
    relay: Relay, package: SignedPackage, member: Member, roster: Roster
) -> None:
    """May this package be stored? 403 unless its sender may write to the operation.

    A package whose sender is the requesting device is covered by the request signature (which
    binds the SHA-256 of the whole body) and by the requester's role, so the relay does not pay a
    second Ed25519 verification for it; recipients verify every package themselves. A package
    from another sender (forwarding) is checked with verify_package_signature against the
    latest roster. ``verify_all_package_signatures`` checks every package that way.
    """
    header = package.header
    if header.sender == member.device_id and not relay.settings.verify_all_package_signatures:
        if member.role not in ("coordinator", "participant"):
            raise forbidden("This device's role does not allow posting content.")
        if header.epoch > roster.epoch:
            raise Refused(400, "bad_package", "A package names an epoch the relay does not know.")
        return
    try:
        verify_package_signature(package, roster.commit)
    except ProtocolError as exc:
        raise forbidden("A package is not signed by a current participant or coordinator.") from exc


@router.post(
    "/operations/{operation_id}/packages",
    openapi_extra=CBOR_BODY,
    responses={**ERRORS, 409: {"description": "the roster changed meanwhile; retry"}},
)
async def post_packages(operation_id: OperationId, request: Request) -> Response:
    """Store a batch (CBOR array of signed packages). Answers only once the batch is durable.

    Any member may post, including packages signed by another member (forwarding); each
    package must be signed by a current participant or coordinator of this operation.
    """
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    body = await relay.read_body(request, relay.settings.max_batch_bytes)
    member, roster = await relay.authorize(request, op, body)
    items = _decode_batch(relay, body)
    for attempt in range(2):
        seen: set[bytes] = set()
        parsed: list[tuple[bytes, bytes, bytes]] = []
        for raw in items:
            try:
                package = parse_package(raw)
            except ProtocolError as exc:
                raise Refused(400, "bad_package", str(exc)) from exc
            if package.header.operation_id != op:
                raise Refused(400, "bad_package", "A package belongs to another operation.")
            _authorise_package(relay, package, member, roster)
            package_id = bytes.fromhex(package.package_id)
            if package_id not in seen:
                seen.add(package_id)
                parsed.append((package_id, package.header.sender, package.raw))
        batch = PackageBatch(op, roster.epoch, parsed)
        await relay.writer.submit(batch)
        if batch.error is None:
            break
        if batch.error.code != "epoch_changed" or attempt == 1:
            raise store_refusal(batch.error)
        relay.rosters.forget(op)
        member, roster = await relay.authorize(request, op, body, again=True)
    duplicates = sum(1 for _pid, _seq, duplicate in batch.results if duplicate)
    relay.metrics.duplicates.inc(duplicates)
    results = [
        {"package_id": pid.hex(), "cursor": seq, "duplicate": duplicate}
        for pid, seq, duplicate in batch.results
    ]
    return JSONResponse({"results": results})


async def _fetch(relay: Relay, op: bytes, after: int, limit: int) -> list[tuple[int, bytes]]:
    cached = relay.hub.recent_after(op, after, limit, MAX_RESPONSE_BYTES)
    if cached is not None:
        return cached
    # Hundreds of long polls woken by one notification ask the same question at once: one
    # database read answers them all. Keyed by the wake-up event they wait on, so a read that
    # began before a newer package's notification is never shared with a waiter it would miss.
    key = (op, after, limit, relay.hub.event(op))
    shared = relay.hub.fetches.get(key)
    if shared is None:
        shared = asyncio.ensure_future(_read(relay, op, after, limit))
        relay.hub.fetches[key] = shared
        shared.add_done_callback(lambda _done: relay.hub.fetches.pop(key, None))
    return await asyncio.shield(shared)  # a waiter that leaves does not cancel the others' read


async def _read(relay: Relay, op: bytes, after: int, limit: int) -> list[tuple[int, bytes]]:
    try:
        rows, last = await run_in_threadpool(
            relay.store.packages_after, op, after, limit, MAX_RESPONSE_BYTES
        )
    except StoreError as exc:
        raise store_refusal(exc) from exc
    if not rows:
        relay.hub.knows_latest(op, last)
    return rows


async def _still_member(relay: Relay, op: bytes, device_hex: str) -> None:
    """Re-check a waiting request after a wake-up (cheap: no database query when cached)."""
    roster = relay.rosters.peek(op) or await relay.roster(op)
    if roster.member(bytes.fromhex(device_hex)) is None:
        raise forbidden("This device is no longer a member of this operation.")


@router.get("/operations/{operation_id}/packages", responses=ERRORS)
async def get_packages(
    operation_id: OperationId,
    request: Request,
    after: Annotated[int, Query(ge=0, le=2**62, description="last cursor already held")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    wait: Annotated[int, Query(ge=0, le=30, description="seconds to wait if none")] = 0,
) -> Response:
    """Packages with cursor > ``after`` as CBOR {"packages": [[cursor, raw], ...], "cursor": n}.

    ``cursor`` is the value to pass as ``after`` next time. With ``wait`` the request holds until
    a package arrives or the time is up (long poll, at most 30 s).
    """
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    await relay.authorize(request, op)
    device = request.state.device
    deadline = time.monotonic() + min(wait, relay.settings.long_poll_seconds)
    relay.metrics.waiters.inc()
    try:
        while True:
            event = relay.hub.event(op)
            ready = relay.hub.answer(op, after, limit)
            if ready is not None:
                return Response(ready, media_type="application/cbor")
            cached = relay.hub.recent_after(op, after, limit, MAX_RESPONSE_BYTES)
            rows = cached if cached is not None else await _fetch(relay, op, after, limit)
            remaining = deadline - time.monotonic()
            if rows or remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
            await _still_member(relay, op, device)
    finally:
        relay.metrics.waiters.dec()
    cursor = rows[-1][0] if rows else after
    body = cbor2.dumps(
        {"packages": [[seq, raw] for seq, raw in rows], "cursor": cursor}, canonical=True
    )
    if rows and cached is not None:
        relay.hub.keep_answer(op, after, limit, body)
    return Response(body, media_type="application/cbor")


@router.get(
    "/operations/{operation_id}/events",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}},
)
async def package_events(
    operation_id: OperationId,
    request: Request,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> Response:
    """Server-sent events: one ``package`` event per package (id = cursor, data = base64url).

    A reconnecting client passes ``after`` (its last event id). Comments keep the stream alive.
    The stream ends when the device is removed or the operation closed.
    """
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    await relay.authorize(request, op)
    device = request.state.device

    async def stream() -> AsyncIterator[bytes]:
        cursor = after
        relay.metrics.waiters.inc()
        try:
            yield b": cordon relay event stream\n\n"
            while True:
                event = relay.hub.event(op)
                try:
                    await _still_member(relay, op, device)
                    rows = await _fetch(relay, op, cursor, 500)
                except Refused:
                    yield b"event: closed\ndata: \n\n"
                    return
                if rows:
                    parts = []
                    for seq, raw in rows:
                        data = base64.urlsafe_b64encode(raw).rstrip(b"=")
                        parts.append(b"id: %d\nevent: package\ndata: %s\n\n" % (seq, data))
                    cursor = rows[-1][0]
                    yield b"".join(parts)
                    continue
                try:
                    await asyncio.wait_for(event.wait(), 15)
                except TimeoutError:
                    yield b": keep-alive\n\n"
        finally:
            relay.metrics.waiters.dec()

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
