"""The case list's queries, Qt-free: counts, pages and search hits for one operation's records.

Every function takes the unlocked profile and runs on the session's writer thread (the store's
connection lives there). What crosses back to the UI is plain data (:class:`CaseRow`), never a
store handle. The queries themselves are the store's (``sync.store.cases``); this module turns
their rows into what the list draws (columns, summary, dates in the interface language).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from forms.model import FieldType, Template
from forms.registry import builtin_templates
from forms.summary import record_summary
from sync.store.cases import SORT_KEYS, CaseFilter, Sort, hlc_of_day
from sync.store.cases import CaseRow as StoredRow

__all__ = ["SORT_KEYS", "CaseFilter", "Sort", "hlc_of_day"]

PAGE_SIZE = 200
SEARCH_LIMIT = 200  # newest hits first; the count says when there are more
SUMMARY_FIELDS = 3  # scalar fields joined into the summary column


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


def count(profile: Any, operation_id: str, flt: CaseFilter) -> int:
    return int(profile.store.cases.count(operation_id, flt, _country_fields()))


def page(
    profile: Any,
    operation_id: str,
    flt: CaseFilter,
    sort: Sort,
    offset: int,
    limit: int = PAGE_SIZE,
) -> list[CaseRow]:
    """Rows ``offset`` .. ``offset + limit`` of the filtered, sorted list."""
    rows = profile.store.cases.page(operation_id, flt, sort, offset, limit, _country_fields())
    me = profile.device_id
    return [_case_row(row, me) for row in rows]


def search(profile: Any, operation_id: str, flt: CaseFilter, sort: Sort) -> list[CaseRow]:
    """Records matching ``flt.search`` (full-text, all terms) and the other filters, in the
    list's sort order; at most SEARCH_LIMIT."""
    rows = profile.store.cases.search(operation_id, flt, sort, SEARCH_LIMIT, _country_fields())
    me = profile.device_id
    return [_case_row(row, me) for row in rows]


def _case_row(row: StoredRow, me: str) -> CaseRow:
    fields = row.fields
    template = builtin_templates().get(row.template_id)
    values: dict[str, Any] = {}
    if template is not None:
        for fid in column_fields(template):
            if fid in fields:
                values[fid] = fields[fid]
    return CaseRow(
        record_id=row.record_id,
        template_id=row.template_id,
        status=row.status,
        author=row.author,
        updated_hlc=row.updated_hlc,
        created_hlc=row.created_hlc,
        revision=row.revision,
        unread=row.author != me and row.read_revision < row.revision,
        handling_code=str(fields.get("handling_code", "")),
        values=values,
        summary=record_summary(template, fields),  # "412 kg cocaine · NLRTM → ESMAD · …"
        snippet=row.snippet,
        updated_text=hlc_text(row.updated_hlc),
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
    profile.store.cases.mark_read(operation_id, record_id, revision)


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
