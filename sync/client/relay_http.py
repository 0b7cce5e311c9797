"""A blocking HTTP client for the relay API that signs every request with the device's key.

Used by the sync engine, the CLI and the relay's own tests. Every method maps a refusal to
:class:`RelayError` (with the HTTP status and the relay's error code) and a network failure to
:class:`RelayUnavailable`, both CordonErrors with one translated sentence.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlencode, urlsplit

import cbor2
import requests

from locales import _
from sync.errors import CordonError
from sync.primitives import cbor_strict
from sync.protocol.auth import NOT_BEFORE_HEADER, Signer, sign_request

TUS_VERSION = "1.0.0"
UPLOAD_CHUNK = 4 * 1024 * 1024


class RelayError(CordonError):
    """The relay refused a request; ``status`` and ``code`` say why."""

    def __init__(
        self, message: str, status: int, code: str, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after


class RelayUnavailable(CordonError):
    """The relay could not be reached (network down, relay stopped, timeout)."""


@dataclass(frozen=True)
class PostResult:
    package_id: str  # hex SHA-256 of the package bytes
    cursor: int
    duplicate: bool  # the relay already held it (stored once)


@dataclass(frozen=True)
class FetchResult:
    packages: list[tuple[int, bytes]]  # (cursor, raw package) in cursor order
    cursor: int  # pass as ``after`` next time


@dataclass(frozen=True)
class JoinRequestRecord:
    request_id: str
    raw: bytes  # decode with sync.protocol.decode_join_request
    received_at: int


class RelayClient:
    """One device talking to one relay. Thread-safe for separate calls only if sessions are."""

    def __init__(
        self,
        base_url: str,
        identity: Signer | None,
        *,
        timeout: float = 40.0,
        session: requests.Session | None = None,
        verify: bool | str = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._prefix = urlsplit(self.base_url).path
        self.identity = identity
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.verify = verify

    # --- plumbing ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        signed: bool = True,
        timeout: float | None = None,
        stream: bool = False,
        ok: Sequence[int] = (200, 201, 202, 204, 206),
    ) -> requests.Response:
        """Send one request; the signature covers exactly the path and query sent."""
        query = urlencode(params or {})
        full_path = self._prefix + path
        url = self.base_url + path + ("?" + query if query else "")
        if signed and self.identity is None:
            raise RelayError(_("This relay request needs a device identity."), 0, "no_identity")
        not_before: float | None = None
        for attempt in range(2):
            all_headers = dict(headers or {})
            if signed and self.identity is not None:
                now = time.time() if not_before is None else max(time.time(), not_before)
                all_headers.update(
                    sign_request(self.identity, method, full_path, query, body, now=now)
                )
            try:
                response = self.session.request(
                    method,
                    url,
                    data=body or None,
                    headers=all_headers,
                    timeout=timeout or self.timeout,
                    stream=stream,
                )
            except requests.RequestException as exc:
                raise RelayUnavailable(
                    _("The relay at {url} cannot be reached.").format(url=self.base_url)
                ) from exc
            if signed and attempt == 0 and _replayed(response):
                # A duplicated or pre-restart signature, not a refusal of this device: sign the
                # same request again, no earlier than the relay asks (docs/protocol.md).
                not_before = _not_before(response)
                response.close()
                continue
            break
        if response.status_code not in ok:
            raise _error(response)
        return response

    @staticmethod
    def _op(operation_id: bytes) -> str:
        return "/v1/operations/" + operation_id.hex()

    # --- operations and commits -------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return _json_map(self.request("GET", "/healthz", signed=False))

    def create_operation(self, genesis: bytes) -> dict[str, Any]:
        """Post the genesis commit (signed by its author, who signs this request too)."""
        response = self.request(
            "POST", "/v1/operations", body=genesis, headers={"Content-Type": "application/cbor"}
        )
        return _json_map(response)

    def operation_state(self, operation_id: bytes) -> dict[str, Any]:
        """{"epoch", "hash", "cursor"} of the operation."""
        return _json_map(self.request("GET", self._op(operation_id)))

    def post_commit(self, operation_id: bytes, commit: bytes) -> dict[str, Any]:
        response = self.request(
            "POST",
            self._op(operation_id) + "/commits",
            body=commit,
            headers={"Content-Type": "application/cbor"},
        )
        return _json_map(response)

    def commits(self, operation_id: bytes, after: int = -1, limit: int = 100) -> list[bytes]:
        """Raw commits with epoch > ``after``, oldest first (verify with verify_chain)."""
        response = self.request(
            "GET", self._op(operation_id) + "/commits", params={"after": after, "limit": limit}
        )
        with _reading(response):
            raws = _list(_map(_cbor(response), "commits")["commits"], limit)
            return [_bytes(raw) for raw in raws]

    def close_operation(self, operation_id: bytes) -> None:
        """Coordinators, after posting the closing commit: purge the operation on the relay."""
        self.request("DELETE", self._op(operation_id))

    def closing_commit(self, operation_id: bytes) -> bytes | None:
        """The closing commit a closed operation's tombstone keeps, or None if there is none."""
        try:
            response = self.request("GET", self._op(operation_id) + "/closing")
        except RelayError as exc:
            if exc.status in (401, 403, 404, 410):
                return None
            raise
        value = _cbor(response)
        raw = value.get("commit") if isinstance(value, dict) else None
        return bytes(raw) if isinstance(raw, bytes) else None

    # --- packages ---------------------------------------------------------------------------

    def post_packages(self, operation_id: bytes, packages: Sequence[bytes]) -> list[PostResult]:
        """Store a batch; returns once the relay holds it durably (duplicates are harmless)."""
        body = cbor2.dumps(list(packages))
        response = self.request(
            "POST",
            self._op(operation_id) + "/packages",
            body=body,
            headers={"Content-Type": "application/cbor"},
        )
        with _reading(response):
            results = _list(_map(response.json(), "results")["results"], len(packages))
            if len(results) != len(packages):
                raise ValueError("one result per package")
            found = []
            for item in results:
                entry = _map(item, "package_id", "cursor", "duplicate")
                if not isinstance(entry["duplicate"], bool):
                    raise ValueError("duplicate")
                found.append(
                    PostResult(
                        _text(entry["package_id"]), _int(entry["cursor"]), entry["duplicate"]
                    )
                )
            return found

    def fetch_packages(
        self, operation_id: bytes, after: int = 0, limit: int = 500, wait: int = 0
    ) -> FetchResult:
        """Packages after cursor ``after``; ``wait`` > 0 long-polls up to that many seconds."""
        params = {"after": after, "limit": limit, "wait": wait}
        response = self.request(
            "GET",
            self._op(operation_id) + "/packages",
            params=params,
            timeout=self.timeout + wait,
        )
        with _reading(response):
            data = _map(_cbor(response), "packages", "cursor")
            packages = []
            last = after
            for pair in _list(data["packages"], limit):
                pair = _list(pair, 2)
                if len(pair) != 2:
                    raise ValueError("a package entry is [cursor, package]")
                cursor = _int(pair[0])
                if cursor <= last:  # cursors only go forward, past ``after``
                    raise ValueError("cursor order")
                packages.append((cursor, _bytes(pair[1])))
                last = cursor
            cursor = _int(data["cursor"])
            if cursor < last or (packages and cursor <= after):
                raise ValueError("page cursor")
            return FetchResult(packages, cursor)

    def events(self, operation_id: bytes, after: int = 0) -> Iterator[tuple[int, bytes]]:
        """Server-sent events: yields (cursor, raw package) as they arrive, until closed."""
        response = self.request(
            "GET",
            self._op(operation_id) + "/events",
            params={"after": after},
            stream=True,
            timeout=60,
            headers={"Accept": "text/event-stream"},
        )
        with response:
            event_id: int | None = None
            kind = ""
            data = b""
            for line in response.iter_lines():
                if not line:
                    if kind == "closed":
                        return
                    if kind == "package" and event_id is not None:
                        yield event_id, base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))
                    event_id, kind, data = None, "", b""
                elif line.startswith(b"id: "):
                    event_id = int(line[4:])
                elif line.startswith(b"event: "):
                    kind = line[7:].decode("ascii", "replace")
                elif line.startswith(b"data: "):
                    data = line[6:]

    # --- invitations and join requests ------------------------------------------------------

    def register_invitation(
        self, operation_id: bytes, invitation_id: bytes, ttl_seconds: int | None = None
    ) -> None:
        """Coordinators: register the invitation id (a hash of the code's one-time token)."""
        document: dict[str, Any] = {"token_hash": invitation_id.hex()}
        if ttl_seconds is not None:
            document["ttl_seconds"] = ttl_seconds
        body = _json_bytes(document)
        self.request(
            "POST",
            self._op(operation_id) + "/invitations",
            body=body,
            headers={"Content-Type": "application/json"},
        )

    def post_join_request(self, operation_id: bytes, request: bytes) -> str:
        """A joiner posts its signed join request (no device signature: it is not a member)."""
        response = self.request(
            "POST",
            self._op(operation_id) + "/join-requests",
            body=request,
            signed=False,
            headers={"Content-Type": "application/cbor"},
        )
        with _reading(response):
            return _text(_map(response.json(), "request_id")["request_id"])

    def join_requests(self, operation_id: bytes) -> list[JoinRequestRecord]:
        response = self.request("GET", self._op(operation_id) + "/join-requests")
        with _reading(response):
            found = []
            for item in _list(_map(_cbor(response), "requests")["requests"], 10_000):
                entry = _map(item, "id", "request", "received_at")
                found.append(
                    JoinRequestRecord(
                        _text(entry["id"]), _bytes(entry["request"]), _int(entry["received_at"])
                    )
                )
            return found

    def dismiss_join_request(self, operation_id: bytes, request_id: str) -> None:
        self.request("DELETE", self._op(operation_id) + "/join-requests/" + request_id)

    # --- blobs ------------------------------------------------------------------------------

    def tus_creation_headers(self, operation_id: bytes) -> dict[str, str]:
        """Signed headers for ONE tus creation POST (empty body), e.g. for tuspy's TusClient."""
        assert self.identity is not None
        path = self._prefix + self._op(operation_id) + "/blobs"
        return sign_request(self.identity, "POST", path, "", b"")

    def blobs_url(self, operation_id: bytes) -> str:
        return self.base_url + self._op(operation_id) + "/blobs"

    def create_upload(
        self, operation_id: bytes, length: int, sha256: bytes | None = None
    ) -> tuple[str, str]:
        """tus creation; returns (upload URL, blob id)."""
        headers = {"Tus-Resumable": TUS_VERSION, "Upload-Length": str(length)}
        if sha256 is not None:
            encoded = base64.b64encode(sha256.hex().encode("ascii")).decode("ascii")
            headers["Upload-Metadata"] = "sha256 " + encoded
        response = self.request(
            "POST", self._op(operation_id) + "/blobs", headers=headers, ok=(201,)
        )
        with _reading(response):
            return response.headers["Location"], response.headers["Cordon-Blob-Id"]

    def upload_offset(self, upload_url: str) -> int:
        response = self._upload_call("HEAD", upload_url, {})
        with _reading(response):
            return _int(int(response.headers["Upload-Offset"]))

    def upload_blob(
        self,
        operation_id: bytes,
        data: bytes | IO[bytes],
        *,
        chunk_size: int = UPLOAD_CHUNK,
        upload_url: str | None = None,
    ) -> str:
        """Upload (or resume, given ``upload_url``) a blob in chunks; returns its blob id."""
        stream = io.BytesIO(data) if isinstance(data, bytes) else data
        stream.seek(0, io.SEEK_END)
        length = stream.tell()
        if upload_url is None:
            digest = hashlib.sha256()
            stream.seek(0)
            for piece in iter(lambda: stream.read(1024 * 1024), b""):
                digest.update(piece)
            upload_url, blob_id = self.create_upload(operation_id, length, digest.digest())
            offset = 0
        else:
            response = self._upload_call("HEAD", upload_url, {})
            with _reading(response):
                offset = int(response.headers["Upload-Offset"])
                blob_id = response.headers["Cordon-Blob-Id"]
                if not 0 <= offset <= length:
                    raise ValueError("offset")
        while offset < length:
            stream.seek(offset)
            chunk = stream.read(chunk_size)
            response = self._upload_call(
                "PATCH",
                upload_url,
                {
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                },
                chunk,
            )
            with _reading(response):
                moved = int(response.headers["Upload-Offset"])
                if not offset < moved <= length:  # every chunk must move the upload forward
                    raise ValueError("offset")
            offset = moved
        return blob_id

    def _upload_call(
        self, method: str, upload_url: str, headers: dict[str, str], body: bytes = b""
    ) -> requests.Response:
        path = urlsplit(upload_url).path
        if path.startswith(self._prefix):
            path = path[len(self._prefix) :]
        return self.request(
            method,
            path,
            body=body,
            headers={"Tus-Resumable": TUS_VERSION, **headers},
            signed=False,  # the upload URL is the capability (see docs/relay.md)
        )

    def download_blob(
        self, operation_id: bytes, blob_id: str, start: int | None = None, end: int | None = None
    ) -> bytes:
        """The blob, or bytes [start, end] inclusive when a range is given."""
        headers = {}
        if start is not None or end is not None:
            first = "" if start is None else str(start)
            last = "" if end is None else str(end)
            headers["Range"] = f"bytes={first}-{last}"
        response = self.request(
            "GET", self._op(operation_id) + "/blobs/" + blob_id, headers=headers
        )
        return response.content


