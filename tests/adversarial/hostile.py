"""A scripted hostile relay: a proxy in front of the REAL relay process, and direct edits of the
relay's database.

The proxy (:class:`HostileRelay`) listens on a free loopback port and forwards every request to
the real ``cordon-relay serve``; a test scripts what the relay operator does with rules matched
on the method and path:

- ``rewrite``: change the real answer (``respond=lambda request, answer: ...``);
- ``withhold``/``reorder``/``replay``: the same, on the decoded CBOR answer (see the helpers
  ``withhold_packages``, ``reorder_packages``, ``Recorder``);
- ``forge``: answer without asking the relay (``answer=lambda request: Answer(...)``).

Every exchange is logged in ``proxy.log`` so a test can assert what the victim asked for.
Requests pass through unchanged (the device signs each one; the relay checks the signature).
"""

from __future__ import annotations

import http.client
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import cbor2

from sync.protocol import decode_commit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass(frozen=True)
class Request:
    """One request from a victim, as it reached the proxy."""

    method: str
    path: str  # without the query
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def device(self) -> str | None:
        """The device id (hex) that signed the request, if it is signed."""
        for name, value in self.headers.items():
            if name.lower() == "cordon-key-id":
                return value
        return None

    @property
    def operation_id(self) -> str | None:
        found = re.match(r"/v1/operations/([0-9a-f]{32})", self.path)
        return found.group(1) if found else None


@dataclass(frozen=True)
class Answer:
    """One answer to a victim."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def cbor(self) -> Any:
        return cbor2.loads(self.body)

    def with_cbor(self, value: Any) -> Answer:
        headers = {**self.headers, "Content-Type": "application/cbor"}
        return replace(self, body=cbor2.dumps(value), headers=headers)


Respond = Callable[[Request, Answer], Answer]
Forge = Callable[[Request], Answer]


@dataclass
class Rule:
    """What the hostile relay does to requests matching ``method`` and the ``path`` regex."""

    method: str
    path: str
    respond: Respond | None = None
    answer: Forge | None = None
    times: int | None = None  # None: every time
    device: str | None = None  # only requests signed by this device (hex id)
    hits: int = 0

    def matches(self, request: Request) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.device is not None and request.device != self.device:
            return False
        return self.method == request.method and re.fullmatch(self.path, request.path) is not None


@dataclass(frozen=True)
class Exchange:
    request: Request
    answer: Answer
    scripted: bool  # a rule changed or forged the answer


class HostileRelay:
    """A proxy on a free loopback port in front of the relay at ``upstream`` (http://host:port)."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.rules: list[Rule] = []
        self.log: list[Exchange] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    self.command,
                    parts.path,
                    {k: v[-1] for k, v in parse_qs(parts.query).items()},
                    {k: v for k, v in self.headers.items()},
                    body,
                )
                answer, scripted = proxy._answer(request, self.path)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)
                with proxy._lock:
                    proxy.log.append(Exchange(request, answer, scripted))

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- scripting -------------------------------------------------------------------------

    def on(
        self,
        method: str,
        path: str,
        *,
        respond: Respond | None = None,
        answer: Forge | None = None,
        times: int | None = None,
        device: str | None = None,
    ) -> Rule:
        """Add a rule; the first matching rule acts. ``path`` is a regex over the whole path
        (``OP`` stands for any operation id)."""
        rule = Rule(method, path.replace("OP", "[0-9a-f]{32}"), respond, answer, times, device)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    @contextmanager
    def honest(self) -> Iterator[None]:
        """Pass everything through for the block, then restore the rules."""
        with self._lock:
            saved, self.rules = self.rules, []
        try:
            yield
        finally:
            with self._lock:
                self.rules = saved

    def requests(self, method: str, path: str) -> list[Request]:
        pattern = path.replace("OP", "[0-9a-f]{32}")
        return [
            e.request
            for e in list(self.log)
            if e.request.method == method and re.fullmatch(pattern, e.request.path)
        ]

    # -- serving ---------------------------------------------------------------------------

    def _answer(self, request: Request, raw_path: str) -> tuple[Answer, bool]:
        with self._lock:
            rule = next((r for r in self.rules if r.matches(request)), None)
            if rule is not None:
                rule.hits += 1
        if rule is not None and rule.answer is not None:
            return rule.answer(request), True
        answer = self.forward(request, raw_path)
        if rule is not None and rule.respond is not None:
            return rule.respond(request, answer), True
        return answer, False

    def forward(self, request: Request, raw_path: str | None = None) -> Answer:
        """Ask the real relay (the request exactly as the victim sent it)."""
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=120)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
            if request.body:
                headers["Content-Length"] = str(len(request.body))
            path = raw_path or request.path
            conn.request(request.method, path, body=request.body or None, headers=headers)
            response = conn.getresponse()
            body = response.read()
            return Answer(response.status, body, dict(response.getheaders()))
        finally:
            conn.close()

    def start(self) -> HostileRelay:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# -- answers the hostile relay gives ------------------------------------------------------------


