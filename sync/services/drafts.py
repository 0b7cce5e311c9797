"""The record editor's kept drafts: what a form held when it was last open and unsaved, offered
back after a crash or a lock (kept in the encrypted store by ``sync.store.drafts``)."""

from __future__ import annotations

from typing import Any

from sync.store import drafts
from sync.store.drafts import Draft
from sync.store.profile import Profile

__all__ = ["Draft", "drop", "find", "keep"]


def keep(
    profile: Profile,
    key: str,
    operation_id: str,
    template_id: str,
    record_id: str | None,
    values: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> bool:
    """Keep (or replace) the draft ``key``; False when it is too big to keep."""
    return drafts.save(profile.store, key, operation_id, template_id, record_id, values, extra)


def find(
    profile: Profile, operation_id: str, template_id: str, record_id: str | None
) -> Draft | None:
    """The newest kept draft of this form (a new record of ``template_id``, or ``record_id``)."""
    return drafts.find(profile.store, operation_id, template_id, record_id)


def drop(profile: Profile, *keys: str) -> None:
    """Forget kept drafts (the record was saved, or the person discarded the changes)."""
    for key in keys:
        drafts.delete(profile.store, key)
