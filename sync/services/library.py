"""The operation's library of documents and photos: adding files, finding an item, and taking
a plaintext copy out (a disclosure the store logs once)."""

from __future__ import annotations

import os
from pathlib import Path

from locales import _
from sync.client import files, state
from sync.services import records, roles
from sync.services.errors import Invalid, NotFound
from sync.services.roles import Permission
from sync.store.library import LibraryItem
from sync.store.profile import Profile


def find_item(profile: Profile, operation_id: str, text: str) -> LibraryItem:
    """The item named by its id or an unambiguous prefix of at least six characters."""
    wanted = text.strip().lower()
    items = profile.store.library.list(operation_id)
    found = [i for i in items if i.item_id == wanted] or [
        i for i in items if len(wanted) >= 6 and i.item_id.startswith(wanted)
    ]
    if len(found) != 1:
        raise NotFound(_("There is no library item {id} in this operation.").format(id=text))
    return found[0]


def add(
    profile: Profile,
    operation: str,
    path: str,
    title: str | None = None,
    record: str | None = None,
) -> str:
    """Encrypt a file into the profile and list it in the library (uploaded at next sync),
    optionally attached to a record. Returns the item id."""
    op = state.require_operation(profile.store, operation)
    roles.require(op.role, Permission.WRITE)
    if not os.path.isfile(path):
        raise Invalid(_("{path} is not a file.").format(path=path))
    record_id = records.find(profile.store, op.operation_id, record).record_id if record else None
    return files.add_item(profile, op.operation_id, path, title, record_id)


def save_copy(profile: Profile, operation_id: str, item_id: str, path: str) -> Path:
    """Write an item's plaintext where the person asked; logged once, as a disclosure."""
    item = profile.store.library.get(operation_id, item_id)
    if item is None or item.attachment_id is None:
        raise NotFound(_("The file is not on this device yet."))
    return profile.attachments.export_to(
        item.attachment_id, path, operation_id=operation_id, object_id=item.item_id
    )
