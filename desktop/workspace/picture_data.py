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
    marks_t = ",".join("?" * len(templates))
    marks_s = ",".join("?" * len(statuses))
    where = f"r.operation_id = ? AND r.template_id IN ({marks_t}) AND r.status IN ({marks_s})"  # noqa: S608
    params = (operation_id, *templates, *statuses)

    # One statement, one pass over the reports (each record's JSON parsed once): the values the
    # figures need are set aside, then counted in SQL; the commodity lines are read from the
    # small commodities list set aside, not from the whole record again.
    country_sql = (
        "upper(coalesce(nullif(json_extract(r.fields, '$.reporting_country'), ''), "
        "substr(json_extract(r.fields, '$.place'), 1, 2), ''))"
    )
    rows = store.query(
        "WITH base AS MATERIALIZED (SELECT r.id AS id, r.status AS status, "  # noqa: S608
        f"{country_sql} AS country, json_extract(r.fields, '$.seizure_date') AS day, "
        "upper(json_extract(r.fields, '$.departure')) AS departure, "
        "upper(json_extract(r.fields, '$.destination')) AS destination, "
        "json_extract(r.fields, '$.commodities') AS goods, "
        "json_type(r.fields, '$.commodities') AS goods_type "
        f"FROM records r WHERE {where} AND json_valid(r.fields)) "
        "SELECT 0, status, NULL, count(*), NULL FROM base GROUP BY status "
        "UNION ALL SELECT 1, country, NULL, count(*), NULL FROM base GROUP BY country "
        "UNION ALL SELECT 2, day, NULL, count(*), NULL FROM base GROUP BY day "
        "UNION ALL SELECT 3, departure, destination, count(*), NULL FROM base "
        "WHERE departure <> '' AND destination <> '' GROUP BY departure, destination "
        "UNION ALL SELECT 4, json_extract(c.value, '$.category'), NULL, count(DISTINCT b.id), "
        "sum(CASE WHEN json_extract(c.value, '$.unit') = 'kg' "
        "THEN json_extract(c.value, '$.quantity') END) "
        "FROM base b, json_each(b.goods) c WHERE b.goods_type = 'array' GROUP BY 2",
        params,
    )
    statuses_seen: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    days: Counter[str] = Counter()
    routes: Counter[tuple[str, str]] = Counter()
    goods: list[tuple[Any, int, Any]] = []
    for kind, value, other, count, kilograms in rows:
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
