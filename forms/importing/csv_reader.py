"""CSV import: UTF-8 with or without BOM, else cp1252; delimiter sniffed; streamed row by row
so a file of a million rows is read in constant memory."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from forms.importing.errors import ImportFileError
from forms.importing.table import HEADER_SCAN_ROWS, MAX_COLUMNS, Table, is_blank, name_headers
from locales import N_

SAMPLE_BYTES = 256 * 1024
MAX_FIELD_CHARS = 100_000
DELIMITERS = ",;\t|"


def detect_encoding(sample: bytes, complete: bool) -> str:
    """utf-8-sig when the sample is UTF-8 (a BOM is skipped), else cp1252 (Excel on Windows)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # final=False: the sample may end inside a multi-byte character.
        decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        # The sniffer gives up on irregular files; pick the separator most common in line one.
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_csv(path: Path, choose_header: Callable[[list[list[str]]], int]) -> Table:
    """Open ``path`` as a Table; ``choose_header`` picks the header among the first rows."""
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
        complete = len(sample) < SAMPLE_BYTES
    encoding = detect_encoding(sample, complete)
    sample_text = sample.decode(encoding, errors="ignore")
    delimiter = sniff_delimiter(sample_text)

    fh = path.open("r", encoding=encoding, newline="", errors="strict")
    reader = csv.reader(fh, delimiter=delimiter)
    head: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise ImportFileError(N_("The file has more than {limit} columns."),
                                      limit=MAX_COLUMNS)
            if not is_blank(list(row)):
                head.append((reader.line_num, row))
            if len(head) >= HEADER_SCAN_ROWS:
                break
    except (csv.Error, UnicodeDecodeError) as exc:
        fh.close()
        raise _unreadable(exc, reader.line_num) from None
    if not head:
        fh.close()
        raise ImportFileError(N_("The file holds no rows."))
    chosen = choose_header([row for _, row in head])
    headers = name_headers(list(head[chosen][1]))
    buffered = head[chosen + 1:]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for line, row in buffered:
                yield line, _as_dict(headers, row)
            for row in reader:
                if len(row) > MAX_COLUMNS:
                    raise ImportFileError(
                        N_("Row {row} has more than {limit} columns."),
                        row=reader.line_num, limit=MAX_COLUMNS,
                    )
                if not is_blank(list(row)):
                    yield reader.line_num, _as_dict(headers, row)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _unreadable(exc, reader.line_num) from None
        finally:
            fh.close()

    return Table(headers, rows(), "csv", delimiter)


def _as_dict(headers: list[str], row: list[str]) -> dict[str, Any]:
    return {h: row[i] for i, h in enumerate(headers) if i < len(row) and row[i] != ""}


def _unreadable(exc: Exception, line: int) -> ImportFileError:
    if isinstance(exc, UnicodeDecodeError):
        return ImportFileError(N_("The file is not valid UTF-8 near line {line}."), line=line)
    return ImportFileError(N_("The file is not readable CSV near line {line}."), line=line)


csv.field_size_limit(MAX_FIELD_CHARS)
