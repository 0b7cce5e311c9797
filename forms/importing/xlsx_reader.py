"""xlsx import with openpyxl in read-only (streaming) mode, after checking the archive against
zip bombs: the sizes declared in the zip directory are checked before anything is inflated
(Python's zipfile never inflates a member beyond its declared size, so the check holds)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from forms.importing.errors import ImportFileError
from forms.importing.table import HEADER_SCAN_ROWS, MAX_COLUMNS, Table, is_blank, name_headers
from locales import N_

MAX_MEMBERS = 10_000
MAX_TOTAL_UNCOMPRESSED = 1 << 30  # 1 GiB of XML is already ~1 million rows
MAX_RATIO = 200  # legitimate sheets compress 5-50x; bombs compress 1000x and more
RATIO_FLOOR = 1 << 20  # small members may compress far better and are harmless


def check_archive(path: Path) -> None:
    """Refuse a file that is not a zip archive or would inflate out of proportion."""
    if not zipfile.is_zipfile(path):
        raise ImportFileError(N_("The file is not an xlsx workbook."))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ImportFileError(N_("The file is not an xlsx workbook.")) from None
    if len(members) > MAX_MEMBERS:
        raise ImportFileError(N_("The workbook holds too many parts to be safe to open."))
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise ImportFileError(
                N_("The workbook expands {ratio}-fold when unpacked; it is refused as a"
                   " possible zip bomb."),
                ratio=int(ratio),
            )
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise ImportFileError(N_("The workbook is too large once unpacked."))


class FormulaCell(str):
    """A cell that holds a formula: never evaluated, and refused by the importer."""

    __slots__ = ()


def read_xlsx(
    path: Path, choose_header: Callable[[list[list[Any]]], int], sheet: str | None = None
) -> Table:
    check_archive(path)
    import openpyxl

    try:
        # data_only=False: a formula comes back as its text ("=..."), never a computed value.
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ImportFileError(N_("The workbook cannot be read: it is damaged or not xlsx.")) \
            from exc
    try:
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    except (KeyError, IndexError):
        workbook.close()
        raise ImportFileError(N_("The workbook has no sheet named {sheet}."),
                              sheet=sheet or "") from None
    source = worksheet.iter_rows(values_only=True)
    numbered = enumerate(source, start=1)
    head: list[tuple[int, list[Any]]] = []
    for number, row in numbered:
        cells = list(row[:MAX_COLUMNS + 1])
        if len(cells) > MAX_COLUMNS:
            workbook.close()
            raise ImportFileError(N_("The file has more than {limit} columns."),
                                  limit=MAX_COLUMNS)
        if not is_blank(cells):
            head.append((number, cells))
        if len(head) >= HEADER_SCAN_ROWS:
            break
    if not head:
        workbook.close()
        raise ImportFileError(N_("The file holds no rows."))
    chosen = choose_header([cells for _, cells in head])
    headers = name_headers(head[chosen][1])
    buffered = head[chosen + 1:]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for number, cells in buffered:
                yield number, _as_dict(headers, cells)
            for number, row in numbered:
                cells = list(row[: len(headers)])
                if not is_blank(cells):
                    yield number, _as_dict(headers, cells)
        finally:
            workbook.close()

    return Table(headers, rows(), "xlsx")


def _as_dict(headers: list[str], cells: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, header in enumerate(headers):
        if i >= len(cells) or cells[i] is None or cells[i] == "":
            continue
        value = cells[i]
        if isinstance(value, str) and value.startswith("="):
            value = FormulaCell(value)
        out[header] = value
    return out
