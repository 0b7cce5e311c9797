"""Export of records to xlsx, csv and xml (schema: forms/schema/cordon-records.xsd).

Cells are neutralised against formula injection; records with handling code H2 or H3 are left
out unless the caller passes ``include_restricted=True`` after the user confirmed. The caller
writes the audit-log entry and renders PDF reports."""

from forms.exporting.core import (
    EXPORT_FORMATS,
    ExportRecord,
    ExportSummary,
    export_records,
    flatten_record,
    neutralise,
)

__all__ = [
    "EXPORT_FORMATS",
    "ExportRecord",
    "ExportSummary",
    "export_records",
    "flatten_record",
    "neutralise",
]
