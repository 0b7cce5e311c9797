"""What every reader produces: column names and a stream of numbered rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Rows read before the header is chosen (a title row or a blank row may come first).
HEADER_SCAN_ROWS = 10
MAX_COLUMNS = 500


@dataclass
class Table:
    """``headers`` are the column names; ``rows`` yields (row number as the user sees it in
    the file, {header: raw value}). Rows are read lazily: one pass, constant memory."""

    headers: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]
    format: str
    delimiter: str = ","  # a CSV file's separator (a correction file writes the same)


def is_blank(values: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def name_headers(cells: list[Any]) -> list[str]:
    """Column names from a header row: empty cells (under a merged header) get a positional
    name, repeated names get a suffix, so every column stays addressable."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = str(cell).strip() if cell is not None else ""
        name = " ".join(name.split()) or f"column {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return names
