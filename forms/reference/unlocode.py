"""UN/LOCODE: 115,000 places with their transport functions; exact, code-prefix and name-prefix
lookups for type-ahead. The list is read from the packaged CSV on first use (about half a second)
and kept sorted, so every lookup is a couple of binary searches."""

from __future__ import annotations

import bisect
import csv
import gzip
import io
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True, slots=True)
class Location:
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
        self._locations = sorted(rows, key=lambda loc: loc.code)
        self._codes = [loc.code for loc in self._locations]
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
        self._name_keys = [name for name, _ in names]
        self._name_pos = [pos for _, pos in names]

    def __len__(self) -> int:
        return len(self._locations)

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
        i = bisect.bisect_left(self._name_keys, key)
        out: list[Location] = []
        seen: set[int] = set()
        # Scan a bounded window so a one-letter prefix with a country filter stays fast.
        scanned = 0
        while i < len(self._name_keys) and len(out) < limit and scanned < 20000:
            if not self._name_keys[i].startswith(key):
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


def read_locations(path: Path = DATA) -> list[Location]:
    with gzip.open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        reader = csv.reader(text)
        header = next(reader)
        col = {name: i for i, name in enumerate(header)}
        c, loc_, n, nw = col["country"], col["location"], col["name"], col["nameWoDiacritics"]
        sub, st, fn, iata = col["subdivision"], col["status"], col["function"], col["iata"]
        lat, lon = col["lat"], col["lon"]
        return [
            Location(
                row[c] + row[loc_], row[n], row[nw], row[sub], row[st], row[fn], row[iata],
                _float(row[lat]), _float(row[lon]),
            )
            for row in reader
            if len(row) >= len(header) - 1 and len(row[c]) == 2 and len(row[loc_]) == 3
        ]


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
