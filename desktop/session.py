"""The unlocked profile as the views see it: one object handed to every room.

The profile's SQLCipher connection lives on the task runner's serial writer thread, so every
read and write a view asks for runs there, in the order asked, through :meth:`Session.call`.
Views keep no rows beyond what they show; they ask again when :attr:`Session.changed` says an
operation's data moved (a local write, or the sync engine applying packages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from desktop.profiles import ProfileSummary
from desktop.qt import QtCore, Signal
from desktop.tasks import Job, Progress, TaskRunner

T = TypeVar("T")


class Session(QtCore.QObject):
    """Emits ``changed(operation_id)`` after data of that operation changed, and ``closed``
    when the profile is locked (every view drops what it shows)."""

    changed = Signal(str)
    closed = Signal()

    def __init__(self, profile: Any, summary: ProfileSummary, runner: TaskRunner) -> None:
        super().__init__()
        self._profile = profile  # sync.store.profile.Profile; touched on the writer thread only
        self.summary = summary
        self.runner = runner
        self.is_open = True

    @property
    def device_id(self) -> str:
        return self.summary.device_id_hex

    def call(self, fn: Callable[[Any], T]) -> Job[T]:
        """``fn(profile)`` on the writer thread; chain ``.success(...)`` etc., then ``.run()``."""
        profile = self._profile
        return self.runner.write(lambda progress: fn(profile))

    def call_with_progress(self, fn: Callable[[Any, Progress], T]) -> Job[T]:
        """``fn(profile, progress)`` on the writer thread, for long work that reports progress."""
        profile = self._profile
        return self.runner.write(lambda progress: fn(profile, progress))

    def notify_changed(self, operation_id: str) -> None:
        """Tell every view that this operation's data changed (call on the UI thread)."""
        if self.is_open:
            self.changed.emit(operation_id)

    def close(self) -> Any:
        """Forget the profile and tell the views; returns it so the owner can close it on the
        writer thread."""
        profile, self._profile = self._profile, None
        if self.is_open:
            self.is_open = False
            self.closed.emit()
        return profile
