"""The operation picture's figures, without Qt: seizures by commodity, by country, over time
(by ISO week) and the top routes, aggregated in SQL on the store writer thread.

A *seizure* is a record of a template whose kind is ``seizure``; its country is the
reporting country when given, else the country of the place of seizure (the first two
letters of its UN/LOCODE). A route is departure -> destination (both UN/LOCODE).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SCOPES = ("all", "reported", "validated")  # every status / submitted+validated / validated
_SCOPE_STATUSES = {
    "all": ("draft", "submitted", "validated", "returned"),
    "reported": ("submitted", "validated"),
    "validated": ("validated",),
}
TOP_ROUTES = 10


@dataclass(frozen=True)
class Route:
    departure: str
    destination: str
    departure_name: str
    destination_name: str
    count: int


@dataclass
class Picture:
    """Plain figures for the charts and the PDF summary."""

    operation_id: str
    scope: str
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_commodity: list[tuple[str, int]] = field(default_factory=list)  # category, seizures
    kilograms: dict[str, float] = field(default_factory=dict)  # category -> kg seized
    by_country: list[tuple[str, int]] = field(default_factory=list)  # alpha-2, seizures
    by_week: list[tuple[dt.date, int]] = field(default_factory=list)  # Monday, seizures
    routes: list[Route] = field(default_factory=list)
    undated: int = 0


def seizure_templates() -> tuple[str, ...]:
    from forms.registry import builtin_templates

    return tuple(sorted(t.id for t in builtin_templates().values() if t.kind == "seizure"))


def _week(text: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text[:10])
    except (TypeError, ValueError):
        return None
    return day - dt.timedelta(days=day.weekday())


def _place_name(code: str) -> str:
    from forms.reference.unlocode import unlocode_index

    location = unlocode_index().get(code)
    return location.name if location is not None else code


def compute(store: Any, operation_id: str, scope: str = "all") -> Picture:
    """Aggregate the operation's seizures: one pass over the reports, one over their goods."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    templates = seizure_templates()
    statuses = _SCOPE_STATUSES[scope]
    picture = Picture(operation_id, scope)
    marks_t = ",".join("?" * len(templates))
    marks_s = ",".join("?" * len(statuses))
    where = f"r.operation_id = ? AND r.template_id IN ({marks_t}) AND r.status IN ({marks_s})"  # noqa: S608
    params = (operation_id, *templates, *statuses)

    # One pass over the rows for status, country, week and route (JSON parsed once per row),
    # one pass over the commodity lines; the counting is done here.
    country_sql = (
        "upper(coalesce(nullif(json_extract(r.fields, '$.reporting_country'), ''), "
        "substr(json_extract(r.fields, '$.place'), 1, 2), ''))"
    )
    rows = store.query(
        f"SELECT r.status, {country_sql}, json_extract(r.fields, '$.seizure_date'), "  # noqa: S608
        "upper(json_extract(r.fields, '$.departure')), "
        "upper(json_extract(r.fields, '$.destination')) "
        f"FROM records r WHERE {where} AND json_valid(r.fields)",
        params,
    )
    statuses_seen: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    days: Counter[str] = Counter()
    routes: Counter[tuple[str, str]] = Counter()
    for status, country, day, departure, destination in rows:
        statuses_seen[str(status)] += 1
        countries[str(country or "??")] += 1
        days[str(day) if day else ""] += 1
        if departure and destination and isinstance(departure, str):
            routes[(departure, str(destination))] += 1
    picture.by_status = dict(statuses_seen)
    picture.total = sum(statuses_seen.values())
    if not picture.total:
        return picture

    rows = store.query(
        "SELECT json_extract(c.value, '$.category'), count(DISTINCT r.id), "  # noqa: S608
        "sum(CASE WHEN json_extract(c.value, '$.unit') = 'kg' "
        "THEN json_extract(c.value, '$.quantity') END) "
        f"FROM records r, json_each(r.fields, '$.commodities') c WHERE {where} "
        "AND json_valid(r.fields) AND json_type(r.fields, '$.commodities') = 'array' "
        "GROUP BY 1 ORDER BY 2 DESC, 1",
        params,
    )
    for category, count, kilograms in rows:
        name = str(category) if category else "other"
        picture.by_commodity.append((name, int(count)))
        if kilograms is not None:
            picture.kilograms[name] = float(kilograms)

    picture.by_country = sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))

    weeks: Counter[dt.date] = Counter()
    for day, count in days.items():
        week = _week(day) if day else None
        if week is None:
            picture.undated += count
        else:
            weeks[week] += count
    if weeks:
        first, last = min(weeks), max(weeks)
        span = (last - first).days // 7
        if span <= 520:  # fill empty weeks so the time axis is even (ten years at most)
            for n in range(span + 1):
                weeks.setdefault(first + dt.timedelta(weeks=n), 0)
    picture.by_week = sorted(weeks.items())

    top = sorted(routes.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ROUTES]
    picture.routes = [
        Route(dep, dest, _place_name(dep), _place_name(dest), count) for (dep, dest), count in top
    ]
    return picture


def load_picture(profile: Any, operation_id: str, scope: str = "all") -> Picture:
    """For ``Session.call``: the picture of one operation."""
    return compute(profile.store, operation_id, scope)
