"""Issue 20 item 4: upload requests with random tokens leave nothing behind in the relay.

In process (the state to inspect is the relay's own): unauthenticated PATCHes with random
tokens, to an operation that exists and to one that does not, then concurrent PATCHes of one
real upload; afterwards the per-upload lock table is empty and the upload is intact.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path
from typing import Any

from sync.client.relay_http import TUS_VERSION
from sync.primitives.identity import Identity
from sync.protocol import create_genesis
from sync.protocol.auth import sign_request
from sync.relay import routes_blobs
from sync.relay.app import create_app
from sync.relay.config import RelaySettings
from tests.sync.relay.conftest import INFO

PATCH = {
    "Tus-Resumable": TUS_VERSION,
    "Upload-Offset": "0",
    "Content-Type": "application/offset+octet-stream",
}


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status_code, self.headers, self.text = status, headers, body.decode(errors="replace")


async def _call(
    app: Any, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> Answer:
    """One HTTP request through the ASGI application, as uvicorn would pass it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"content-length", str(len(body)).encode()), (b"host", b"relay")],
        "client": ("127.0.0.1", 5000),
        "server": ("relay", 80),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    answer_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    content = b"".join(m.get("body", b"") for m in sent[1:])
    return Answer(start["status"], answer_headers, content)


def test_random_upload_tokens_leave_nothing_behind(tmp_path: Path) -> None:
    asyncio.run(_scenario(tmp_path))


async def _scenario(tmp_path: Path) -> None:
    settings = RelaySettings(data_dir=str(tmp_path / "relay"), rate_per_second=0)
    coord = Identity.generate()
    genesis, _secret = create_genesis(coord, name="A", agency="B", country="FR", info=INFO)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        headers = sign_request(coord, "POST", "/v1/operations", "", genesis.raw)
        created = await _call(app, "POST", "/v1/operations", headers, genesis.raw)
        assert created.status_code == 201, created.text
        op = genesis.operation_id.hex()
        for operation in (op, os.urandom(16).hex()):
            for _ in range(300):
                token = secrets.token_urlsafe(32)
                path = f"/v1/operations/{operation}/uploads/{token}"
                answer = await _call(app, "PATCH", path, PATCH, b"x" * 10)
                assert answer.status_code in (403, 404), answer.text
        assert routes_blobs._locks == {}
        # A real upload still works, in two PATCHes, and leaves no lock behind either.
        blob = os.urandom(5000)
        path = f"/v1/operations/{op}/blobs"
        create = {"Tus-Resumable": TUS_VERSION, "Upload-Length": str(len(blob))}
        signed = sign_request(coord, "POST", path, "", b"")
        created = await _call(app, "POST", path, {**create, **signed})
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        upload = location[location.index("/v1/") :]
        first = await _call(app, "PATCH", upload, PATCH, blob[:3000])
        assert first.status_code == 204, first.text
        stale = await _call(app, "PATCH", upload, PATCH, blob[:10])  # wrong offset
        assert stale.status_code == 409
        rest = await _call(app, "PATCH", upload, {**PATCH, "Upload-Offset": "3000"}, blob[3000:])
        assert rest.status_code == 204, rest.text
        assert routes_blobs._locks == {}