def _json_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


class MalformedAnswer(ValueError):
    """Raised inside ``_reading`` when an answer does not have the expected shape."""


@contextlib.contextmanager
def _reading(response: requests.Response) -> Iterator[None]:
    """Read an answer strictly: any shape other than the one expected becomes ONE sentence
    (a RelayError with code ``bad_answer``), never a TypeError or KeyError."""
    try:
        yield
    except RelayError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
        raise RelayError(
            _("The relay sent a damaged answer."),
            response.status_code,
            "bad_answer",
        ) from exc


def _json_map(response: requests.Response) -> dict[str, Any]:
    with _reading(response):
        value = response.json()
        if not isinstance(value, dict):
            raise MalformedAnswer("not a map")
        return value


def _map(value: Any, *keys: str) -> dict[Any, Any]:
    if not isinstance(value, dict) or any(k not in value for k in keys):
        raise MalformedAnswer("missing fields")
    return value


def _list(value: Any, limit: int) -> list[Any]:
    if not isinstance(value, list) or len(value) > limit:
        raise MalformedAnswer("not a list of the allowed length")
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise MalformedAnswer("not a count")
    return value


def _bytes(value: Any) -> bytes:
    if not isinstance(value, bytes):
        raise MalformedAnswer("not bytes")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise MalformedAnswer("not text")
    return value


