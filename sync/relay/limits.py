"""Limits applied before any work: request bodies capped by route, and timeouts on slow senders.

``BodyLimit`` (ASGI middleware, outermost but for the access log) looks up the route's cap
before the application runs. A declared ``Content-Length`` above it is answered 413 without
reading a byte; a chunked body is counted as it streams in and refused the moment it passes the
cap. While the body is incomplete each wait for the next chunk is bounded by
``body_timeout_seconds`` (408); once it is complete, ``receive`` is passed through untouched (long
polls and event streams wait on it for the client's disconnect).

``header_timeout_protocol`` makes uvicorn's HTTP protocol close a connection whose request
headers have not all arrived within ``header_timeout_seconds`` of its first byte (uvicorn has no
such timeout: a client trickling headers held a connection for ever).

Caps and timeouts are documented with their defaults in docs/relay.md ("Limits").
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.relay.config import RelaySettings

log = logging.getLogger("cordon.relay")

_OP = "/v1/operations/[0-9a-fA-F]{32}"


def route_caps(settings: RelaySettings) -> list[tuple[str, re.Pattern[str], int]]:
    """(method, path pattern, largest body in bytes) for every route that takes a body; any
    other request may carry none."""
    return [
        ("POST", re.compile("^/v1/operations$"), settings.max_genesis_bytes),
        ("POST", re.compile(f"^{_OP}/commits$"), settings.max_commit_bytes),
        ("POST", re.compile(f"^{_OP}/packages$"), settings.max_batch_bytes),
        ("POST", re.compile(f"^{_OP}/invitations$"), settings.max_json_bytes),
        ("POST", re.compile(f"^{_OP}/join-requests$"), settings.max_join_request_bytes),
        ("PATCH", re.compile(f"^{_OP}/uploads/[A-Za-z0-9_-]+$"), settings.max_upload_chunk_bytes),
    ]


def _error(status: int, code: str, message: str) -> list[Message]:
    body = json.dumps({"error": code, "message": message}).encode()
    return [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        },
        {"type": "http.response.body", "body": body},
    ]


TOO_LARGE = (413, "too_large", "The request body is too large.")
TOO_SLOW = (408, "body_timeout", "The request body arrived too slowly.")


class BodyLimit:
    """Pure ASGI middleware: the route's body cap and the body timeout (see the module text)."""

    def __init__(self, app: ASGIApp, settings: RelaySettings) -> None:
        self.app = app
        self.caps = route_caps(settings)
        self.timeout = settings.body_timeout_seconds

    def cap(self, method: str, path: str) -> int:
        for route_method, pattern, limit in self.caps:
            if method == route_method and pattern.match(path):
                return limit
        return 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.cap(scope["method"], scope["path"])
        declared = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
                break
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            status = TOO_LARGE if declared.isdigit() else (400, "bad_request", "Bad length.")
            for message in _error(*status):
                await send(message)
            return
        received = 0
        complete = False
        started = False
        refused = False

        async def refuse(answer: tuple[int, str, str]) -> Message:
            # Answer now, then tell the application the client went away: whatever it does
            # with that (FastAPI turns it into its own 400) is not sent.
            nonlocal refused
            refused = True
            if not started:
                for message in _error(*answer):
                    await send(message)
            return {"type": "http.disconnect"}

        async def limited_receive() -> Message:
            nonlocal received, complete
            if complete or refused:
                return await receive() if not refused else {"type": "http.disconnect"}
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except TimeoutError:
                return await refuse(TOO_SLOW)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    return await refuse(TOO_LARGE)
                complete = not message.get("more_body", False)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except Exception:
            if not refused:
                raise


def header_timeout_protocol(protocol_class: type[Any], seconds: float) -> type[Any]:
    """``protocol_class`` (uvicorn's httptools or h11 protocol) closing connections whose
    request headers are not complete ``seconds`` after their first byte arrived."""

    class HeaderTimeout(protocol_class):  # type: ignore[misc]
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._header_timer is None and self._between_requests():
                self._arm()
            super().data_received(data)

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None
            super().connection_lost(exc)

        def _between_requests(self) -> bool:
            cycle = getattr(self, "cycle", None)
            return cycle is None or bool(cycle.response_complete)

        def _arm(self) -> None:
            self._header_timer = self.loop.call_later(seconds, self._deadline)

        def _deadline(self) -> None:
            self._header_timer = None
            if not self._between_requests():
                return  # the headers arrived: the request is being served
            if self.timeout_keep_alive_task is not None:
                return  # idle since the last answer: uvicorn's keep-alive timeout closes it
            if not self.transport.is_closing():
                log.info("closed a connection whose request headers came too slowly")
                self.transport.close()

    HeaderTimeout.__name__ = HeaderTimeout.__qualname__ = "HeaderTimeout" + protocol_class.__name__
    return HeaderTimeout
