"""The work behind the import and export wizards, Qt-free: reading a file's headers, the dry
run, the import itself (records sealed into the outbox in packages of 100) and the export with
its audit entry. File reading runs on the general pool; store work on the writer thread."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop.workspace import cases_query as q
from forms.exporting.core import ExportRecord
from forms.importing import ColumnMapping, ImportReport, import_file, preview_mapping
from forms.model import FieldType, Template
from forms.registry import get_template


def mapping_targets(template: Template) -> list[str]:
    """Every field path a column may feed: top-level fields and ``group.sub`` (entry 1)."""
    targets: list[str] = []
    for f in template.fields():
        if f.type is FieldType.GROUP:
            targets += [f"{f.id}.{sub.id}" for sub in f.fields]
        else:
            targets.append(f.id)
    return targets


def headers(path: Path, template: Template) -> tuple[list[str], ColumnMapping]:
    return preview_mapping(path, template)


def guess_template(path: Path, template_ids: Sequence[str]) -> str | None:
    """The template whose fields the file's column headers name most often (None when no
    header names a field of any of them)."""
    best, best_count = None, 0
    for template_id in template_ids:
        _headers, mapping = preview_mapping(path, get_template(template_id))
        count = sum(1 for target in mapping.columns.values() if target)
        if count > best_count:
            best, best_count = template_id, count
    return best


def dry_run(path: Path, template: Template, mapping: ColumnMapping) -> ImportReport:
    """Check every row (the mapping's fixed values fill what a row lacks); store nothing."""
    return import_file(path, template, mapping, dry_run=True)


def run_import(
    profile: Any,
    operation_id: str,
    path: Path,
    template: Template,
    mapping: ColumnMapping,
    *,
    valid_only: bool,
    progress: Any,
) -> Any:
    """Import the file's rows as submitted records (``sync.services.imports.import_path``):
    nothing when a row is refused, unless ``valid_only``, which also writes the refused rows
    to a correction file beside the input. Reports progress by records stored; returns the
    ImportOutcome."""
    from sync.services import imports

    return imports.import_path(
        profile,
        operation_id,
        template,
        path,
        mapping,
        accept_valid=valid_only,
        before_each=progress.check,
        after_each=progress.report,
    )


def _records(profile: Any, operation_id: str, record_ids: Sequence[str]) -> list[Any]:
    found = (profile.store.records.get(operation_id, rid) for rid in dict.fromkeys(record_ids))
    return [record for record in found if record is not None]


def count_restricted(
    profile: Any, operation_id: str, flt: q.CaseFilter, record_ids: Sequence[str] | None = None
) -> tuple[int, int]:
    """(records the export would take, of which H2/H3); ``record_ids``: those records only
    (the rows selected in the list), else what the filters select."""
    if record_ids is not None:
        chosen = _records(profile, operation_id, record_ids)
        codes = [str(r.fields.get("handling_code", "")) for r in chosen]
        return len(chosen), sum(code in ("H2", "H3") for code in codes)
    total = q.count(profile, operation_id, flt.without_search())
    restricted = (
        sum(
            q.count(
                profile,
                operation_id,
                q.CaseFilter(**{**flt.without_search().__dict__, "handling_code": code}),
            )
            for code in ("H2", "H3")
        )
        if not flt.handling_code
        else (total if flt.handling_code in ("H2", "H3") else 0)
    )
    return total, restricted


def run_export(
    profile: Any,
    operation_id: str,
    flt: q.CaseFilter,
    path: Path,
    fmt: str,
    *,
    include_restricted: bool,
    progress: Any,
    record_ids: Sequence[str] | None = None,
) -> Any:
    """Export the records the list's filters select (or the ``record_ids`` selected in the
    list); logged as a disclosure."""
    from forms.exporting.core import export_records
    from sync.client import state
    from sync.services import imports

    op = state.require_operation(profile.store, operation_id)
    flt = flt.without_search()
    total = q.count(profile, operation_id, flt) if record_ids is None else len(record_ids)
    records: list[ExportRecord] = []
    offset = 0
    while offset < total:
        progress.check()
        if record_ids is None:
            rows = q.page(profile, operation_id, flt, q.Sort(), offset, 1000)
            ids = [row.record_id for row in rows]
        else:
            ids = list(record_ids[offset : offset + 1000])
        found = _records(profile, operation_id, ids)
        records += imports.export_rows(op, found)
        offset += 1000
        progress.report(min(offset, total), total)
    summary = export_records(
        records,
        path,
        fmt,
        include_restricted=include_restricted,
        meta_columns=imports.META_COLUMNS,
    )
    imports.log_export(profile, operation_id, summary.records)
    return summary
