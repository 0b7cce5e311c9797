"""Records made from another record's form ("Create…" beside a link: the courier of a
seizure), written together with that record, never before it.

A person made while a seizure is being filled in gets its id at once, so the seizure's link can
point to it, but nothing is written until the seizure is saved; then every made record and the
seizure are checked first, the made records go out in one package and the seizure after them.
A cancelled seizure writes nothing, so no orphan person is left in the operation (records
cannot be deleted across an operation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from locales import _
from sync.client import state
from sync.client.items import RecordItem
from sync.client.local import LocalChanges
from sync.services import records, roles
from sync.services.errors import Invalid, InvalidRecord
from sync.services.roles import Permission
from sync.store import audit
from sync.store.ids import new_id
from sync.store.profile import Profile

MAX_MADE = 50  # records made from one form; more is not a form any officer fills in


@dataclass(frozen=True)
class PendingRecord:
    """A record made from a form, not written yet."""

    record_id: str
    template_id: str
    values: dict[str, Any]
    status: str


def new_record_id() -> str:
    """An id for a record to be written later (a link may point to it meanwhile)."""
    return new_id()


def linked_ids(values: dict[str, Any]) -> set[str]:
    """The record ids the links among ``values`` point to."""
    found: set[str] = set()
    for value in values.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and isinstance(item.get("record_id"), str):
                found.add(item["record_id"])
    return found


def save_with_made(
    profile: Profile,
    operation: str,
    template: Any,
    values: dict[str, Any],
    *,
    record_id: str | None,
    status: str,
    made: list[PendingRecord],
) -> records.Saved:
    """``records.save`` of the form, after writing the records made from it that it still
    links to. Nothing is written unless the form and every one of them pass their checks."""
    wanted = linked_ids(values)
    made = [m for m in made if m.record_id in wanted]
    if not made:
        return records.save(
            profile, operation, template, values, record_id=record_id, status=status
        )
    if len(made) > MAX_MADE:
        raise Invalid(_("Too many records were made from this form."))
    op = state.require_operation(profile.store, operation)
    roles.require(op.role, Permission.WRITE)
    hidden = records.hidden_fields(op, template.id)
    records.check(template, values, record_id, hidden)  # refuses before anything is written
    items: list[RecordItem] = []
    for pending in made:
        if pending.status not in records.NEW_STATUSES:
            raise Invalid(_("A new record is a draft or submitted."))
        if profile.store.records.get(op.operation_id, pending.record_id) is not None:
            continue  # written already (a save that failed after it): not twice
        other = records.template_for(op, pending.template_id)
        try:
            result = records.check(other, pending.values, None, records.hidden_fields(op, other.id))
        except InvalidRecord:
            raise Invalid(
                _("The linked record could not be saved; open it again and fix it.")
            ) from None
        items.append(
            RecordItem(
                pending.record_id,
                other.id,
                int(other.version),
                result.values,
                # A draft stays on this device (sync.client.local): made from a submitted
                # form, it goes out with it, or the others would hold a link to nothing.
                "submitted" if status == "submitted" else pending.status,
                new_id(),
                profile.clock.now(),
            )
        )
    if items:
        LocalChanges(profile, op.operation_id).commit(list(items))
        for item in items:
            profile.store.audit.append(audit.COLLECTION, item.record_id, op.operation_id)
    return records.save(profile, operation, template, values, record_id=record_id, status=status)
