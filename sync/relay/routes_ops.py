"""Operations, commits, invitations, join requests and closing: the roster side of the API."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from sync.errors import ProtocolError
from sync.protocol import decode_commit, decode_join_request, verify_genesis, verify_next
from sync.protocol.auth import body_digest, parse_auth_headers
from sync.protocol.wire import item_limit
from sync.relay.context import Relay, cbor_response, parse_operation_id
from sync.relay.guard import Refused, Roster, authenticate, store_refusal, unauthenticated
from sync.relay.store import StoreError

# CBOR items allowed in what is decoded before any authentication (a genesis commit of one
# member holds about 30, a join request about 15): hostile input is refused after this many.
GENESIS_MAX_ITEMS = 2000
JOIN_MAX_ITEMS = 500

router = APIRouter(prefix="/v1")

OperationId = Annotated[
    str, Path(pattern="^[0-9a-f]{32}$", description="operation id, 32 lower-case hex digits")
]

CBOR_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/cbor": {"schema": {"type": "string", "format": "binary"}}},
    }
}

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "malformed request"},
    401: {"description": "missing, stale, replayed or invalid request signature"},
    403: {"description": "not allowed for this device"},
    404: {"description": "unknown operation"},
    410: {"description": "the operation was closed"},
    413: {"description": "too large or over quota"},
    429: {"description": "rate limited"},
}


def relay_of(request: Request) -> Relay:
    relay: Relay = request.app.state.relay
    return relay


async def _store(call: Any, *args: Any) -> Any:
    try:
        return await run_in_threadpool(call, *args)
    except StoreError as exc:
        raise store_refusal(exc) from exc


@router.post("/operations", status_code=201, openapi_extra=CBOR_BODY, responses=ERRORS)
async def create_operation(request: Request) -> Response:
    """Create an operation from its genesis commit (signed by the coordinator it names)."""
    relay = relay_of(request)
    address = request.client.host if request.client else "unknown"
    relay.creations.check("address:" + address)  # before reading or decoding anything
    body = await relay.read_body(request, relay.settings.max_genesis_bytes)
    try:
        with item_limit(GENESIS_MAX_ITEMS):  # decoded before authentication: keep it small
            commit = decode_commit(body)
        verify_genesis(commit)
    except ProtocolError as exc:
        raise Refused(400, "bad_commit", str(exc)) from exc
    try:
        auth = parse_auth_headers(request.headers)
    except ProtocolError as exc:
        raise unauthenticated(str(exc)) from exc
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.scope["path"]
    query = request.scope.get("query_string", b"").decode("latin-1")
    member = authenticate(
        Roster(commit.epoch, commit), auth, "POST", path, query, body_digest(body), relay.nonces
    )
    if member.device_id != commit.author:
        raise Refused(403, "forbidden", "Only the coordinator who signed the genesis may post it.")
    allowed = relay.allowed_devices
    if allowed is not None and auth.key_id not in allowed:
        raise Refused(
            403, "not_enrolled", "This relay creates operations only for devices it has enrolled."
        )
    relay.creations.check("device:" + auth.key_id)
    created = await _store(
        relay.store.create_operation,
        commit.operation_id,
        commit.hash,
        commit.raw,
        relay.settings.quota_bytes,
        commit.author,
        relay.settings.max_operations_per_device,
    )
    relay.rosters.put(commit.operation_id, commit)
    return JSONResponse(
        {"operation_id": commit.operation_id.hex(), "epoch": 0, "hash": commit.hash.hex()},
        status_code=201 if created else 200,
    )


@router.get("/operations/{operation_id}", responses=ERRORS)
async def operation_state(operation_id: OperationId, request: Request) -> Response:
    """The operation's current epoch, commit hash and newest package cursor (members)."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    await relay.authorize(request, op)
    state = await _store(relay.store.state, op)
    return JSONResponse(
        {"epoch": state.epoch, "hash": state.head_hash.hex(), "cursor": state.last_seq}
    )


