"""Places as officers name them: UN/LOCODE entries found by code or name, and airports found by
IATA code, by name ("Schiphol", "Charles de Gaulle") or by the town beside them ("Roissy"), each
airport mapped to its UN/LOCODE entry. Used by the editor's type-ahead and to show a stored code
as "Paris-Charles de Gaulle (FRCDG)" in the form and the record view.

An airport maps to the UN/LOCODE entry of its country whose code is the country plus the IATA
code when that entry is an airport near it (the usual convention: CDG is FRCDG), else to the
entry that names the IATA code in its own IATA column, else to the nearest entry with the
airport function within 40 km. Airports left without an entry are not offered.
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from forms.reference.airports import Airport, _airports, get_airport
from forms.reference.unlocode import FUNCTION_AIR, Location, normalise_code, unlocode_index
from forms.text import fold_name

NEAR_KM = 40.0  # an airport's own UN/LOCODE entry lies within this distance of it
BESIDE_KM = 6.0  # a town this close to an airport names it too ("Roissy" for CDG)
_CELL = 0.1  # degrees; the grid that keeps the distance searches local


class Place(NamedTuple):
    """One suggestion: the UN/LOCODE to store and the name to show beside it."""

    code: str
    name: str
    iata: str = ""  # set when the suggestion is an airport

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(math.floor(lat / _CELL)), int(math.floor(lon / _CELL))


_SUFFIX = re.compile(r"\s*\b(international\s+)?(airport|airfield|aerodrome)\b\s*", re.IGNORECASE)


def airport_name(airport: Airport) -> str:
    """A short name officers use: "Paris-Charles de Gaulle", "Amsterdam Schiphol"."""
    short = " ".join(_SUFFIX.sub(" ", airport.name).split()) or airport.name
    city = airport.city.strip()
    if city and fold_name(city) not in fold_name(short):
        return f"{city}-{short}"
    return short


class _Tables(NamedTuple):
    locode_of: dict[str, str]  # IATA code -> UN/LOCODE
    airport_of: dict[str, Airport]  # UN/LOCODE -> the airport it stands for
    words: list[tuple[str, str]]  # (folded search text, IATA code), sorted
    served: frozenset[str]  # the UN/LOCODEs that some airport maps to


@functools.cache
def _tables() -> _Tables:
    index = unlocode_index()
    grid: dict[tuple[int, int], list[Location]] = defaultdict(list)
    by_iata_column: dict[tuple[str, str], Location] = {}
    for loc in index:
        if loc.lat is not None and loc.lon is not None and math.isfinite(loc.lat + loc.lon):
            grid[_cell(loc.lat, loc.lon)].append(loc)
        if loc.iata:
            by_iata_column.setdefault((loc.country, loc.iata), loc)

    def near(airport: Airport, km: float) -> Iterable[tuple[float, Location]]:
        row, col = _cell(airport.lat, airport.lon)
        reach = int(km / 11.0) + 1
        for r in range(row - reach, row + reach + 1):
            for c in range(col - reach, col + reach + 1):
                for loc in grid.get((r, c), ()):
                    assert loc.lat is not None and loc.lon is not None
                    d = _km(airport.lat, airport.lon, loc.lat, loc.lon)
                    if d <= km and loc.country == airport.country:
                        yield d, loc

    def has_air(loc: Location) -> bool:
        return FUNCTION_AIR in loc.functions

    locode_of: dict[str, str] = {}
    airport_of: dict[str, Airport] = {}
    words: list[tuple[str, str]] = []
    for airport in _airports():
        if not airport.iata or airport.iata in locode_of or not airport.country:
            continue
        found: Location | None = None
        same = index.get(airport.country + airport.iata)
        if same is not None and has_air(same):
            far = same.lat is not None and same.lon is not None
            if (
                not far
                or _km(airport.lat, airport.lon, same.lat or 0, same.lon or 0) <= 2 * NEAR_KM
            ):
                found = same
        if found is None:
            found = by_iata_column.get((airport.country, airport.iata))
        if found is None:
            nearest = min(
                ((d, loc) for d, loc in near(airport, NEAR_KM) if has_air(loc)),
                default=None,
                key=lambda pair: pair[0],
            )
            found = nearest[1] if nearest else None
        if found is None:
            continue
        locode_of[airport.iata] = found.code
        airport_of.setdefault(found.code, airport)
        names = {fold_name(airport.name), fold_name(airport.city), fold_name(airport_name(airport))}
        names |= {fold_name(loc.name) for d, loc in near(airport, BESIDE_KM)}
        for name in names:
            parts = name.replace("-", " ").replace("/", " ").split()
            for start in range(len(parts)):
                if len(parts[start]) > 2 or start == 0:
                    words.append((" ".join(parts[start:]), airport.iata))
    # An entry that is the airport itself ("Charles-de-Gaulle Apt/Paris") is shown by the
    # airport's name; a city that also has an airport (NLAMS, Amsterdam) keeps its own.
    for code in list(airport_of):
        entry = index.get(code)
        if entry is not None and "apt" not in fold_name(entry.name).replace("/", " ").split():
            del airport_of[code]
    words.sort()
    return _Tables(locode_of, airport_of, words, frozenset(locode_of.values()))


def airport_locode(iata: str) -> str | None:
    """The UN/LOCODE entry an airport (IATA code) maps to, e.g. "CDG" -> "FRCDG"."""
    return _tables().locode_of.get(iata.strip().upper())


def place_name(code: str) -> str | None:
    """The name to show for a stored UN/LOCODE, or None when the code is unknown."""
    loc = unlocode_index().get(code)
    if loc is None:
        return None
    airport = _tables().airport_of.get(loc.code)
    return airport_name(airport) if airport is not None else loc.name


def place_label(code: str) -> str:
    """A stored UN/LOCODE as "Name (CODE)"; the code alone when it is unknown."""
    name = place_name(code)
    return f"{name} ({normalise_code(code)})" if name else code


def airport_label(code: str) -> str:
    """A stored IATA or ICAO code as "Name (CODE)"; the code alone when it is unknown."""
    airport = get_airport(code)
    return f"{airport_name(airport)} ({code.strip().upper()})" if airport else code


_LABELLED = re.compile(r"\(\s*([A-Za-z]{2}\s?-?\s?[A-Za-z0-9]{3}|[A-Za-z0-9]{3,4})\s*\)\s*$")


def code_in_label(text: str) -> str | None:
    """The code at the end of a shown label: "Paris-Charles de Gaulle (FRCDG)" -> "FRCDG"."""
    match = _LABELLED.search(text)
    return normalise_code(match.group(1)) if match else None


def _airport_places(key: str, limit: int) -> list[Place]:
    tables = _tables()
    out: list[Place] = []
    seen: set[str] = set()
    words = tables.words
    import bisect

    i = bisect.bisect_left(words, (key, ""))
    while i < len(words) and words[i][0].startswith(key) and len(out) < limit:
        iata = words[i][1]
        i += 1
        if iata in seen:
            continue
        seen.add(iata)
        airport = get_airport(iata)
        if airport is not None:
            out.append(Place(tables.locode_of[iata], airport_name(airport), iata))
    return out


def _beside(loc: Location, place: Place) -> bool:
    airport = get_airport(place.iata) if place.iata else None
    if airport is None or loc.code == place.code or loc.lat is None or loc.lon is None:
        return False
    return _km(airport.lat, airport.lon, loc.lat, loc.lon) <= BESIDE_KM


def search_places(text: str, limit: int = 20, country: str | None = None) -> list[Place]:
    """Type-ahead for a UN/LOCODE field: an IATA code's airport first, then UN/LOCODE codes,
    airports by name or nearby town, then places by name; within each, ``country`` (the
    officer's own) first."""
    key = fold_name(text)
    if len(key) < 2:
        return []
    index = unlocode_index()
    tables = _tables()
    found: list[Place] = []
    seen: set[str] = set()

    def add(place: Place) -> None:
        if place.code not in seen and len(found) < limit:
            seen.add(place.code)
            found.append(place)

    def own_first(places: list[Place]) -> list[Place]:
        return sorted(places, key=lambda p: p.code[:2] != country) if country else places

    compact = normalise_code(text)
    if len(compact) == 3 and compact.isalpha() and compact in tables.locode_of:
        airport = get_airport(compact)
        if airport is not None:
            add(Place(tables.locode_of[compact], airport_name(airport), compact))
    if 2 <= len(compact) <= 5 and compact[:2].isalpha() and compact == text.strip().upper():
        for loc in index.by_code_prefix(compact, limit):
            add(Place(loc.code, place_name(loc.code) or loc.name))
    names: list[Location] = []
    if country:
        names += index.by_name_prefix(text, limit, country)
    names += index.by_name_prefix(text, limit)
    # "Paris", "Dakar": the place of that very name before its airports; the officer's own
    # country first, then the places with the most kinds of transport (the larger ones).
    exact = [loc for loc in names if fold_name(loc.name) == key]
    served = tables.served
    exact.sort(
        key=lambda loc: (loc.country != country, loc.code not in served, -len(loc.functions))
    )
    airports = own_first(_airport_places(key, limit))
    # ... unless the place lies beside an airport of that name ("Barajas" means the airport).
    beside = [loc for loc in exact if any(_beside(loc, place) for place in airports)]
    for loc in exact:
        if loc not in beside:
            add(Place(loc.code, loc.name))
    for place in airports:
        add(place)
    for loc in beside:
        add(Place(loc.code, loc.name))
    for loc in names:
        add(Place(loc.code, place_name(loc.code) or loc.name))
    if len(compact) in (2, 3, 4, 5) and compact[:2].isalpha():
        for loc in index.by_code_prefix(compact, limit):  # "nlrt": codes typed in lower case
            add(Place(loc.code, place_name(loc.code) or loc.name))
    return found
