"""Auto-lock: watches user input across the whole application and says when the idle time set
in the preferences has passed."""

from __future__ import annotations

import time

from desktop.qt import QtCore, Signal

_INPUT_EVENTS = frozenset(
    {
        QtCore.QEvent.Type.KeyPress,
        QtCore.QEvent.Type.MouseButtonPress,
        QtCore.QEvent.Type.MouseMove,
        QtCore.QEvent.Type.Wheel,
        QtCore.QEvent.Type.TouchBegin,
        QtCore.QEvent.Type.TabletPress,
    }
)


class IdleLock(QtCore.QObject):
    """Emits ``idle`` once no input reached the application for ``timeout_ms``.

    The event filter only notes the time (cheap on every event); a timer checks it, so a
    flood of mouse moves costs no timer restarts.
    """

    idle = Signal()

    def __init__(self, app: QtCore.QCoreApplication, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._timeout = 0.0
        self._last_input = time.monotonic()
        self._timer = QtCore.QTimer(self)
        self._timer.timeout.connect(self._check)
        app.installEventFilter(self)

    def set_timeout_ms(self, timeout_ms: int) -> None:
        """0 disables auto-lock."""
        self._timeout = timeout_ms / 1000
        self._last_input = time.monotonic()
        if timeout_ms <= 0:
            self._timer.stop()
            return
        # Check often enough that the lock comes at most ~5 % late, never more than each 15 s.
        self._timer.start(max(20, min(15_000, timeout_ms // 20)))

    def stop(self) -> None:
        self._timer.stop()

    def close(self) -> None:
        self._timer.stop()
        self._app.removeEventFilter(self)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if event.type() in _INPUT_EVENTS:
            self._last_input = time.monotonic()
        return False

    def _check(self) -> None:
        if self._timeout > 0 and time.monotonic() - self._last_input >= self._timeout:
            self._timer.stop()
            self.idle.emit()
