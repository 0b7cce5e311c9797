"""The relay's running parts, built once at start-up and shared by the routes (app.state.relay)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2
from fastapi import Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.concurrency import run_in_threadpool

from sync.errors import ProtocolError
from sync.protocol import Member
from sync.protocol.auth import body_digest, parse_auth_headers
from sync.relay.blobs import BlobStore
from sync.relay.config import RelaySettings
from sync.relay.guard import (
    NonceCache,
    RateLimiter,
    Refused,
    Roster,
    RosterCache,
    authenticate,
    forbidden,
    load_allowed_devices,
    store_refusal,
    unauthenticated,
)
from sync.relay.hub import Hub, PostgresListener
from sync.relay.store import RelayStore, StoreError
from sync.relay.writer import GroupWriter

log = logging.getLogger("cordon.relay")

CONTENT_ROLES = ("coordinator", "participant")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "cordon_relay_requests", "HTTP requests", ["method", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "cordon_relay_request_seconds", "Request handling time", registry=self.registry
        )
        self.packages = Counter(
            "cordon_relay_packages_stored", "Packages stored", registry=self.registry
        )
        self.package_bytes = Counter(
            "cordon_relay_package_bytes_stored", "Package bytes stored", registry=self.registry
        )
        self.duplicates = Counter(
            "cordon_relay_packages_duplicate", "Packages received again", registry=self.registry
        )
        self.group_commits = Counter(
            "cordon_relay_group_commits", "Package write transactions", registry=self.registry
        )
        self.waiters = Gauge(
            "cordon_relay_waiters", "Long polls and event streams waiting", registry=self.registry
        )
        self.refusals = Counter(
            "cordon_relay_refusals", "Refused requests by reason", ["code"], registry=self.registry
        )


@dataclass
class Relay:
    settings: RelaySettings
    store: RelayStore
    blobs: BlobStore
    hub: Hub
    rosters: RosterCache
    nonces: NonceCache
    rates: RateLimiter
    creations: RateLimiter  # operations and invitations, per device and per address
    allowed_devices: frozenset[str] | None
    writer: GroupWriter
    metrics: Metrics
    listener: PostgresListener | None = None

    @property
    def shared(self) -> bool:
        """True with PostgreSQL: several instances may serve the same operations."""
        return self.store.postgres

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.hub.bind(loop)
        self.hub.on_commit = self.rosters.forget
        self.writer.start()
        if self.store.postgres and self.settings.database_url:
            dsn = self.settings.database_url.replace("postgresql+psycopg://", "postgresql://")
            self.listener = PostgresListener(dsn, self.hub, loop)
            await run_in_threadpool(self.listener.start)

    async def stop(self) -> None:
        await run_in_threadpool(self.writer.stop)
        if self.listener is not None:
            await run_in_threadpool(self.listener.stop)
        self.store.engine.dispose()

    # --- request helpers --------------------------------------------------------------------

    async def read_body(self, request: Request, limit: int) -> bytes:
        """The whole body, refusing with 413 as soon as it passes ``limit`` bytes."""
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise Refused(400, "bad_request", "The Content-Length header is not a number.")
            if int(declared) > limit:
                raise Refused(413, "too_large", "The request body is too large.")
        chunks: list[bytes] = []
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise Refused(413, "too_large", "The request body is too large.")
            chunks.append(chunk)
        return b"".join(chunks)

    async def roster(self, operation_id: bytes) -> Roster:
        cached = self.rosters.cached(operation_id)
        if cached is not None:
            return cached
        try:
            return await run_in_threadpool(self.rosters.load, operation_id)
        except StoreError as exc:
            raise store_refusal(exc) from exc

    async def authorize(
        self,
        request: Request,
        operation_id: bytes,
        body: bytes = b"",
        roles: tuple[str, ...] | None = None,
        body_sha256: bytes | None = None,
        *,
        again: bool = False,
    ) -> tuple[Member, Roster]:
        """Authenticate the request against the operation's roster and check the role.

        ``again``: the same request once more after the roster changed (its nonce is spent).
        """
        try:
            auth = parse_auth_headers(request.headers)
        except ProtocolError as exc:
            raise unauthenticated(str(exc)) from exc
        roster = await self.roster(operation_id)
        scope = request.scope
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        digest = body_sha256 if body_sha256 is not None else body_digest(body)
        nonces = None if again else self.nonces
        member = authenticate(roster, auth, request.method, path, query, digest, nonces)
        if not again and self.nonces.needs_shared(request.method):
            await run_in_threadpool(self.nonces.shared_check, auth, time.time())
        if not again:
            self.rates.check(auth.key_id)
        if roles is not None and member.role not in roles:
            raise forbidden("This device's role does not allow this action.")
        request.state.device = auth.key_id
        return member, roster


def json_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def cbor_response(value: Any, status: int = 200) -> Response:
    return Response(cbor2.dumps(value, canonical=True), status, media_type="application/cbor")


def parse_operation_id(value: str) -> bytes:
    message = "The operation id must be 32 hexadecimal digits."
    if len(value) != 32:
        raise Refused(400, "bad_operation_id", message)
    try:
        return bytes.fromhex(value)
    except ValueError as exc:
        raise Refused(400, "bad_operation_id", message) from exc


def build_relay(settings: RelaySettings) -> Relay:
    """Connect the storage, migrate the schema, and assemble the parts (no threads yet)."""
    from sync.relay.schema import migrate
    from sync.relay.store import make_engine, sqlite_url

    data = Path(settings.data_dir)
    url = settings.database_url or sqlite_url(data)
    engine = make_engine(url)
    migrate(engine)
    store = RelayStore(engine)
    authoritative = not store.postgres
    blob_root = None if store.postgres else data / "blobs"
    if blob_root is not None:
        blob_root.mkdir(parents=True, exist_ok=True)
    hub = Hub(authoritative=authoritative)
    metrics = Metrics()
    data.mkdir(parents=True, exist_ok=True)
    replay_file = data / "replay-bound"  # per instance: see NonceCache

    def on_stored(batches: list[Any]) -> None:
        metrics.group_commits.inc()
        for batch in batches:
            metrics.packages.inc(len(batch.stored))
            metrics.package_bytes.inc(sum(len(raw) for _seq, raw in batch.stored))
        hub.stored(batches)

    return Relay(
        settings=settings,
        store=store,
        blobs=BlobStore(store, blob_root),
        hub=hub,
        rosters=RosterCache(store, authoritative),
        nonces=(
            NonceCache(
                store.remember_nonce,
                store.purge_nonces,
                bound_file=replay_file,
                shared_reads=settings.replay_check_reads_shared,
            )
            if store.postgres
            else NonceCache(bound_file=replay_file)
        ),
        rates=RateLimiter(settings.rate_per_second, settings.rate_burst),
        creations=RateLimiter(
            settings.creation_per_hour / 3600,
            settings.creation_burst,
            "Too many operations or invitations created from here; try again later.",
        ),
        allowed_devices=load_allowed_devices(settings.allowed_devices_file),
        writer=GroupWriter(store, on_stored),
        metrics=metrics,
    )
