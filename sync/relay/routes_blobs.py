"""Attachment blobs: resumable upload (tus 1.0 core + creation) and ranged download.

Creating an upload is a normal signed request (POST .../blobs, empty body, so a tus client such
as tuspy can send pre-computed signature headers). The answer's Location, .../uploads/<token>,
is a capability: 256 random bits that only the creating device learns (the relay stores their
SHA-256). HEAD and PATCH on it need that token and a creator who is still a participant or
coordinator; they carry no per-request signature, since tus clients cannot sign each request.
Each PATCH is all-or-nothing: bytes count only once the whole request body arrived and is on
disk, so resuming after a broken connection restarts at the last complete PATCH (send chunks).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import re
import secrets
import tempfile
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import ClientDisconnect

from sync.relay.blobs import BlobInfo, upload_hash
from sync.relay.context import CONTENT_ROLES, Relay, parse_operation_id
from sync.relay.guard import Refused, forbidden, store_refusal
from sync.relay.routes_ops import ERRORS, OperationId, relay_of
from sync.relay.store import StoreError

router = APIRouter(prefix="/v1")

TUS_VERSION = "1.0.0"
UploadToken = Annotated[str, Path(pattern="^[A-Za-z0-9_-]{43}$")]
BlobId = Annotated[str, Path(pattern="^[0-9a-f]{32}$")]
BINARY = {"type": "string", "format": "binary"}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
# One lock per upload being written, with the number of requests holding or awaiting it; the
# entry goes when the last one leaves, whatever happened (unknown tokens included).
_locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}


@contextlib.asynccontextmanager
async def _upload_lock(token: str) -> AsyncIterator[None]:
    """Serialise PATCHes of one upload; keeps nothing once no request is using the token."""
    entry = _locks.get(token)
    if entry is None:
        entry = _locks[token] = (asyncio.Lock(), [0])
    lock, users = entry
    users[0] += 1
    try:
        async with lock:
            yield
    finally:
        users[0] -= 1
        if not users[0]:
            _locks.pop(token, None)


def _tus_headers(relay: Relay) -> dict[str, str]:
    return {
        "Tus-Resumable": TUS_VERSION,
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": "creation",
        "Tus-Max-Size": str(relay.settings.max_blob_bytes),
    }


def _check_tus(request: Request) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise Refused(
            412, "tus_version", "Only tus 1.0.0 is supported.", {"Tus-Version": TUS_VERSION}
        )


def _metadata(header: str | None) -> dict[str, bytes]:
    result: dict[str, bytes] = {}
    if not header:
        return result
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if not parts[0] or len(parts) > 2:
            raise Refused(400, "bad_metadata", "The Upload-Metadata header is malformed.")
        try:
            value = base64.b64decode(parts[1], validate=True) if len(parts) == 2 else b""
        except (binascii.Error, ValueError) as exc:
            raise Refused(400, "bad_metadata", "The Upload-Metadata header is malformed.") from exc
        result[parts[0]] = value
    return result


@router.options("/operations/{operation_id}/blobs", status_code=204)
async def tus_options(operation_id: OperationId, request: Request) -> Response:
    """tus discovery: version, extensions and the largest blob accepted."""
    return Response(status_code=204, headers=_tus_headers(relay_of(request)))


@router.post(
    "/operations/{operation_id}/blobs",
    status_code=201,
    responses={**ERRORS, 412: {"description": "tus version not supported"}},
)
async def create_upload(operation_id: OperationId, request: Request) -> Response:
    """tus creation: ``Upload-Length`` bytes; optional metadata ``sha256`` (hex) is checked at
    the end. Answers 201 with ``Location`` (the upload URL) and ``Cordon-Blob-Id``."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    _check_tus(request)
    body = await relay.read_body(request, 0)
    member, _roster = await relay.authorize(request, op, body, roles=CONTENT_ROLES)
    if "upload-defer-length" in request.headers:
        raise Refused(400, "defer_unsupported", "Upload-Defer-Length is not supported.")
    declared = request.headers.get("upload-length", "")
    if not declared.isdigit() or len(declared) > 18:
        raise Refused(400, "bad_length", "Upload-Length must be a whole number of bytes.")
    length = int(declared)
    if length > relay.settings.max_blob_bytes:
        raise Refused(413, "blob_too_large", "The attachment is larger than the relay accepts.")
    meta = _metadata(request.headers.get("upload-metadata"))
    checksum = None
    if "sha256" in meta:
        try:
            checksum = bytes.fromhex(meta["sha256"].decode("ascii"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise Refused(400, "bad_metadata", "The sha256 metadata must be hex.") from exc
        if len(checksum) != 32:
            raise Refused(400, "bad_metadata", "The sha256 metadata must be 64 hex digits.")
    blob_id = secrets.token_hex(16)
    token = secrets.token_urlsafe(32)
    try:
        await run_in_threadpool(
            functools.partial(
                relay.blobs.create,
                op,
                blob_id,
                upload_hash(token),
                member.device_id,
                length,
                checksum,
                max_pending=relay.settings.max_pending_upload_bytes,
                expiry_seconds=relay.settings.upload_expiry_seconds,
            )
        )
    except StoreError as exc:
        raise store_refusal(exc) from exc
    headers = _tus_headers(relay)
    headers["Location"] = f"/v1/operations/{operation_id}/uploads/{token}"
    headers["Cordon-Blob-Id"] = blob_id
    return Response(status_code=201, headers=headers)


async def _upload(relay: Relay, op: bytes, token: str) -> BlobInfo:
    try:
        info = await run_in_threadpool(relay.blobs.by_upload, op, upload_hash(token))
    except StoreError as exc:
        raise store_refusal(exc) from exc
    if info is None:
        raise Refused(404, "unknown_upload", "There is no such upload.")
    roster = await relay.roster(op)
    creator = roster.member(info.created_by)
    if creator is None or creator.role not in CONTENT_ROLES:
        raise forbidden("The device that started this upload may no longer post content.")
    return info


def _offset_headers(relay: Relay, info: BlobInfo, offset: int) -> dict[str, str]:
    headers = _tus_headers(relay)
    headers.update(
        {
            "Upload-Offset": str(offset),
            "Upload-Length": str(info.length),
            "Cache-Control": "no-store",
            "Cordon-Blob-Id": info.blob_id,
        }
    )
    return headers


@router.head("/operations/{operation_id}/uploads/{token}", responses=ERRORS)
async def upload_offset(
    operation_id: OperationId, token: UploadToken, request: Request
) -> Response:
    """tus: how many bytes of this upload the relay holds."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    info = await _upload(relay, op, token)
    return Response(status_code=200, headers=_offset_headers(relay, info, info.offset))


@router.patch(
    "/operations/{operation_id}/uploads/{token}",
    status_code=204,
    responses={**ERRORS, 409: {"description": "Upload-Offset does not match"}},
    openapi_extra={
        "requestBody": {
            "content": {"application/offset+octet-stream": {"schema": BINARY}},
        }
    },
)
async def upload_bytes(operation_id: OperationId, token: UploadToken, request: Request) -> Response:
    """tus: append the body at ``Upload-Offset`` (which must equal the current offset)."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    _check_tus(request)
    if request.headers.get("content-type") != "application/offset+octet-stream":
        raise Refused(415, "bad_content_type", "PATCH needs application/offset+octet-stream.")
    declared = request.headers.get("upload-offset", "")
    if not declared.isdigit() or len(declared) > 18:
        raise Refused(400, "bad_offset", "Upload-Offset must be a whole number of bytes.")
    async with _upload_lock(token):
        info = await _upload(relay, op, token)
        if int(declared) != info.offset:
            raise Refused(409, "offset_mismatch", "Upload-Offset does not match the upload.")
        room = info.length - info.offset
        spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
        try:
            size = 0
            try:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > room:
                        raise Refused(413, "too_large", "The body runs past Upload-Length.")
                    spool.write(chunk)
            except ClientDisconnect:
                return Response(status_code=400)
            try:
                offset = await run_in_threadpool(relay.blobs.append, info, spool, size)
            except StoreError as exc:
                raise store_refusal(exc) from exc
        finally:
            spool.close()
    return Response(status_code=204, headers=_offset_headers(relay, info, offset))


def _byte_range(header: str | None, length: int) -> tuple[int, int] | None:
    """(start, end exclusive) for a single ``bytes=`` range; None means the whole blob."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None or (not match.group(1) and not match.group(2)):
        return None  # RFC 9110: a range we do not understand is ignored
    first, last = match.group(1), match.group(2)
    if len(first) > 18 or len(last) > 18:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or length == 0:
            raise Refused(
                416,
                "bad_range",
                "The range is not satisfiable.",
                {"Content-Range": f"bytes */{length}"},
            )
        return max(length - suffix, 0), length
    start = int(first)
    end = min(int(last) + 1, length) if last else length
    if start >= length or start >= end:
        raise Refused(
            416,
            "bad_range",
            "The range is not satisfiable.",
            {"Content-Range": f"bytes */{length}"},
        )
    return start, end


@router.get(
    "/operations/{operation_id}/blobs/{blob_id}",
    responses={**ERRORS, 206: {"description": "partial content"}, 416: {"description": "range"}},
)
async def download_blob(operation_id: OperationId, blob_id: BlobId, request: Request) -> Response:
    """A complete blob (members), whole or one ``Range: bytes=a-b``."""
    relay = relay_of(request)
    op = parse_operation_id(operation_id)
    await relay.authorize(request, op)
    try:
        info = await run_in_threadpool(relay.blobs.get, op, blob_id)
    except StoreError as exc:
        raise store_refusal(exc) from exc
    if info is None:
        raise Refused(404, "unknown_blob", "There is no such attachment.")
    if not info.complete:
        raise Refused(409, "incomplete_blob", "This attachment is still being uploaded.")
    span = _byte_range(request.headers.get("range"), info.length)
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "no-store"}
    status = 200
    start, end = 0, info.length
    if span is not None:
        start, end = span
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{info.length}"
    headers["Content-Length"] = str(end - start)

    async def body() -> AsyncIterator[bytes]:
        async for piece in iterate_in_threadpool(relay.blobs.read(info, start, end)):
            yield piece

    return StreamingResponse(
        body(), status_code=status, media_type="application/octet-stream", headers=headers
    )
