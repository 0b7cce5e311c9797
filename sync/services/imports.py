"""Bringing records in from files and taking them out: the rules ``cordon import|export`` and
the window's import and export wizards share.

Imported rows become draft records of the operation's template, sealed one package per hundred
records; the store logs each record's collection. An export is a disclosure and is logged as
one (``export:<count>``), whichever face made it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from forms.exporting.core import ExportRecord
from forms.model import Template
from sync.client import state
from sync.client.local import LocalChanges
from sync.services import records, roles
from sync.services.roles import Permission
from sync.store import audit
from sync.store.operations import Operation
from sync.store.profile import Profile
from sync.store.records import Record

RECORDS_PER_PACKAGE = 100  # one sealed package per hundred records
META_COLUMNS = ("status", "author", "updated")


def store_rows(
    profile: Profile,
    operation: str,
    template: Template,
    rows: list[dict[str, Any]],
    *,
    before_each: Callable[[], None] | None = None,
    after_each: Callable[[int, int], None] | None = None,
) -> list[str]:
    """Create the checked ``rows`` as submitted records (a draft would stay on this device
    until submitted one by one; a file is a report already made); returns their ids.
    ``before_each`` runs before each package (it may raise to cancel), ``after_each(stored,
    total)`` after it."""
    op = state.require_operation(profile.store, operation)
    roles.require(op.role, Permission.WRITE)
    records.template_for(op, template.id)  # the operation must use it
    if not rows:
        return []
    changes = LocalChanges(profile, op.operation_id)
    ids: list[str] = []
    for start in range(0, len(rows), RECORDS_PER_PACKAGE):
        if before_each is not None:
            before_each()
        batch = rows[start : start + RECORDS_PER_PACKAGE]
        ids += changes.add_records(template.id, int(template.version), batch, "submitted")
        if after_each is not None:
            after_each(len(ids), len(rows))
    return ids


def export_rows(op: Operation, found: Iterable[Record]) -> list[ExportRecord]:
    """The records as an export writes them, each with the operation's form of its template
    (a record whose template is unknown here is refused, never silently left out)."""
    cache: dict[str, Template] = {}
    rows = []
    for record in found:
        if record.template_id not in cache:
            cache[record.template_id] = records.template_for(op, record.template_id, in_use=False)
        rows.append(
            ExportRecord(
                record.record_id,
                cache[record.template_id],
                record.fields,
                {"status": record.status, "author": record.author, "updated": record.updated_hlc},
            )
        )
    return rows


def log_export(profile: Profile, operation_id: str, count: int) -> None:
    """An export of ``count`` records is a disclosure (LED art. 25)."""
    profile.store.audit.append(audit.DISCLOSURE, f"export:{count}", operation_id)
