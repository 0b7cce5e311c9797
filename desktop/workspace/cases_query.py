"""The case list's queries, Qt-free: counts, pages and search hits for one operation's records.

Every function takes the unlocked profile and runs on the session's writer thread (the store's
connection lives there). What crosses back to the UI is plain data (:class:`CaseRow`), never a
store handle. Pages are cut from a covering index first and only then joined to the record rows,
so the last page of 100,000 records costs about what the first does. The exact filters on field
values (country, handling code) and the sorts by a template field read ``record_values``, the
index of each record's top-level values that triggers keep (migration 0006), never the JSON.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from forms.model import FieldType, Template
from forms.registry import builtin_templates
from forms.summary import record_summary

PAGE_SIZE = 200
SEARCH_LIMIT = 200  # newest hits first; the count says when there are more
SUMMARY_FIELDS = 3  # scalar fields joined into the summary column

# Sort keys the list offers besides a template's own fields ("f:<field id>").
SORT_KEYS = ("updated", "created", "template", "status", "author")
_SORT_SQL = {
    "updated": "r.updated_hlc",
    "created": "r.created_hlc",
    "template": "r.template_id",
    "status": "r.status",
    "author": "r.author",
}


@dataclass(frozen=True)
class CaseFilter:
    """What the person narrowed the list to; every member empty means "everything"."""

    template: str = ""
    status: str = ""
    author: str = ""
    country: str = ""  # ISO alpha-2, matched in every country field of the record
    handling_code: str = ""
    date_from: dt.date | None = None  # on the record's creation (inclusive, UTC days)
    date_to: dt.date | None = None
    search: str = ""

    def without_search(self) -> CaseFilter:
        return replace(self, search="")


@dataclass(frozen=True)
class Sort:
    key: str = "updated"  # one of SORT_KEYS or "f:<field id>"
    descending: bool = True


@dataclass(frozen=True)
class CaseRow:
    """One line of the list: enough to draw it and to open the record, nothing more."""

    record_id: str
    template_id: str
    status: str
    author: str
    updated_hlc: str
    created_hlc: str
    revision: int
    unread: bool
    handling_code: str
    values: dict[str, Any] = field(default_factory=dict)  # the template's column fields
    summary: str = ""
    snippet: str = ""
    updated_text: str = ""  # formatted here, off the UI thread (Babel is slow to start)


@functools.cache
def _country_fields() -> tuple[str, ...]:
    """Top-level field ids of type country across the shipped templates."""
    found: set[str] = set()
    for template in builtin_templates().values():
        found.update(f.id for f in template.fields() if f.type is FieldType.COUNTRY)
    return tuple(sorted(found))


def column_fields(template: Template, limit: int = 6) -> list[str]:
    """The fields a template shows as list columns: its first scalar, non-text-area fields."""
    skip = {FieldType.GROUP, FieldType.TEXTAREA, FieldType.PHOTO, FieldType.LINK}
    chosen = [f.id for f in template.fields() if f.type not in skip and f.id != "handling_code"]
    return chosen[:limit]


def hlc_of_day(day: dt.date, *, end: bool = False) -> str:
    """An HLC prefix that sorts before (or, with ``end``, after) every clock of that UTC day."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    if end:
        start += dt.timedelta(days=1)
    return f"{int(start.timestamp() * 1000):013d}"


def _where(operation_id: str, flt: CaseFilter) -> tuple[str, list[Any]]:
    sql = ["r.operation_id = ?"]
    params: list[Any] = [operation_id]
    if flt.template:
        sql.append("r.template_id = ?")
        params.append(flt.template)
    more, more_params = _narrowing(flt)
    return " AND ".join(sql + more), params + more_params


