"""Profile settings: small JSON values by key (language, window state, sync preferences)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.store.db import Store


class Settings:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str, default: Any = None) -> Any:
        row = self._store.query_one("SELECT value FROM settings WHERE key = ?", (key,))
        return default if row is None else json.loads(row[0])

    def set(self, key: str, value: Any) -> None:
        self._store.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value, ensure_ascii=False)),
        )

    def delete(self, key: str) -> None:
        self._store.execute("DELETE FROM settings WHERE key = ?", (key,))

    def all(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self._store.query("SELECT key, value FROM settings")}
