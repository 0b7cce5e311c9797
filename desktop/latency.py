"""A timer-based event-loop latency probe: how long the UI thread was kept from its events.

A repeating timer expects to fire every ``interval_ms``; the largest gap between two firings,
less the interval, is the longest stall a person would have felt. Used by the benchmarks (the
UI must stay responsive while background work reports back) and available for diagnostics.
"""

from __future__ import annotations

import time

from desktop.qt import Qt, QtCore


class LatencyProbe(QtCore.QObject):
    def __init__(self, interval_ms: int = 5, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self._timer = QtCore.QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last: float | None = None
        self.max_stall_ms = 0.0
        self.ticks = 0

    def start(self) -> None:
        self._last = time.perf_counter()
        self.max_stall_ms = 0.0
        self.ticks = 0
        self._timer.start()

    def stop(self) -> float:
        """Stop and return the longest stall in milliseconds."""
        self._timer.stop()
        return self.max_stall_ms

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            stall = (now - self._last) * 1000 - self.interval_ms
            self.max_stall_ms = max(self.max_stall_ms, stall)
        self._last = now
        self.ticks += 1