def _narrowing(flt: CaseFilter) -> tuple[list[str], list[Any]]:
    """The filter's conditions beyond the operation and the template, on ``records r``."""
    sql: list[str] = []
    params: list[Any] = []
    if flt.status:
        sql.append("r.status = ?")
        params.append(flt.status)
    if flt.author:
        sql.append("r.author = ?")
        params.append(flt.author)
    # Exact field values come from record_values (migration 0006), an index kept by triggers,
    # rather than from parsing every record's JSON.
    if flt.handling_code:
        sql.append(
            "r.id IN (SELECT record FROM record_values "
            "WHERE field = 'handling_code' AND part = 0 AND value = ?)"
        )
        params.append(flt.handling_code)
    if flt.country:
        keys = _country_fields()
        marks = ", ".join("?" for _ in keys)
        # A country field holds a code or, when multiple, a list of codes (part 1).
        sql.append(
            f"r.id IN (SELECT record FROM record_values WHERE field IN ({marks}) "  # noqa: S608
            "AND part IN (0, 1) AND value = ?)"
        )
        params += [*keys, flt.country]
    if flt.date_from is not None:
        sql.append("r.created_hlc >= ?")
        params.append(hlc_of_day(flt.date_from))
    if flt.date_to is not None:
        sql.append("r.created_hlc < ?")
        params.append(hlc_of_day(flt.date_to, end=True))
    return sql, params


def _sort_field(sort: Sort) -> str | None:
    """The template field a sort is by ("f:<field id>"), or None for a column of the record."""
    return sort.key[2:].replace('"', "") if sort.key.startswith("f:") else None


def _order(sort: Sort) -> tuple[str, list[Any]]:
    """ORDER BY over the record rows themselves (search hits: a few hundred rows at most)."""
    direction = "DESC" if sort.descending else "ASC"
    field = _sort_field(sort)
    if field is not None:
        return f"json_extract(r.fields, ?) {direction}, r.id {direction}", ['$."' + field + '"']
    column = _SORT_SQL.get(sort.key, "r.updated_hlc")
    return f"{column} {direction}, r.id {direction}", []


def count(profile: Any, operation_id: str, flt: CaseFilter) -> int:
    where, params = _where(operation_id, flt)
    row = profile.store.query_one(f"SELECT count(*) FROM records r WHERE {where}", params)  # noqa: S608
    return int(row[0]) if row else 0


_COLUMNS_SQL = (
    "SELECT r.record_id, r.template_id, r.status, r.author, r.fields, r.updated_hlc, "
    "r.created_hlc, r.revision, coalesce(rr.revision, 0) "
)
# The chosen ids are materialised first and CROSS JOIN keeps them the outer loop: otherwise
# the planner may walk all 100,000 records in the ORDER BY's index to find the 200 chosen.
_JOIN_SQL = (
    "FROM pick CROSS JOIN records r ON r.id = pick.id LEFT JOIN record_reads rr "
    "ON rr.operation_id = r.operation_id AND rr.record_id = r.record_id "
)


def page(
    profile: Any,
    operation_id: str,
    flt: CaseFilter,
    sort: Sort,
    offset: int,
    limit: int = PAGE_SIZE,
) -> list[CaseRow]:
    """Rows ``offset`` .. ``offset + limit`` of the filtered, sorted list."""
    where, params = _where(operation_id, flt)
    field = _sort_field(sort)
    if field is not None:
        ids = _field_sorted_ids(
            profile.store, operation_id, flt, field, sort.descending, offset, limit
        )
        return _rows_by_id(profile, ids)
    order, order_params = _order(sort)
    sql = (
        "WITH pick(id) AS MATERIALIZED (SELECT r.id FROM records r "  # noqa: S608 - only constants and placeholders
        f"WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?) "
        + _COLUMNS_SQL
        + _JOIN_SQL
        + "ORDER BY "
        + order
    )
    rows = profile.store.query(sql, (*params, *order_params, limit, offset, *order_params))
    me = profile.device_id
    return [_case_row(row, me) for row in rows]


