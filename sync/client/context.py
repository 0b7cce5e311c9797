"""The sync context: what push, pull, the lifecycle and the file transport share.

A :class:`SyncContext` holds the profile, the store connection of the calling thread, the
progress callback and the relay clients (one per relay URL). Every module of ``sync.client``
that talks to a relay takes one, so none of them needs another's functions to reach the store,
the keys or the relay: imports point one way (``engine`` -> ``push``/``pull``/``lifecycle``/
``files`` -> ``context``). :class:`sync.client.engine.SyncEngine` is a context that also runs
the sync rounds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sync.client import state
from sync.client.relay_http import RelayClient, RelayError, RelayUnavailable
from sync.crypto.epochs import OperationKeys
from sync.store.db import Store
from sync.store.profile import Profile


@dataclass(frozen=True)
class Progress:
    """One progress event: ``stage`` is push, pull, upload, download, offline or done."""

    operation_id: str
    stage: str
    done: int = 0
    total: int | None = None
    detail: str = ""


ProgressCallback = Callable[[Progress], None]


@dataclass
class SyncReport:
    """What one round (or one file import) did for one operation."""

    sent: int = 0
    received: int = 0
    duplicates: int = 0
    rejected: int = 0
    status: str = "active"
    reasons: list[str] = field(default_factory=list)
    more: bool = False  # the round stopped at its page limit; the next round goes on
    notices: list[str] = field(default_factory=list)  # sentences for the officer

    def add(self, other: SyncReport) -> None:
        self.sent += other.sent
        self.received += other.received
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.reasons += other.reasons
        self.more = self.more or other.more
        self.notices += other.notices

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "received": self.received,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "status": self.status,
            "notices": list(self.notices),
        }


def is_transient(exc: Exception) -> bool:
    """Worth retrying later: the relay is unreachable, overloaded or asks to slow down."""
    if isinstance(exc, RelayUnavailable):
        return True
    return isinstance(exc, RelayError) and (exc.status >= 500 or exc.status in (409, 429))


class SyncContext:
    """The profile, its store (on the calling thread), progress, and the relay clients."""

    def __init__(
        self,
        profile: Profile,
        *,
        store: Store | None = None,
        progress: ProgressCallback | None = None,
        client_factory: Callable[[str], RelayClient] | None = None,
    ) -> None:
        self.profile = profile
        self.store = store or profile.store
        self.progress: ProgressCallback = progress or (lambda _event: None)
        self._client_factory = client_factory
        self._clients: dict[str, RelayClient] = {}

    def client(self, relay_url: str) -> RelayClient:
        """The relay client for ``relay_url`` (one per URL, kept for the context's life)."""
        if relay_url not in self._clients:
            if self._client_factory is not None:
                self._clients[relay_url] = self._client_factory(relay_url)
            else:
                self._clients[relay_url] = RelayClient(relay_url, self.profile.identity, timeout=30)
        return self._clients[relay_url]

    def keys(self, operation_id: str) -> OperationKeys:
        """The operation's commits and the epoch secrets this device holds."""
        return state.load_keys(self.store, self.profile.identity, operation_id)


FORWARD_KIND = "forward"  # outbox kind of a package carried for another member
