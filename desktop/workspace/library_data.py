"""The library room's data, without Qt: items as plain views, local tags and record links,
adding files, fetching from the relay, and decrypting for a preview.

Every function taking ``profile`` runs on the store writer thread (through ``Session.call``).

Tags and extra record links are this device's own notes (kept in the profile's settings,
encrypted with the store); the record an item was added for travels with the item to every
participant. Plaintext is decrypted into memory for previews; only "Open with…" and "Save a
copy…" write it to disk, where the user asked (both are audited as disclosures).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.workspace.messages_data import hlc_time
from locales import _

MAX_PREVIEW_BYTES = 200 * 1024 * 1024  # larger files are offered "Open with…" only
MAX_THUMBNAIL_BYTES = 25 * 1024 * 1024
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
_TAG_SPLIT = re.compile(r"[,\u060c;]")  # comma, Arabic comma, semicolon

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp"})
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class ItemView:
    """One library item as the room shows it."""

    item_id: str
    title: str
    file_name: str
    media_type: str
    size: int
    author: str
    author_name: str
    added: dt.datetime | None
    available: bool  # the encrypted file is on this device
    on_relay: bool  # uploaded (or received) and announced
    waiting_upload: bool  # added here, not uploaded yet
    record_id: str | None  # the record it was added for (shared)
    linked: tuple[str, ...]  # records linked on this device
    tags: tuple[str, ...]
    mine: bool

    @property
    def is_image(self) -> bool:
        return self.media_type in IMAGE_TYPES

    @property
    def is_pdf(self) -> bool:
        return self.media_type == PDF_TYPE

    @property
    def records(self) -> tuple[str, ...]:
        shared = (self.record_id,) if self.record_id else ()
        return shared + tuple(r for r in self.linked if r != self.record_id)


@dataclass(frozen=True)
class RecordChoice:
    record_id: str
    template_id: str
    label: str  # the record's date or id, for the picker


def _annotations_key(operation_id: str) -> str:
    return f"library.annotations.{operation_id}"


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags typed by the user: split on commas, trimmed, unique (case-insensitive), bounded."""
    seen: dict[str, str] = {}
    for raw in _TAG_SPLIT.split(text):
        tag = " ".join(raw.split())[:MAX_TAG_LENGTH].strip()
        if tag and tag.casefold() not in seen and len(seen) < MAX_TAGS:
            seen[tag.casefold()] = tag
    return tuple(seen.values())


def _annotations(store: Any, operation_id: str) -> dict[str, dict[str, list[str]]]:
    value = store.settings.get(_annotations_key(operation_id), {})
    return value if isinstance(value, dict) else {}


def load_items(profile: Any, operation_id: str) -> list[ItemView]:
    store = profile.store
    me = profile.device_id
    names = {m.device_id: m.name for m in store.operations.members(operation_id)}
    waiting = {u.item_id for u in store.operations.uploads(operation_id)}
    notes = _annotations(store, operation_id)
    views = []
    for item in store.library.list(operation_id):
        note = notes.get(item.item_id, {})
        views.append(
            ItemView(
                item.item_id,
                item.title,
                item.file_name,
                item.media_type,
                item.size,
                item.author,
                names.get(item.author, item.author[:12]),
                hlc_time(item.added_hlc),
                item.available,
                item.blob_ref is not None,
                item.item_id in waiting,
                item.record_id,
                tuple(str(r) for r in note.get("records", [])),
                tuple(str(t) for t in note.get("tags", [])),
                item.author == me,
            )
        )
    return views


def set_tags(profile: Any, operation_id: str, item_id: str, tags: Iterable[str]) -> None:
    store = profile.store
    notes = _annotations(store, operation_id)
    note = dict(notes.get(item_id, {}))
    note["tags"] = list(parse_tags(",".join(tags)))
    notes[item_id] = note
    store.settings.set(_annotations_key(operation_id), notes)


def link_record(profile: Any, operation_id: str, item_id: str, record_id: str) -> None:
    from sync.services.records import find

    store = profile.store
    record_id = find(store, operation_id, record_id).record_id
    notes = _annotations(store, operation_id)
    note = dict(notes.get(item_id, {}))
    records = [r for r in note.get("records", []) if r != record_id]
    note["records"] = [*records, record_id]
    notes[item_id] = note
    store.settings.set(_annotations_key(operation_id), notes)