def _field_sorted_ids(
    store: Any,
    operation_id: str,
    flt: CaseFilter,
    field: str,
    descending: bool,
    offset: int,
    limit: int,
) -> list[int]:
    """Record ids of one page in the order ``json_extract(fields, field), id`` gives, read from
    record_values' index: the records holding a value, in value order, and those without one
    (NULL, which sorts first) in id order, before them ascending and after them descending."""
    direction = "DESC" if descending else "ASC"
    # The records holding a value: the index walk checks operation and template in its own
    # rows; only further filters need the record row.
    scope = ["v.field = ?", "v.part = 0", "v.operation_id = ?"]
    scope_params: list[Any] = [field, operation_id]
    if flt.template:
        scope.append("v.template_id = ?")
        scope_params.append(flt.template)
    more, more_params = _narrowing(flt)
    source = "record_values v"
    if more:
        source += " CROSS JOIN records r ON r.id = v.record"
    valued_where = " AND ".join(scope + more)
    valued_params = scope_params + more_params
    where, params = _where(operation_id, flt)
    (total,) = store.query_one(f"SELECT count(*) FROM records r WHERE {where}", params)  # noqa: S608
    (with_value,) = store.query_one(
        f"SELECT count(*) FROM {source} WHERE {valued_where}",  # noqa: S608
        valued_params,
    )
    # (sql, params, size) of the two runs, in list order.
    runs = [
        (
            f"SELECT v.record FROM {source} WHERE {valued_where} "  # noqa: S608
            f"ORDER BY v.value {direction}, v.record {direction}",
            valued_params,
            int(with_value),
        ),
        (
            f"SELECT r.id FROM records r WHERE {where} AND NOT EXISTS (SELECT 1 FROM "  # noqa: S608
            "record_values v WHERE v.record = r.id AND v.field = ? AND v.part = 0) "
            f"ORDER BY r.id {direction}",
            [*params, field],
            int(total) - int(with_value),
        ),
    ]
    if not descending:
        runs.reverse()
    ids: list[int] = []
    start = 0  # list row of the run's first record
    for sql, args, size in runs:
        first, last = max(offset, start), min(offset + limit, start + size)
        if first < last:
            rows = store.query(sql + " LIMIT ? OFFSET ?", (*args, last - first, first - start))
            ids += [int(row[0]) for row in rows]
        start += size
    return ids


def _rows_by_id(profile: Any, ids: list[int]) -> list[CaseRow]:
    """The list rows of these record ids, in the order given."""
    if not ids:
        return []
    sql = (
        "WITH pick(id) AS MATERIALIZED (SELECT value FROM json_each(?)) "  # noqa: S608 - constants
        + _COLUMNS_SQL.replace("SELECT ", "SELECT r.id, ", 1)
        + _JOIN_SQL
    )
    rows = {int(row[0]): row[1:] for row in profile.store.query(sql, (json.dumps(ids),))}
    me = profile.device_id
    return [_case_row(rows[i], me) for i in ids if i in rows]


def search(profile: Any, operation_id: str, flt: CaseFilter, sort: Sort) -> list[CaseRow]:
    """Records matching ``flt.search`` (full-text, all terms) and the other filters, in the
    list's sort order; at most SEARCH_LIMIT."""
    from sync.store.search import search as fts

    hits = fts(profile.store, flt.search, operation_id, limit=SEARCH_LIMIT, kinds=("record",))
    if not hits:
        return []
    snippets = {hit.id: hit.snippet for hit in hits}
    where, params = _where(operation_id, flt)
    order, order_params = _order(sort)
    marks = ", ".join("?" for _ in snippets)
    sql = (
        "WITH pick(id) AS MATERIALIZED (SELECT id FROM records "  # noqa: S608 - only constants and placeholders
        f"WHERE operation_id = ? AND record_id IN ({marks})) "
        + _COLUMNS_SQL
        + _JOIN_SQL
        + f"WHERE {where} ORDER BY {order}"
    )
    rows = profile.store.query(sql, (operation_id, *snippets, *params, *order_params))
    me = profile.device_id
    return [replace(_case_row(row, me), snippet=snippets.get(row[0], "")) for row in rows]


