"""The desktop's own preferences, kept in ``desktop.ini`` in the profile folder (QSettings).

Only interface preferences live here (language, auto-lock, defaults for new operations, window
geometry): nothing secret and no case data, because this file is readable before unlocking
(the unlock window must already speak the user's language).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from desktop.qt import QtCore

SETTINGS_FILE = "desktop.ini"


@dataclass(frozen=True)
class Preferences:
    """What the Settings dialog edits. Plain data, so views and tests pass it around freely."""

    language: str = ""  # empty: follow the system language
    auto_lock_minutes: int = 10  # 0 = never lock automatically
    relay_url: str = ""  # default relay for new operations
    retention_days: int = 365  # how long closed operations stay readable on this device
    auto_download_mb: int = 10  # attachments up to this size download by themselves; 0 = never

    def with_changes(self, **changes: object) -> Preferences:
        return replace(self, **changes)  # type: ignore[arg-type]


LIMITS = {
    "auto_lock_minutes": (0, 24 * 60),
    "retention_days": (1, 3650),
    "auto_download_mb": (0, 10_000),
}


class AppSettings:
    """Reads and writes :class:`Preferences` and window geometry in one ini file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._qs = QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat)

    @classmethod
    def for_home(cls, home: Path) -> AppSettings:
        return cls(home / SETTINGS_FILE)

    def load(self) -> Preferences:
        defaults = Preferences()
        values: dict[str, object] = {}
        for field in fields(Preferences):
            raw = self._qs.value(f"preferences/{field.name}")
            default = getattr(defaults, field.name)
            if raw is None:
                values[field.name] = default
            elif isinstance(default, int):
                try:
                    number = int(str(raw))
                except ValueError:
                    number = default
                low, high = LIMITS.get(field.name, (0, 2**31))
                values[field.name] = min(max(number, low), high)
            else:
                values[field.name] = str(raw)
        return Preferences(**values)  # type: ignore[arg-type]

    def save(self, prefs: Preferences) -> None:
        self._ensure_folder()
        for field in fields(Preferences):
            self._qs.setValue(f"preferences/{field.name}", getattr(prefs, field.name))
        self._qs.sync()

    def geometry(self, window: str) -> QtCore.QByteArray | None:
        value = self._qs.value(f"geometry/{window}")
        return value if isinstance(value, QtCore.QByteArray) else None

    def save_geometry(self, window: str, geometry: QtCore.QByteArray) -> None:
        self._ensure_folder()
        self._qs.setValue(f"geometry/{window}", geometry)
        self._qs.sync()

    def _ensure_folder(self) -> None:
        # The profile folder holds the key file: private to the user from the start.
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