def record_choices(profile: Any, operation_id: str, limit: int = 500) -> list[RecordChoice]:
    """Recent records to link an item to (newest first)."""
    choices = []
    for record in profile.store.records.list(operation_id, limit=limit):
        fields = record.fields
        when = next(
            (str(fields[k]) for k in ("seizure_date", "date", "issue_date") if fields.get(k)), ""
        )
        name = next(
            (str(fields[k]) for k in ("family_name", "name", "number") if fields.get(k)), ""
        )
        label = " · ".join(p for p in (when, name, record.record_id[:8]) if p)
        choices.append(RecordChoice(record.record_id, record.template_id, label))
    return choices


def add_files(
    profile: Any,
    operation_id: str,
    paths: Iterable[str],
    record_id: str | None = None,
    report: Callable[[int, int, str], None] | None = None,
) -> list[str]:
    """Encrypt files into the profile and list them in the library (uploaded at next sync)."""
    from sync.services import library

    paths = list(paths)
    added = []
    for index, path in enumerate(paths):
        if report is not None:
            report(index, len(paths), os.path.basename(path))
        added.append(library.add(profile, operation_id, path, None, record_id))
    if report is not None:
        report(len(paths), len(paths), "")
    return added


def fetch(
    profile: Any,
    operation_id: str,
    item_id: str,
    report: Callable[[int, int], None] | None = None,
) -> str:
    """Download an item's file from the relay (resuming), verify it; returns the attachment."""
    from sync.client import files
    from sync.client.engine import SyncEngine
    from sync.errors import CordonError

    item = profile.store.library.get(operation_id, item_id)
    if item is None:
        raise CordonError(_("There is no library item {id} in this operation.").format(id=item_id))

    def progress(event: Any) -> None:
        if report is not None and event.stage == "download":
            report(event.done, event.total or 0)

    return str(files.fetch_item(SyncEngine(profile, progress=progress), operation_id, item))


def read_plaintext(
    profile: Any, operation_id: str, item_id: str, limit: int = MAX_PREVIEW_BYTES
) -> bytes:
    """Decrypt an item into memory (for a preview); refuses files above ``limit``."""
    from sync.errors import CordonError

    item = profile.store.library.get(operation_id, item_id)
    if item is None or item.attachment_id is None:
        raise CordonError(_("The file is not on this device yet."))
    if item.size > limit:
        raise CordonError(_("The file is too large to preview."))
    buffer = io.BytesIO()
    profile.attachments.read_into(item.attachment_id, buffer)
    return buffer.getvalue()


def save_copy(profile: Any, operation_id: str, item_id: str, path: str) -> str:
    """Write the plaintext where the user asked (audited as a disclosure)."""
    from sync.services import library

    return str(library.save_copy(profile, operation_id, item_id, path))


class PrivateTempFiles:
    """Plaintext handed to another program ("Open with…"): one private folder (mode 0700)
    per room, every file removed by :meth:`clear` (on lock, on close, at exit)."""

    def __init__(self) -> None:
        self._folder: Path | None = None

    @property
    def folder(self) -> Path | None:
        return self._folder

    def path_for(self, file_name: str) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="cordon-open-"))
            os.chmod(self._folder, stat.S_IRWXU)
        safe = re.sub(r"[^\w.\- ]", "_", os.path.basename(file_name)).strip(" .") or "file"
        candidate = self._folder / safe[:120]
        stem, suffix = os.path.splitext(candidate.name)
        counter = 1
        while candidate.exists():
            candidate = self._folder / f"{stem}-{counter}{suffix}"
            counter += 1
        return candidate

    def clear(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def open_copy(profile: Any, operation_id: str, item_id: str, temp: PrivateTempFiles) -> str:
    """Decrypt to a private temporary file for another program (audited as a disclosure)."""
    from sync.errors import CordonError

    item = profile.store.library.get(operation_id, item_id)
    if item is None or item.attachment_id is None:
        raise CordonError(_("The file is not on this device yet."))
    target = temp.path_for(item.file_name or item.title)
    return save_copy(profile, operation_id, item_id, str(target))