def _case_row(row: tuple[Any, ...], me: str) -> CaseRow:
    fields = json.loads(row[4])
    template = builtin_templates().get(row[1])
    values: dict[str, Any] = {}
    if template is not None:
        for fid in column_fields(template):
            if fid in fields:
                values[fid] = fields[fid]
    return CaseRow(
        record_id=row[0],
        template_id=row[1],
        status=row[2],
        author=row[3],
        updated_hlc=row[5],
        created_hlc=row[6],
        revision=int(row[7]),
        unread=row[3] != me and int(row[8]) < int(row[7]),
        handling_code=str(fields.get("handling_code", "")),
        values=values,
        summary=record_summary(template, fields),  # "412 kg cocaine · NLRTM → ESMAD · …"
        updated_text=hlc_text(row[5]),
    )


def hlc_text(hlc: str) -> str:
    """An HLC value as a date and time in the interface language (Babel's short format, in
    the local time zone, as :func:`desktop.i18n.format_datetime` writes it)."""
    import locales

    try:
        ms = int(hlc.split(".", 1)[0])
    except ValueError:
        return ""
    local = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).astimezone()
    locale = locales.babel_locale(locales.current_language())
    pattern, by_parts = _short_pattern(locale)
    if not by_parts:
        return _hlc_text(local, locale)
    # A page of 200 rows costs 200 Babel calls otherwise (most of the page's time): the date
    # part only depends on the day and the time part on the hour and minute, so both repeat.
    return pattern.replace("{0}", _time_part(local.hour, local.minute, locale)).replace(
        "{1}", _date_part(local.date(), locale)
    )


# Time pattern fields that depend on the hour and minute alone (no seconds, no time zone).
_HOUR_MINUTE_FIELDS = frozenset("hHkKmaBb")


@functools.cache
def _short_pattern(locale: str) -> tuple[str, bool]:
    """The locale's short date-time pattern ({1} date, {0} time) and whether its time part
    can be cached by hour and minute."""
    from babel.dates import get_datetime_format, get_time_format, parse_pattern

    time_format = str(parse_pattern(get_time_format("short", locale)).format)
    time_fields = re.findall(r"%\((\w+)\)", time_format)
    pattern = str(get_datetime_format("short", locale=locale)).replace("'", "")
    return pattern, all(set(f) <= _HOUR_MINUTE_FIELDS for f in time_fields)


@functools.lru_cache(maxsize=4096)
def _date_part(day: dt.date, locale: str) -> str:
    from babel.dates import format_date

    return format_date(day, "short", locale=locale)


@functools.lru_cache(maxsize=4096)
def _time_part(hour: int, minute: int, locale: str) -> str:
    from babel.dates import format_time

    return format_time(dt.time(hour, minute), "short", locale=locale)


@functools.lru_cache(maxsize=4096)
def _hlc_text(local: dt.datetime, locale: str) -> str:
    from babel.dates import format_datetime

    return format_datetime(local, "short", locale=locale)


def display_value(value: Any) -> str:
    """A stored value as one line of plain text (lists joined, groups counted)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(display_value(v) for v in value if not isinstance(v, dict))
    if isinstance(value, dict):
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def mark_read(profile: Any, operation_id: str, record_id: str, revision: int) -> None:
    """Remember that this revision of the record was seen here (local only, never synced)."""
    profile.store.execute(
        "INSERT INTO record_reads (operation_id, record_id, revision) VALUES (?, ?, ?) "
        "ON CONFLICT (operation_id, record_id) DO UPDATE SET revision = "
        "max(revision, excluded.revision)",
        (operation_id, record_id, revision),
    )


@dataclass(frozen=True)
class Member:
    device_id: str
    name: str


def members(profile: Any, operation_id: str) -> list[Member]:
    """Who is in the operation (for the author filter and to name authors)."""
    from sync.client.lifecycle import members as roster

    try:
        rows = roster(profile.store, operation_id)
    except Exception:  # noqa: BLE001 - an operation without roster still lists its records
        return []
    return [Member(str(m.get("device_id", "")), str(m.get("name", ""))) for m in rows]
