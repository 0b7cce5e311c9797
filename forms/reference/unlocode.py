"""UN/LOCODE: 115,000 places with their transport functions; exact, code-prefix and name-prefix
lookups for type-ahead. The list is read from the packaged CSV on first use (about half a second)
and kept sorted, so every lookup is a couple of binary searches."""

from __future__ import annotations

import bisect
import csv
import gzip
import io
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from forms.text import fold_name

DATA = Path(__file__).resolve().parent / "data" / "unlocode.csv.gz"

# What each transport function digit means (position in the UN/LOCODE `function` column).
FUNCTION_SEA = "1"
FUNCTION_RAIL = "2"
FUNCTION_ROAD = "3"
FUNCTION_AIR = "4"
FUNCTION_POSTAL = "5"
FUNCTION_MULTIMODAL = "6"
FUNCTION_FIXED = "7"
FUNCTION_INLAND_WATER = "8"
FUNCTION_BORDER = "B"

# Which functions make a place plausible on a route of each conveyance.
CONVEYANCE_FUNCTIONS: dict[str, frozenset[str]] = {
    "air": frozenset({FUNCTION_AIR}),
    "sea": frozenset({FUNCTION_SEA, FUNCTION_INLAND_WATER}),
    "road": frozenset({FUNCTION_ROAD, FUNCTION_BORDER, FUNCTION_MULTIMODAL}),
    "rail": frozenset({FUNCTION_RAIL, FUNCTION_MULTIMODAL}),
    # Mail and courier parcels travel by any mode: only a place with no transport at all is odd.
    "postal": frozenset("123456"),
    "express_courier": frozenset("123456"),
}


class Location(NamedTuple):
    """One UN/LOCODE entry (a named tuple: 115,000 of them are built at load, cheaply)."""

    code: str  # five characters: ISO country + three-character location, e.g. NLRTM
    name: str
    name_ascii: str
    subdivision: str
    status: str
    function: str  # the raw eight-character column, e.g. "1-34----"
    iata: str
    lat: float | None
    lon: float | None

    @property
    def country(self) -> str:
        return self.code[:2]

    @property
    def functions(self) -> frozenset[str]:
        return frozenset(ch for ch in self.function if ch not in "-0 ")

    def fits(self, conveyance: str) -> bool:
        """Whether this place can plausibly be on a route of ``conveyance``."""
        wanted = CONVEYANCE_FUNCTIONS.get(conveyance)
        return wanted is None or bool(self.functions & wanted)


