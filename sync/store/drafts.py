"""Work in progress of the record editor, saved every few seconds so that a crash, a lock or a
closed lid loses at most a few seconds of typing.

An unsaved form is kept in the profile's encrypted store (the ``settings`` table, under a key
per form), never in a plain file, and is deleted once the record is saved or the person
discards it. Nothing here is sent to anyone.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.store.db import Store

PREFIX = "editor-draft/"
MAX_BYTES = 2_000_000  # a form is a few kilobytes; a bigger one is not kept
MAX_DRAFTS = 50  # per profile; the oldest go first
MAX_AGE = 30 * 24 * 3600  # seconds: a form left unsaved for a month is not coming back


@dataclass(frozen=True)
class Draft:
    key: str
    operation_id: str
    template_id: str
    record_id: str | None  # None: a new record
    values: dict[str, Any]
    extra: dict[str, Any]  # what the editor needs besides the values (records made from it)
    saved_at: float  # Unix time


def save(
    store: Store,
    key: str,
    operation_id: str,
    template_id: str,
    record_id: str | None,
    values: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> bool:
    """Keep (or replace) the draft ``key``; False when it is too big to keep."""
    payload = {
        "operation_id": operation_id,
        "template_id": template_id,
        "record_id": record_id,
        "values": values,
        "extra": extra or {},
        "saved_at": time.time(),
    }
    if len(json.dumps(payload, ensure_ascii=False).encode()) > MAX_BYTES:
        return False
    with store.transaction():
        store.settings.set(PREFIX + key, payload)
        kept = list_all(store)
        too_old = time.time() - MAX_AGE
        for old in kept[MAX_DRAFTS:] + [d for d in kept[:MAX_DRAFTS] if d.saved_at < too_old]:
            store.settings.delete(PREFIX + old.key)
    return True


def list_all(store: Store, operation_id: str | None = None) -> list[Draft]:
    """The drafts kept, newest first (of one operation when given)."""
    rows = store.query(
        "SELECT key, value FROM settings WHERE key >= ? AND key < ?",
        (PREFIX, PREFIX + "\uffff"),
    )
    drafts = []
    for key, raw in rows:
        try:
            data = json.loads(raw)
            draft = Draft(
                key=str(key)[len(PREFIX) :],
                operation_id=str(data["operation_id"]),
                template_id=str(data["template_id"]),
                record_id=None if data["record_id"] is None else str(data["record_id"]),
                values=dict(data["values"]),
                extra=dict(data.get("extra") or {}),
                saved_at=float(data["saved_at"]),
            )
        except (ValueError, KeyError, TypeError):
            continue  # a damaged entry is skipped, not fatal
        if operation_id is None or draft.operation_id == operation_id:
            drafts.append(draft)
    drafts.sort(key=lambda d: d.saved_at, reverse=True)
    return drafts


def find(store: Store, operation_id: str, template_id: str, record_id: str | None) -> Draft | None:
    """The newest draft of this form: a new record of ``template_id``, or ``record_id``."""
    for draft in list_all(store, operation_id):
        same_form = record_id is not None or draft.template_id == template_id
        if draft.record_id == record_id and same_form:
            return draft
    return None


def delete(store: Store, key: str) -> None:
    store.settings.delete(PREFIX + key)


def delete_operation(store: Store, operation_id: str) -> int:
    """Forget every draft of an operation (it is being erased); returns how many."""
    gone = list_all(store, operation_id)
    for draft in gone:
        store.settings.delete(PREFIX + draft.key)
    return len(gone)
