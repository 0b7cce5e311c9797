"""Bulk import of xlsx, csv and xml files onto a template: column mapping, validation of every
row, and a report of every row refused. A pure API: the caller stores the records."""

from forms.importing.core import (
    FORMATS,
    ImportedRecord,
    ImportReport,
    RefusedRow,
    detect_format,
    import_file,
    preview_mapping,
)
from forms.importing.errors import ImportFileError
from forms.importing.mapping import ColumnMapping, check_mapping, suggest_mapping

__all__ = [
    "FORMATS",
    "ColumnMapping",
    "ImportFileError",
    "ImportReport",
    "ImportedRecord",
    "RefusedRow",
    "check_mapping",
    "detect_format",
    "import_file",
    "preview_mapping",
    "suggest_mapping",
]