@router.get("/operations/{operation_id}/commits", responses=ERRORS)
async def list_commits(
    operation_id: OperationId,
    request: Request,
    after: Annotated[int, Query(ge=-1, le=2**31 - 1)] = -1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Commits with epoch > ``after``, oldest first, as CBOR {"commits": [raw, ...]} (members)."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    await relay.authorize(request, op)
    rows = await _store(relay.store.commits_after, op, after, limit)
    return cbor_response({"commits": [raw for _epoch, raw in rows]})


@router.post(
    "/operations/{operation_id}/commits",
    status_code=201,
    openapi_extra=CBOR_BODY,
    responses={**ERRORS, 409: {"description": "another commit for this epoch came first"}},
)
async def post_commit(operation_id: OperationId, request: Request) -> Response:
    """Accept the next commit (coordinators); it must extend the chain the relay verified."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    body = await relay.read_body(request, relay.settings.max_commit_bytes)
    _member, roster = await relay.authorize(request, op, body, roles=("coordinator",))
    try:
        commit = decode_commit(body)
    except ProtocolError as exc:
        raise Refused(400, "bad_commit", str(exc)) from exc
    if commit.operation_id != op:
        raise Refused(400, "bad_commit", "The commit belongs to another operation.")
    if commit.epoch == roster.epoch and commit.hash == roster.commit.hash:
        # The same commit again (a retried or duplicated request): already done, say so.
        return JSONResponse({"epoch": commit.epoch, "hash": commit.hash.hex()}, status_code=200)
    if commit.epoch <= roster.epoch:
        raise Refused(409, "stale_epoch", "A commit for this epoch was already accepted.")
    try:
        verify_next(roster.commit, commit)
    except ProtocolError as exc:
        raise Refused(400, "bad_commit", str(exc)) from exc
    await _store(relay.store.add_commit, op, roster.epoch, commit.epoch, commit.hash, commit.raw)
    relay.rosters.put(op, commit)
    relay.hub.wake(op)  # open streams re-check membership now
    return JSONResponse({"epoch": commit.epoch, "hash": commit.hash.hex()}, status_code=201)


class Invitation(BaseModel):
    token_hash: str = Field(
        pattern="^[0-9a-f]{64}$", description="the invitation id (a hash of the token), hex"
    )
    ttl_seconds: int | None = Field(default=None, ge=60, le=90 * 24 * 3600)


@router.post("/operations/{operation_id}/invitations", status_code=201, responses=ERRORS)
async def register_invitation(
    operation_id: OperationId, request: Request, invitation: Invitation
) -> Response:
    """Register SHA-256(one-time token) of an invite code (coordinators)."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    address = request.client.host if request.client else "unknown"
    relay.creations.check("address:" + address)
    body = await request.body()
    member, _roster = await relay.authorize(request, op, body, roles=("coordinator",))
    relay.creations.check("device:" + member.device_id.hex())
    ttl = invitation.ttl_seconds or relay.settings.invitation_ttl_seconds
    await _store(
        relay.store.add_invitation, op, bytes.fromhex(invitation.token_hash), member.device_id, ttl
    )
    return JSONResponse({"token_hash": invitation.token_hash}, status_code=201)


@router.post(
    "/operations/{operation_id}/join-requests",
    status_code=202,
    openapi_extra=CBOR_BODY,
    responses=ERRORS,
)
async def post_join_request(operation_id: OperationId, request: Request) -> Response:
    """A joiner's signed request, carrying SHA-256 of its one-time token (no request signature)."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    client = request.client.host if request.client else "unknown"
    relay.rates.check("join:" + client)
    body = await relay.read_body(request, relay.settings.max_join_request_bytes)
    try:
        with item_limit(JOIN_MAX_ITEMS):
            join = decode_join_request(body)
    except ProtocolError as exc:
        raise Refused(400, "bad_join_request", str(exc)) from exc
    if join.operation_id != op:
        raise Refused(400, "bad_join_request", "The join request names another operation.")
    request_id = secrets.token_hex(16)
    await _store(
        relay.store.add_join_request,
        op,
        join.invitation_id,
        join.public.device_id,
        join.raw,
        request_id,
    )
    return JSONResponse({"request_id": request_id}, status_code=202)


@router.get("/operations/{operation_id}/join-requests", responses=ERRORS)
async def list_join_requests(operation_id: OperationId, request: Request) -> Response:
    """Pending join requests as CBOR {"requests": [{"id", "request", "received_at"}]}."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    await relay.authorize(request, op, roles=("coordinator",))
    rows = await _store(relay.store.join_requests, op)
    return cbor_response(
        {"requests": [{"id": rid, "request": raw, "received_at": int(at)} for rid, raw, at in rows]}
    )


@router.delete(
    "/operations/{operation_id}/join-requests/{request_id}", status_code=204, responses=ERRORS
)
async def dismiss_join_request(
    operation_id: OperationId,
    request_id: Annotated[str, Path(pattern="^[0-9a-f]{32}$")],
    request: Request,
) -> Response:
    """Drop a handled join request (coordinators)."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    await relay.authorize(request, op, roles=("coordinator",))
    found = await _store(relay.store.delete_join_request, op, request_id)
    if not found:
        raise Refused(404, "unknown_join_request", "There is no such join request.")
    return Response(status_code=204)


@router.get("/operations/{operation_id}/closing", responses=ERRORS)
async def closing_commit(operation_id: OperationId, request: Request) -> Response:
    """A closed operation's closing commit, as CBOR {"commit": raw}, for the members it names
    (the request is signed as usual and checked against that commit's roster); 404 if none."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    raw = await _store(relay.store.closing_commit, op)
    if raw is None:
        raise Refused(404, "unknown_operation", "There is no closing commit for this operation.")
    try:
        commit = decode_commit(raw)
        auth = parse_auth_headers(request.headers)
    except ProtocolError as exc:
        raise unauthenticated(str(exc)) from exc
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.scope["path"]
    query = request.scope.get("query_string", b"").decode("latin-1")
    authenticate(
        Roster(commit.epoch, commit), auth, "GET", path, query, body_digest(b""), relay.nonces
    )
    return cbor_response({"commit": raw})


@router.delete(
    "/operations/{operation_id}",
    status_code=204,
    responses={**ERRORS, 409: {"description": "the newest commit is not a closing commit"}},
)
async def close_operation(operation_id: OperationId, request: Request) -> Response:
    """Close the operation (coordinators) once its newest commit is the coordinator's closing
    commit: delete every row and blob, keep that commit with the tombstone; later requests get
    410."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    _member, roster = await relay.authorize(request, op, roles=("coordinator",))
    if roster.commit.action != "close":
        raise Refused(409, "not_closed", "Post the coordinator's closing commit first.")
    await _store(relay.store.close_operation, op, roster.commit.raw)
    await run_in_threadpool(relay.blobs.delete_operation_files, op)
    relay.rosters.forget(op)
    relay.hub.forget(op)
    return Response(status_code=204)
