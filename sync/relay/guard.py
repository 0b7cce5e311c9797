"""Who may do what: request authentication against the roster, replay cache, rate limits.

The roster is the latest commit the relay verified itself. In single-process (SQLite) mode the
cached commit is authoritative; with PostgreSQL every request checks the current epoch in the
database, so a removal accepted by any instance takes effect on all of them at once.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from locales import _
from sync.errors import ProtocolError, UsageError
from sync.protocol import Commit, Member, decode_commit
from sync.protocol.auth import (
    CLOCK_WINDOW_SECONDS,
    NOT_BEFORE_HEADER,
    RequestAuth,
    check_fresh,
    verify_request,
)
from sync.relay.store import RelayStore, StoreError


class Refused(Exception):
    """An HTTP refusal with a JSON error body."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def unauthenticated(message: str) -> Refused:
    return Refused(401, "unauthenticated", message)


def forbidden(message: str) -> Refused:
    return Refused(403, "forbidden", message)


@dataclass(frozen=True)
class Roster:
    """The verified latest commit of one operation."""

    epoch: int
    commit: Commit

    def member(self, device_id: bytes) -> Member | None:
        return self.commit.member(device_id)


class RosterCache:
    """Decoded latest commits per operation (decoding and re-verifying is the costly part)."""

    def __init__(self, store: RelayStore, authoritative: bool) -> None:
        self.store = store
        self.authoritative = authoritative
        self._cache: OrderedDict[bytes, Roster] = OrderedDict()

    def put(self, operation_id: bytes, commit: Commit) -> None:
        self._cache[operation_id] = Roster(commit.epoch, commit)
        self._cache.move_to_end(operation_id)
        while len(self._cache) > 1024:
            self._cache.popitem(last=False)

    def forget(self, operation_id: bytes) -> None:
        self._cache.pop(operation_id, None)

    def cached(self, operation_id: bytes) -> Roster | None:
        """The cached roster when it can be trusted without asking the database."""
        return self._cache.get(operation_id) if self.authoritative else None

    def peek(self, operation_id: bytes) -> Roster | None:
        """The cached roster even when not authoritative: commits and closes announced by any
        instance (NOTIFY) drop it, so it lags the database only by that notification's trip."""
        return self._cache.get(operation_id)

    def load(self, operation_id: bytes) -> Roster:
        """Blocking: the current roster (checks the epoch in the database; 404/410 raised)."""
        if not self.authoritative:
            state = self.store.state(operation_id)
            roster = self._cache.get(operation_id)
            if roster is not None and roster.epoch == state.epoch:
                return roster
        else:
            roster = self._cache.get(operation_id)
            if roster is not None:
                return roster
        _epoch, raw = self.store.latest_commit(operation_id)
        # Stored commits were verified on arrival; decoding is enough here.
        commit = decode_commit(raw)
        self.put(operation_id, commit)
        return Roster(commit.epoch, commit)


class NonceCache:
    """Replay protection: nonces seen within the clock window, per device, plus a restart floor.

    A second use of a nonce is a replay. The nonces live in memory only, so a restart forgets
    them. To keep a restart from reopening them, the relay keeps a high-water mark ``bound``
    that is never below the timestamp of any request it accepted, persisted *ahead* (to
    ``bound_file``) in steps of ``LEASE_SECONDS``: one small synchronous write per step, not one
    per request. After a restart (clean or ``kill -9``), every request signed at or before the
    previous run's bound is refused with 401 ``replayed`` and a ``Cordon-Not-Before`` header;
    the client signs again with a timestamp no earlier than that (docs/protocol.md).

    With PostgreSQL, each instance has its own cache and bound file; ``shared`` (the database
    nonce table) is asked only for requests that change something (see :meth:`needs_shared`).
    """

    LEASE_SECONDS = 30

    def __init__(
        self,
        shared: Callable[[str, float], bool] | None = None,
        purge: Callable[[], None] | None = None,
        *,
        bound_file: Path | None = None,
        shared_reads: bool = False,
    ) -> None:
        self._seen: dict[str, float] = {}
        self._next_purge = 0.0
        self._next_shared_purge = 0.0
        self.shared = shared  # PostgreSQL: remember_nonce, shared by every instance
        self.purge = purge  # PostgreSQL: drop nonces older than the clock window
        self.shared_reads = shared_reads
        self.bound_file = bound_file
        previous = _read_bound(bound_file)
        self.not_before = previous + 1 if previous else 0  # refuse timestamps below this
        self.bound = previous  # every accepted timestamp is <= bound, persisted

    def _raise_bound(self, timestamp: int, now: float) -> None:
        """Persist a new bound above ``timestamp`` before accepting it (the rare path)."""
        # Not timestamp + lease: a fast client's timestamp (up to +300 s) must not push the
        # floor after a restart beyond what honest clients can sign within the clock window.
        bound = max(timestamp, int(now) + self.LEASE_SECONDS)
        if self.bound_file is not None:
            _write_bound(self.bound_file, bound)
        self.bound = bound

    def local_check(self, auth: RequestAuth, now: float) -> None:
        if auth.timestamp < self.not_before:
            raise replayed(
                "This request was signed before the relay restarted; sign it again.",
                self.not_before,
            )
        if now >= self._next_purge:
            self._seen = {key: exp for key, exp in self._seen.items() if exp > now}
            self._next_purge = now + 30
        key = auth.key_id + ":" + auth.nonce
        if key in self._seen:
            raise replayed("This request was already received; sign it again.", self.not_before)
        if auth.timestamp > self.bound:
            self._raise_bound(auth.timestamp, now)
        self._seen[key] = now + 2 * CLOCK_WINDOW_SECONDS + 5

    def needs_shared(self, method: str) -> bool:
        """True if this request must also be checked against the shared (database) nonces."""
        if self.shared is None:
            return False
        return self.shared_reads or method.upper() not in ("GET", "HEAD", "OPTIONS")

    def shared_check(self, auth: RequestAuth, now: float) -> None:
        """Blocking (database): call from a worker thread in PostgreSQL mode."""
        if self.shared is None:
            return
        if self.purge is not None and now >= self._next_shared_purge:
            self._next_shared_purge = now + 60
            self.purge()
        key = auth.key_id + ":" + auth.nonce
        if not self.shared(key, now + 2 * CLOCK_WINDOW_SECONDS + 5):
            raise replayed("This request was already received; sign it again.", self.not_before)