def _cbor(response: requests.Response) -> Any:
    try:  # the relay is not trusted: the same strict, bounded decoder as for everything else
        return cbor_strict.loads(response.content, canonical=False)
    except cbor_strict.CBORError as exc:
        raise RelayError(
            _("The relay sent a damaged answer."), response.status_code, "bad_answer"
        ) from exc


def _replayed(response: requests.Response) -> bool:
    """True for the relay's 401 ``replayed``: the signature was spent, the device is fine."""
    if response.status_code != 401 or NOT_BEFORE_HEADER not in response.headers:
        return False
    try:
        document = json.loads(response.content[:4096])
    except ValueError:
        return False
    return isinstance(document, dict) and document.get("error") == "replayed"


def _not_before(response: requests.Response) -> float | None:
    value = response.headers.get(NOT_BEFORE_HEADER, "")
    if not value.isdigit() or len(value) > 12:
        return None
    return float(value)


def _error(response: requests.Response) -> RelayError:
    code = "http_error"
    detail = ""
    try:
        document = response.json()
        if isinstance(document, dict):
            code = str(document.get("error", code))[:64]
            # The relay's own words, shown to the officer: one short line of printable text.
            detail = "".join(c for c in str(document.get("message", "")) if c.isprintable())[:200]
    except ValueError:
        pass
    retry = response.headers.get("Retry-After")
    retry_after = float(retry) if retry and retry.isdigit() else None
    status = response.status_code
    if status == 410:
        message = _("This operation has been closed on the relay.")
    elif status in (401, 403):
        message = _("The relay refused this device: {detail}").format(detail=detail or status)
    elif status == 429 and code in ("rate_limited", "http_error"):
        message = _("The relay asks this device to slow down.")
    elif status == 413:
        message = _("The relay refused the data as too large: {detail}").format(
            detail=detail or status
        )
    else:
        message = _("The relay refused the request ({status}): {detail}").format(
            status=status, detail=detail or code
        )
    return RelayError(message, status, code, retry_after)
