"""The sync status the status bar shows: a plain dataclass, no Qt, so the sync engine (which
imports no Qt) can build it and the window only displays it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum


class SyncState(Enum):
    OFFLINE = "offline"
    ONLINE = "online"
    SYNCING = "syncing"


@dataclass(frozen=True)
class SyncStatus:
    state: SyncState = SyncState.OFFLINE
    outbox: int = 0  # packages written locally, not yet accepted by the relay
    last_sync: dt.datetime | None = None  # last successful exchange with the relay (aware, UTC)
    transfer_done: int = 0  # bytes of the current long transfer (0 and 0: none running)
    transfer_total: int = 0
