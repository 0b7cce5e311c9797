"""Airports from airportsdata (IATA and ICAO codes): exact lookup and type-ahead by code, name
or city, for the flight and route fields."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from forms.text import fold_name


@dataclass(frozen=True)
class Airport:
    iata: str
    icao: str
    name: str
    city: str
    country: str
    lat: float
    lon: float


@functools.cache
def _airports() -> tuple[Airport, ...]:
    import airportsdata

    rows = airportsdata.load("ICAO")  # the larger table; IATA codes are a field of it
    return tuple(
        sorted(
            (
                Airport(str(a["iata"]), str(a["icao"]), str(a["name"]), str(a["city"]),
                        str(a["country"]), float(a["lat"]), float(a["lon"]))
                for a in rows.values()
            ),
            key=lambda a: (a.iata or "~", a.icao),
        )
    )


@functools.cache
def _by_code() -> dict[str, Airport]:
    table: dict[str, Airport] = {}
    for airport in _airports():
        table.setdefault(airport.icao, airport)
        if airport.iata:
            table.setdefault(airport.iata, airport)
    return table


def get_airport(code: str) -> Airport | None:
    """An airport by IATA (3 letters) or ICAO (4 letters) code, any case."""
    return _by_code().get(code.strip().upper())


def search_airports(text: str, limit: int = 20) -> list[Airport]:
    """Type-ahead: code prefix first, then name or city word prefixes."""
    key = fold_name(text)
    if not key:
        return []
    upper = text.strip().upper()
    out = [a for a in _airports() if a.iata.startswith(upper) or a.icao.startswith(upper)]
    out = out[:limit]
    if len(out) < limit:
        seen = {a.icao for a in out}
        for airport in _airports():
            words = f"{fold_name(airport.name)} {fold_name(airport.city)}".split()
            if airport.icao not in seen and any(w.startswith(key) for w in words):
                out.append(airport)
                if len(out) >= limit:
                    break
    return out
