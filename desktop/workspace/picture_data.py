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
DEFAULT_SCOPE = "reported"  # drafts are private work in progress until submitted
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


def _sql_order(value: Any) -> tuple[int, Any]:
    """A sort key that orders values as SQLite does: NULL, then numbers, then text."""
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    return (2, str(value))


def compute(store: Any, operation_id: str, scope: str = "all") -> Picture:
    """Aggregate the operation's seizures: one pass over the reports, one over their goods."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    templates = seizure_templates()
    statuses = _SCOPE_STATUSES[scope]
    picture = Picture(operation_id, scope)
    rows = store.cases.seizure_tallies(operation_id, templates, statuses)
    statuses_seen: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    days: Counter[str] = Counter()
    routes: Counter[tuple[str, str]] = Counter()
    goods: list[tuple[Any, int, Any]] = []
    for kind, value, other, count, kilograms in (
        (t.kind, t.value, t.other, t.count, t.kilograms) for t in rows
    ):
        if kind == 0:
            statuses_seen[str(value)] += count
        elif kind == 1:
            countries[str(value or "??")] += count
        elif kind == 2:
            days[str(value) if value else ""] += count
        elif kind == 3:
            routes[(str(value), str(other))] += count
        else:
            goods.append((value, int(count), kilograms))
    picture.by_status = dict(statuses_seen)
    picture.total = sum(statuses_seen.values())
    if not picture.total:
        return picture

    goods.sort(key=lambda line: (-line[1], _sql_order(line[0])))  # SQLite's ORDER BY 2 DESC, 1
    for category, count, kilograms in goods:
        name = str(category) if category else "other"
        picture.by_commodity.append((name, count))
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
