"""Bringing records in from files and taking them out: the rules ``cordon import|export`` and
the window's import and export wizards share.

Imported rows become submitted records of the operation's template, sealed one package per hundred
records; the store logs each record's collection. An export is a disclosure and is logged as
one (``export:<count>``), whichever face made it.

``import_path`` is the whole import both faces run: values for every row (``--set``, the
mapping's fixed values, the profile's country for a reporting country), all or nothing by
default or the valid rows with a correction file of the refused ones, and no row stored twice:
a row whose values equal a record already in the operation (imported before, from this file or
an earlier version of it) is skipped and counted, so importing the same file again, or a fixed
correction file, brings in no duplicates."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forms.exporting.core import ExportRecord
from forms.importing import ColumnMapping, ImportReport, import_file
from forms.importing.core import open_table
from forms.importing.corrections import CorrectionFile, correction_path
from forms.model import FieldType, Template
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


@dataclass
class ImportOutcome:
    """What an import did: the report, the ids stored, the rows skipped because the same
    record is already in the operation, and the correction file written (if any)."""

    report: ImportReport
    ids: list[str]
    already_in: int = 0
    corrections: Path | None = None


def fixed_values(
    profile: Profile,
    template: Template,
    given: Mapping[str, str] | None = None,
    mapping: ColumnMapping | None = None,
) -> dict[str, str]:
    """The values for every row: ``given`` (``--set``), plus the profile's country for each
    country field whose form starts with it (the reporting country) unless given here or by
    the mapping's own fixed values."""
    out = dict(given or {})
    saved = mapping.fixed if mapping is not None else {}
    for f in template.fields():
        profile_default = f.type is FieldType.COUNTRY and f.default == "profile"
        if profile_default and f.id not in out and f.id not in saved and profile.country:
            out[f.id] = profile.country
    return out


def fingerprint(fields: Mapping[str, Any]) -> str:
    """A stable digest of a record's values (keys sorted, empty values left out), to know a
    row that is already in the operation."""
    kept = {k: v for k, v in fields.items() if v not in (None, "", [], {})}
    text = json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_rows(
    profile: Profile, operation_id: str, template: Template, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """``rows`` less those equal to a record of ``template`` already in the operation (each
    record accounts for one row, so two identical rows of a file both come in once); returns
    the rows to store and how many were skipped."""
    present = Counter(
        fingerprint(r.fields)
        for r in profile.store.records.list(operation_id, template_id=template.id)
    )
    kept: list[dict[str, Any]] = []
    skipped = 0
    for row in rows:
        digest = fingerprint(row)
        if present[digest] > 0:
            present[digest] -= 1
            skipped += 1
        else:
            kept.append(row)
    return kept, skipped


def import_path(
    profile: Profile,
    operation: str,
    template: Template,
    path: Path,
    mapping: ColumnMapping | None = None,
    *,
    fixed: Mapping[str, str] | None = None,
    accept_valid: bool = False,
    corrections: Path | None = None,
    dry_run: bool = False,
    before_each: Callable[[], None] | None = None,
    after_each: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Import ``path`` into ``operation``. All or nothing unless ``accept_valid``: then the
    valid rows are stored and the refused ones written to a correction file (``corrections``,
    by default beside the input). Raises ImportFileError / OSError when the file is refused."""
    op = state.require_operation(profile.store, operation)
    roles.require(op.role, Permission.WRITE)
    every_row = fixed_values(profile, template, fixed, mapping)
    writer: CorrectionFile | None = None
    on_refused = None
    if accept_valid and not dry_run:
        table = open_table(path, template, mapping=mapping)
        writer = CorrectionFile(
            corrections or correction_path(path), table.headers, template, table.format,
            table.delimiter,
        )
        close = getattr(table.rows, "close", None)
        if close is not None:
            close()
        on_refused = writer.add
    report = import_file(
        path, template, mapping, dry_run=dry_run, import_valid_rows=accept_valid,
        fixed=every_row, on_refused=on_refused,
    )
    outcome = ImportOutcome(report, [])
    if dry_run or (report.refused_rows and not accept_valid):
        return outcome
    rows, outcome.already_in = new_rows(
        profile, op.operation_id, template, [r.values for r in report.records]
    )
    outcome.ids = store_rows(
        profile, op.operation_id, template, rows, before_each=before_each, after_each=after_each
    )
    report.imported = len(outcome.ids)
    if writer is not None:
        outcome.corrections = writer.write()
    return outcome


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
