"""How commands print results: one JSON document with ``--json``, readable text without."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any


def emit(result: Any, as_json: bool, human: Callable[[Any], str] | None = None) -> None:
    """Print ``result``: JSON when asked, else ``human(result)`` or a plain rendering."""
    if as_json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    text = human(result) if human else render(result)
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def render(result: Any) -> str:
    if isinstance(result, list):
        if not result:
            return ""
        if all(isinstance(row, dict) for row in result):
            return table(result, list(result[0].keys()))
        return "\n".join(str(row) for row in result)
    if isinstance(result, dict):
        width = max((len(str(k)) for k in result), default=0)
        return "\n".join(f"{k:<{width}}  {_cell(v)}" for k, v in result.items())
    return "" if result is None else str(result)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain text table with a header line; cells are never interpreted, only printed."""
    cells = [[_cell(row.get(col)) for col in columns] for row in rows]
    widths = [max([len(col)] + [len(r[i]) for r in cells]) for i, col in enumerate(columns)]
    lines = ["  ".join(col.upper().ljust(w) for col, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value).replace("\n", " ")