def _read_bound(path: Path | None) -> int:
    if path is None:
        return 0
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return 0
    return int(text) if text.isdigit() and len(text) <= 12 else 0


def _write_bound(path: Path, bound: int) -> None:
    """Write atomically and durably: a crash leaves the old bound or the new one."""
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", encoding="ascii") as handle:
        handle.write(str(bound))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def replayed(message: str, not_before: int) -> Refused:
    """401 ``replayed``: the client signs the request again (timestamp >= ``not_before``)."""
    return Refused(401, "replayed", message, {NOT_BEFORE_HEADER: str(not_before)})


class RateLimiter:
    """A token bucket per device: ``rate`` requests per second, bursts up to ``burst``."""

    def __init__(
        self,
        rate: float,
        burst: float,
        message: str = "Too many requests from this device; slow down.",
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.message = message
        self._buckets: dict[str, tuple[float, float]] = {}

    def check(self, key: str, now: float | None = None, cost: float = 1.0) -> None:
        if self.rate <= 0:
            return
        now = time.monotonic() if now is None else now
        tokens, stamp = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        if tokens < cost:
            wait = max(1, int((cost - tokens) / self.rate + 0.999))
            self._buckets[key] = (tokens, now)
            raise Refused(
                429,
                "rate_limited",
                self.message,
                {"Retry-After": str(wait)},
            )
        self._buckets[key] = (tokens - cost, now)
        if len(self._buckets) > 100_000:
            self._buckets.clear()


def authenticate(
    roster: Roster,
    auth: RequestAuth,
    method: str,
    path: str,
    query: str,
    body_sha256: bytes,
    nonces: NonceCache | None,
    now: float | None = None,
) -> Member:
    """The member who signed this request; Refused (401/403) otherwise.

    A device not in the current roster (never added, or removed) gets 403: the relay no longer
    holds its key, and it has nothing to say to it.
    """
    current = time.time() if now is None else now
    try:
        check_fresh(auth, current)
    except ProtocolError as exc:
        raise unauthenticated(str(exc)) from exc
    member = roster.member(auth.device_id)
    if member is None:
        raise forbidden("This device is not a member of this operation.")
    try:
        verify_request(member.public, auth, method, path, query, body_sha256)
    except ProtocolError as exc:
        raise unauthenticated(str(exc)) from exc
    if nonces is not None:  # None: the same request re-checked after a roster change
        nonces.local_check(auth, current)
    return member


def load_allowed_devices(path: str | None) -> frozenset[str] | None:
    """The allow-list of device ids (hex, one a line, ``#`` comments); None: any device."""
    if not path:
        return None
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            _("The relay's allowed devices file {path} could not be read.").format(path=path)
        ) from exc
    allowed = set()
    for line in lines:
        entry = line.split("#", 1)[0].strip().lower()
        if not entry:
            continue
        if len(entry) != 32 or any(char not in "0123456789abcdef" for char in entry):
            raise UsageError(
                _(
                    "The relay's allowed devices file {path} holds a line that is not a device id."
                ).format(path=path)
            )
        allowed.add(entry)
    return frozenset(allowed)


def store_refusal(error: StoreError) -> Refused:
    return Refused(error.status, error.code, error.message)