def _float(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def normalise_code(text: str) -> str:
    """``nl rtm``, ``NL-RTM`` and ``nlrtm`` all become ``NLRTM``."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


class UnlocodeIndex:
    """All UN/LOCODE entries, sorted by code, with a sorted name index for prefix search."""

    def __init__(self, rows: Iterable[Location]) -> None:
        self._locations = list(rows)
        codes = [loc.code for loc in self._locations]
        if codes != sorted(codes):  # the packaged file is sorted; other sources may not be
            self._locations.sort(key=lambda loc: loc.code)
        self._codes = [loc.code for loc in self._locations]
        # The name index costs more than the codes and only type-ahead needs it: built on the
        # first name search, so validating codes (imports, the sync engine) never pays for it.
        self._name_keys: list[str] | None = None
        self._name_pos: list[int] = []
        self._names_lock = threading.Lock()

    def _build_names(self) -> list[str]:
        with self._names_lock:
            if self._name_keys is not None:
                return self._name_keys
            keys, positions = self._name_index()
            self._name_pos = positions
            self._name_keys = keys
            return keys

    def _name_index(self) -> tuple[list[str], list[int]]:
        names: list[tuple[str, int]] = []
        for position, loc in enumerate(self._locations):
            seen = set()
            for name in (loc.name, loc.name_ascii):
                folded = fold_name(name)
                if folded in seen or not folded:
                    continue
                seen.add(folded)
                names.append((folded, position))
                # Also find "Vella" in "Andorra la Vella": index each later word start.
                words = folded.split(" ")
                for start in range(1, len(words)):
                    if len(words[start]) > 2:
                        names.append((" ".join(words[start:]), position))
        names.sort()
        return [name for name, _ in names], [pos for _, pos in names]

    def __len__(self) -> int:
        return len(self._locations)

    def __iter__(self) -> Iterator[Location]:
        return iter(self._locations)

    def get(self, code: str) -> Location | None:
        code = normalise_code(code)
        i = bisect.bisect_left(self._codes, code)
        if i < len(self._codes) and self._codes[i] == code:
            return self._locations[i]
        return None

    def by_code_prefix(self, prefix: str, limit: int = 20) -> list[Location]:
        prefix = normalise_code(prefix)
        if not prefix:
            return []
        i = bisect.bisect_left(self._codes, prefix)
        out: list[Location] = []
        while i < len(self._codes) and len(out) < limit and self._codes[i].startswith(prefix):
            out.append(self._locations[i])
            i += 1
        return out

    def by_name_prefix(
        self, prefix: str, limit: int = 20, country: str | None = None
    ) -> list[Location]:
        key = fold_name(prefix)
        if not key:
            return []
        name_keys = self._name_keys if self._name_keys is not None else self._build_names()
        i = bisect.bisect_left(name_keys, key)
        out: list[Location] = []
        seen: set[int] = set()
        # Scan a bounded window so a one-letter prefix with a country filter stays fast.
        scanned = 0
        while i < len(name_keys) and len(out) < limit and scanned < 20000:
            if not name_keys[i].startswith(key):
                break
            pos = self._name_pos[i]
            loc = self._locations[pos]
            if pos not in seen and (country is None or loc.country == country):
                seen.add(pos)
                out.append(loc)
            i += 1
            scanned += 1
        return out

    def search(self, text: str, limit: int = 20, country: str | None = None) -> list[Location]:
        """Type-ahead: exact code first, then code-prefix matches, then name-prefix matches."""
        out: list[Location] = []
        seen: set[str] = set()
        compact = normalise_code(text)
        if 2 <= len(compact) <= 5 and compact[:2].isalpha():
            for loc in self.by_code_prefix(compact, limit):
                if country is None or loc.country == country:
                    out.append(loc)
                    seen.add(loc.code)
        for loc in self.by_name_prefix(text, limit, country):
            if len(out) >= limit:
                break
            if loc.code not in seen:
                out.append(loc)
                seen.add(loc.code)
        return out[:limit]


_FUNCTION = re.compile(r"[0-9AB-]{8}")


def _repair(row: list[str]) -> list[str] | None:
    """The packaged list has about a thousand rows whose quoted name held a comma and was split
    ("Freeport, Grand Bahama" became two columns, shifting the rest and losing status and
    IATA code). Rebuild them; rows that cannot be understood are dropped."""
    if len(row) >= 11 and row[2].startswith('"') and _FUNCTION.fullmatch(row[7]):
        name = f"{row[2]},{row[3]}".strip('"').strip()
        ascii_name = f"{row[4]},{row[5]}".strip('"').strip()
        return [row[0], row[1], name, ascii_name, row[6], "", row[7], "", row[8], row[9]]
    return None


def _display_name(name: str, ascii_name: str) -> str:
    # About 12,000 names lost their accented letters to U+FFFD upstream; the unaccented
    # spelling is the better one to show then.
    return ascii_name if "\ufffd" in name and ascii_name else name


def read_locations(path: Path = DATA) -> list[Location]:
    """Every usable row of the packaged UN/LOCODE list."""
    out: list[Location] = []
    with gzip.open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        reader = csv.reader(text)
        next(reader)  # header: country,location,name,nameWoDiacritics,subdivision,status,...
        for row in reader:
            if len(row) < 10 or len(row[0]) != 2 or len(row[1]) != 3:
                continue
            if not _FUNCTION.fullmatch(row[6]):
                repaired = _repair(row)
                if repaired is None:
                    continue
                row = repaired
            name = row[2] if "\ufffd" not in row[2] else _display_name(row[2], row[3])
            out.append(
                Location(
                    row[0] + row[1], name, row[3], row[4], row[5], row[6], row[7],
                    _float(row[8]), _float(row[9]),
                )
            )
    return out


_lock = threading.Lock()
_index: UnlocodeIndex | None = None


def unlocode_index() -> UnlocodeIndex:
    """The process-wide index, built on first use (thread-safe)."""
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = UnlocodeIndex(read_locations())
    return _index
