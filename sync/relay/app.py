"""The relay ASGI application: routes, error bodies, access log, health and metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync import __version__
from sync.relay import routes_blobs, routes_ops, routes_packages
from sync.relay.config import RelaySettings
from sync.relay.context import Relay, build_relay, json_error
from sync.relay.guard import Refused
from sync.relay.limits import BodyLimit
from sync.relay.logs import redact_path
from sync.relay.store import StoreError

log = logging.getLogger("cordon.relay")
access = logging.getLogger("cordon.relay.access")


class AccessLog:
    """Pure ASGI middleware: one JSON line and one metric per request, without bodies."""

    def __init__(self, app: ASGIApp, relay: Relay) -> None:
        self.app = app
        self.relay = relay
        self._children: dict[tuple[str, int], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            metrics = self.relay.metrics
            key = (scope["method"], status)
            child = self._children.get(key)
            if child is None:  # labels() is slow enough to matter at thousands of requests/s
                child = self._children[key] = metrics.requests.labels(key[0], str(status))
            child.inc()
            metrics.latency.observe(elapsed)
            if access.isEnabledFor(logging.INFO):
                state = scope.get("state") or {}
                path, tag = redact_path(scope["path"])
                access.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": path,
                        "op": tag,
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                        "device": state.get("device"),
                    },
                )


def create_app(settings: RelaySettings, relay: Relay | None = None) -> FastAPI:
    relay = relay or build_relay(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await relay.start()
        log.info("relay started", extra={"backend": relay.store.engine.dialect.name})
        try:
            yield
        finally:
            await relay.stop()
            log.info("relay stopped")

    app = FastAPI(
        title="Cordon relay",
        version=__version__,
        description=(
            "Stores and forwards end-to-end encrypted packages and attachment blobs for each "
            "operation. Requests are signed by devices (Cordon-Key-Id, Cordon-Timestamp, "
            "Cordon-Nonce, Cordon-Signature); see docs/relay.md."
        ),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.relay = relay
    app.include_router(routes_ops.router)
    app.include_router(routes_packages.router)
    app.include_router(routes_blobs.router)

    @app.exception_handler(Refused)
    async def refused(_request: Request, exc: Refused) -> Response:
        relay.metrics.refusals.labels(exc.code).inc()
        return json_error(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StoreError)
    async def store_error(_request: Request, exc: StoreError) -> Response:
        relay.metrics.refusals.labels(exc.code).inc()
        return json_error(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> Response:
        fields = [".".join(str(part) for part in error.get("loc", ())) for error in exc.errors()]
        relay.metrics.refusals.labels("bad_request").inc()
        return JSONResponse(
            {"error": "bad_request", "message": "The request is malformed.", "fields": fields},
            status_code=400,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        headers: Any = getattr(exc, "headers", None)
        return json_error(exc.status_code, "http_error", str(exc.detail), headers)

    @app.exception_handler(IntegrityError)
    async def conflict(_request: Request, _exc: IntegrityError) -> Response:
        # Two requests raced to create the same row (operation, invitation, upload).
        relay.metrics.refusals.labels("conflict").inc()
        return json_error(409, "conflict", "Another request changed this at the same time; retry.")

    @app.exception_handler(DataError)
    async def out_of_range(_request: Request, _exc: DataError) -> Response:
        # A value the database column cannot hold (e.g. a number out of range): bad input.
        relay.metrics.refusals.labels("bad_request").inc()
        return json_error(400, "bad_request", "A value in the request is out of range.")

    @app.exception_handler(OperationalError)
    async def unavailable(_request: Request, _exc: OperationalError) -> Response:
        log.error("database unavailable")
        return json_error(
            503,
            "storage_unavailable",
            "The relay's database is unavailable; retry later.",
            {"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> Response:
        log.error("unexpected error", exc_info=exc)
        return json_error(500, "internal_error", "The relay failed; the error was logged.")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers (no authentication)."""
        return {"status": "ok", "version": __version__}

    @app.get("/metrics", response_class=Response)
    async def metrics() -> Response:
        """Prometheus text format (no authentication; no operation ids or payloads)."""
        return Response(generate_latest(relay.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(BodyLimit, settings=settings)  # before any route reads a byte
    app.add_middleware(AccessLog, relay=relay)  # outermost: refusals are logged too
    return app
