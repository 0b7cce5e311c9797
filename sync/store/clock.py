"""Time stamps for the store: UTC wall-clock text and hybrid logical clock (HLC) values.

An HLC value is ``"<ms since epoch, 13 digits>.<counter, 4 digits>.<device id hex>"``: plain
text that sorts in causal order, with the device id breaking ties so two devices never produce
the same value. The sync engine feeds received values to ``observe`` so local clocks move past
them.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


def utc_now() -> str:
    """The current UTC time as ISO 8601 text with milliseconds (``2026-11-22T02:30:00.123Z``)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def format_hlc(physical_ms: int, counter: int, node: str) -> str:
    return f"{physical_ms:013d}.{counter:04d}.{node}"


def parse_hlc(value: str) -> tuple[int, int, str]:
    """Split an HLC value; raises ValueError when it is malformed."""
    physical, counter, node = value.split(".", 2)
    if len(physical) != 13 or len(counter) != 4 or not physical.isdigit() or not counter.isdigit():
        raise ValueError("malformed HLC value")
    return int(physical), int(counter), node


class HybridClock:
    """A hybrid logical clock for one device (thread-safe)."""

    def __init__(self, node: str) -> None:
        self.node = node
        self._physical = 0
        self._counter = 0
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            wall = time.time_ns() // 1_000_000
            if wall > self._physical:
                self._physical, self._counter = wall, 0
            else:
                self._counter += 1
                if self._counter > 9999:  # stay sortable as text: borrow the next millisecond
                    self._physical, self._counter = self._physical + 1, 0
            return format_hlc(self._physical, self._counter, self.node)

    def observe(self, value: str) -> None:
        """Move past a value received from another device."""
        physical, counter, _node = parse_hlc(value)
        with self._lock:
            if (physical, counter) > (self._physical, self._counter):
                self._physical, self._counter = physical, counter
