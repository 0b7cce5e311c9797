"""Harmonized System nomenclature (chapters, headings, subheadings) for HS code validation
and type-ahead, read from the packaged CSV on first use."""

from __future__ import annotations

import csv
import functools
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "hs-codes.csv.gz"


@dataclass(frozen=True, slots=True)
class HsCode:
    code: str  # 2, 4 or 6 digits
    description: str
    section: str
    parent: str


def normalise_hs(text: str) -> str:
    """``0901.11``, ``0901 11`` and ``090111`` all become ``090111``."""
    return "".join(ch for ch in text if ch.isdigit()) if text else ""


class HsIndex:
    def __init__(self, rows: list[HsCode]) -> None:
        self._by_code = {row.code: row for row in rows}
        self._sorted = sorted(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> HsCode | None:
        return self._by_code.get(normalise_hs(code))

    def is_valid(self, code: str) -> bool:
        """A known chapter, heading or subheading, or a national extension (8 or 10 digits)
        of a known subheading."""
        digits = normalise_hs(code)
        if len(digits) in (2, 4, 6):
            return digits in self._by_code
        if len(digits) in (8, 10):
            return digits[:6] in self._by_code
        return False

    def search(self, prefix: str, limit: int = 20) -> list[HsCode]:
        import bisect

        digits = normalise_hs(prefix)
        if digits:
            i = bisect.bisect_left(self._sorted, digits)
            out: list[HsCode] = []
            while i < len(self._sorted) and len(out) < limit:
                if not self._sorted[i].startswith(digits):
                    break
                out.append(self._by_code[self._sorted[i]])
                i += 1
            return out
        words = prefix.casefold().split()
        if not words:
            return []
        return [
            row
            for row in self._by_code.values()
            if all(w in row.description.casefold() for w in words)
        ][:limit]


@functools.cache
def hs_index() -> HsIndex:
    with gzip.open(DATA, "rb") as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        rows = [
            HsCode(r["hscode"], r["description"], r["section"], r["parent"])
            for r in reader
            if r.get("hscode", "").isdigit()
        ]
    return HsIndex(rows)
