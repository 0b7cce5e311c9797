"""What the record view and the editor read and write, Qt-free: one record with its history,
conflicts, links and attachments as plain data, and the workflow steps (submit, validate,
return). Every function runs on the session's writer thread with the unlocked profile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from desktop.workspace import cases_query as q
from forms.model import FieldType, Template
from forms.registry import get_template
from forms.validation import ValidationResult
from sync.services import linked, records


@dataclass(frozen=True)
class HistoryEntry:
    revision: int
    author: str
    hlc: str
    status: str | None
    changed: tuple[str, ...]
    comment: str | None
    conflict: bool


@dataclass(frozen=True)
class Conflict:
    """A field two participants changed concurrently: every value they gave, with who."""

    field: str
    values: tuple[tuple[str, str, Any], ...]  # (author, hlc, value); the winner is the latest


@dataclass(frozen=True)
class LinkedRecord:
    record_id: str
    template_id: str
    summary: str
    field: str


@dataclass(frozen=True)
class Attachment:
    item_id: str
    title: str
    media_type: str
    size: int


@dataclass(frozen=True)
class RecordDetails:
    record_id: str
    template_id: str
    status: str
    author: str
    revision: int
    fields: dict[str, Any]
    history: tuple[HistoryEntry, ...]
    conflicts: tuple[Conflict, ...]
    links: tuple[LinkedRecord, ...]
    attachments: tuple[Attachment, ...]
    returned_comment: str | None = None  # the coordinator's comment when returned
    mine: bool = False
    editable: bool = False
    actions: tuple[str, ...] = ()  # workflow actions this person may take ("submit", ...)


def load(profile: Any, operation_id: str, record_id: str, role: str) -> RecordDetails | None:
    """The record as shown to a person: logged as a consultation, marked read here."""
    store = profile.store
    record = store.records.view(operation_id, record_id)
    if record is None:
        return None
    history: list[HistoryEntry] = []
    raced: dict[str, list[tuple[str, str, Any]]] = {}
    returned_comment = None
    for rev in store.records.timeline(operation_id, record_id):
        history.append(
            HistoryEntry(
                rev.revision,
                rev.author,
                rev.hlc,
                rev.status,
                tuple(rev.changes),
                rev.comment,
                rev.conflict,
            )
        )
        if rev.conflict:
            for name, value in rev.changes.items():
                raced.setdefault(name, []).append((rev.author, rev.hlc, value))
        if rev.status is not None:
            returned_comment = rev.comment if rev.status == "returned" else None
    conflicts = tuple(
        Conflict(name, tuple(values))
        for name, values in raced.items()
        if len({json.dumps(v, sort_keys=True) for _a, _h, v in values}) > 1
    )
    links = tuple(_links(store, operation_id, record.template_id, record.fields))
    attachments = tuple(
        Attachment(i.item_id, i.title, i.media_type, int(i.size))
        for i in store.library.list(operation_id, record_id=record_id)
    )
    q.mark_read(profile, operation_id, record_id, record.revision)
    mine = record.author == profile.device_id
    return RecordDetails(
        record_id=record.record_id,
        template_id=record.template_id,
        status=record.status,
        author=record.author,
        revision=record.revision,
        fields=dict(record.fields),
        history=tuple(history),
        conflicts=conflicts,
        links=links,
        attachments=attachments,
        returned_comment=returned_comment,
        mine=mine,
        editable=records.can_edit(record, profile.device_id, role),
        actions=records.actions(record, profile.device_id, role),
    )


def _links(
    store: Any, operation_id: str, template_id: str, fields: dict[str, Any]
) -> list[LinkedRecord]:
    try:
        template = get_template(template_id)
    except KeyError:
        return []
    found: list[LinkedRecord] = []
    for f in template.fields():
        if f.type is not FieldType.LINK:
            continue
        value = fields.get(f.id)
        ids = value if isinstance(value, list) else [value] if value else []
        for target in ids:
            if isinstance(target, dict):  # a stored link is {"template": T, "record_id": R}
                target = target.get("record_id", "")
            other = store.records.get(operation_id, str(target))
            if other is None:
                found.append(LinkedRecord(str(target), "", "", f.id))
            else:
                found.append(
                    LinkedRecord(other.record_id, other.template_id, summary_of(other), f.id)
                )
    return found


def summary_of(record: Any) -> str:
    try:
        template = get_template(record.template_id)
    except KeyError:
        return ""
    parts = [q.display_value(record.fields.get(fid)) for fid in q.column_fields(template, 3)]
    return " · ".join(p for p in parts if p)


def set_status(
    profile: Any, operation_id: str, record_id: str, status: str, comment: str | None = None
) -> int:
    """Submit, validate or return a record, as the workflow allows (``sync.services.records``)."""
    return records.transition(profile, operation_id, record_id, status, comment).revision


SaveResult = records.Saved


def validate(template: Template, values: dict[str, Any], record_id: str | None) -> ValidationResult:
    """The editor's live check (the same one saving refuses on)."""
    return records.validation(template, values, record_id)


def save(
    profile: Any,
    operation_id: str,
    template: Template,
    values: dict[str, Any],
    *,
    record_id: str | None,
    status: str,
) -> SaveResult:
    """Check and write a new record or the changed fields of an existing one (the rules are
    ``sync.services.records.save``'s); raises a ServiceError saying why when refused."""
    return records.save(profile, operation_id, template, values, record_id=record_id, status=status)


def record_choices(
    profile: Any, operation_id: str, templates: tuple[str, ...], text: str, limit: int = 50
) -> list[LinkedRecord]:
    """Records a link field may point to, newest first, narrowed by a search text."""
    flt = q.CaseFilter(search=text.strip())
    rows = (
        q.search(profile, operation_id, flt, q.Sort())
        if flt.search
        else q.page(profile, operation_id, flt, q.Sort(), 0, limit * 4)
    )
    return [
        LinkedRecord(r.record_id, r.template_id, r.summary, "")
        for r in rows
        if not templates or r.template_id in templates
    ][:limit]


def editor_setup(
    profile: Any, operation_id: str, template_id: str | None, record_id: str | None
) -> tuple[Any, str, frozenset[str]]:
    """What the editor needs before it builds: the record (None for a new one), its template
    id, and the fields the operation's template set hides (simplified forms)."""
    record = profile.store.records.get(operation_id, record_id) if record_id else None
    tid = record.template_id if record is not None else template_id or ""
    op = profile.store.operations.get(operation_id)
    hidden = records.hidden_fields(op, tid) if op is not None else frozenset()
    return record, tid, hidden


PendingRecord = linked.PendingRecord
new_record_id = linked.new_record_id


def save_with_new(
    profile: Any,
    operation_id: str,
    template: Template,
    values: dict[str, Any],
    *,
    record_id: str | None,
    status: str,
    new: list[PendingRecord],
) -> SaveResult:
    """``save``, after writing the records made from the form with "Create…" (the rules are
    ``sync.services.linked.save_with_made``'s)."""
    return linked.save_with_made(
        profile, operation_id, template, values, record_id=record_id, status=status, made=new
    )