def packages_of(answer: Answer) -> list[tuple[int, bytes]]:
    """The (cursor, package) pairs of a package page."""
    return [(int(c), bytes(p)) for c, p in answer.cbor()["packages"]]


def page(packages: list[tuple[int, bytes]], cursor: int) -> Answer:
    """A package page as the relay would send it."""
    return Answer(200).with_cbor({"packages": [[c, p] for c, p in packages], "cursor": cursor})


def withhold_packages(keep: Callable[[bytes], bool]) -> Respond:
    """Drop from each package page the packages ``keep`` says no to."""

    def respond(_request: Request, answer: Answer) -> Answer:
        if answer.status != 200:
            return answer
        data = answer.cbor()
        data["packages"] = [[c, p] for c, p in data["packages"] if keep(bytes(p))]
        return answer.with_cbor(data)

    return respond


def inject_packages(extra: list[bytes], gap: int = 1000) -> Respond:
    """Add packages the relay never stored to a page (cursors far after the real ones); use
    with ``times=1``."""

    def respond(request: Request, answer: Answer) -> Answer:
        if answer.status != 200:
            return answer
        data = answer.cbor()
        base = max(int(data["cursor"]), int(request.query.get("after", "0"))) + gap
        data["packages"] = list(data["packages"]) + [[base + n, p] for n, p in enumerate(extra)]
        data["cursor"] = base + len(extra) - 1
        return answer.with_cbor(data)

    return respond


def reorder_packages(_request: Request, answer: Answer) -> Answer:
    """Serve each package page backwards."""
    if answer.status != 200:
        return answer
    data = answer.cbor()
    data["packages"] = list(reversed(data["packages"]))
    return answer.with_cbor(data)


def withhold_commits_after(epoch: int) -> Respond:
    """Hide every commit of an epoch after ``epoch`` (a withheld roster change)."""

    def respond(_request: Request, answer: Answer) -> Answer:
        if answer.status != 200:
            return answer
        data = answer.cbor()
        data["commits"] = [c for c in data["commits"] if decode_commit(bytes(c)).epoch <= epoch]
        return answer.with_cbor(data)

    return respond


class Recorder:
    """Keeps the answers it sees (``respond=recorder``) to replay them later (``answer=``)."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []

    def __call__(self, _request: Request, answer: Answer) -> Answer:
        self.answers.append(answer)
        return answer

    def replay(self, index: int = -1) -> Forge:
        return lambda _request: self.answers[index]


# -- the relay's database, edited directly ------------------------------------------------------


class RelayDatabase:
    """Direct reads and edits of a SQLite relay's ``relay.db`` (the operator's own access)."""

    def __init__(self, data: Path) -> None:
        self.path = data / "relay.db"

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            yield conn
            conn.commit()
        finally:
            conn.close()

    def tables(self) -> list[str]:
        with self.connect() as conn:
            return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.connect() as conn:
            return list(conn.execute(sql, params).fetchall())
