"""The case list's and the operation picture's reads of one operation's records: counts, pages,
search hits and seizure tallies, as plain rows (``CaseRow``, ``Tally``).

Pages are cut from a covering index first and only then joined to the record rows, so the last
page of 100,000 records costs about what the first does. Exact filters on field values (country,
handling code) and sorts by a template field read ``record_values``, the index of each record's
top-level values that triggers keep (migration 0006), never the JSON. ``record_reads`` keeps
which revision of each record was seen here (local only, never synced).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.store.db import Store

# Sort keys besides a template's own fields ("f:<field id>").
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
    """One record as the list reads it: its columns, its fields, the revision seen here."""

    record_id: str
    template_id: str
    status: str
    author: str
    fields: dict[str, Any]
    updated_hlc: str
    created_hlc: str
    revision: int
    read_revision: int  # 0 when never opened here
    snippet: str = ""  # the search hit's excerpt


@dataclass(frozen=True)
class Tally:
    """One count of the seizure picture: ``kind`` 0 status, 1 country, 2 day, 3 route
    (``value`` → ``other``), 4 commodity category (with its kilograms when weighed)."""

    kind: int
    value: Any
    other: Any
    count: int
    kilograms: float | None


def hlc_of_day(day: dt.date, *, end: bool = False) -> str:
    """An HLC prefix that sorts before (or, with ``end``, after) every clock of that UTC day."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    if end:
        start += dt.timedelta(days=1)
    return f"{int(start.timestamp() * 1000):013d}"


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


class Cases:
    """Reads of the case list (and the picture); ``country_fields`` names the template fields
    holding a country, which the country filter looks in."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def count(self, operation_id: str, flt: CaseFilter, country_fields: Sequence[str] = ()) -> int:
        where, params = _where(operation_id, flt, country_fields)
        row = self._store.query_one(f"SELECT count(*) FROM records r WHERE {where}", params)  # noqa: S608
        return int(row[0]) if row else 0

    def page(
        self,
        operation_id: str,
        flt: CaseFilter,
        sort: Sort,
        offset: int,
        limit: int,
        country_fields: Sequence[str] = (),
    ) -> list[CaseRow]:
        """Rows ``offset`` .. ``offset + limit`` of the filtered, sorted list."""
        where, params = _where(operation_id, flt, country_fields)
        field = _sort_field(sort)
        if field is not None:
            ids = self._field_sorted_ids(
                operation_id, flt, field, sort.descending, offset, limit, country_fields
            )
            return self._rows_by_id(ids)
        order, order_params = _order(sort)
        sql = (
            "WITH pick(id) AS MATERIALIZED (SELECT r.id FROM records r "  # noqa: S608 - only constants and placeholders
            f"WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?) "
            + _COLUMNS_SQL
            + _JOIN_SQL
            + "ORDER BY "
            + order
        )
        rows = self._store.query(sql, (*params, *order_params, limit, offset, *order_params))
        return [_case_row(row) for row in rows]

    def _field_sorted_ids(
        self,
        operation_id: str,
        flt: CaseFilter,
        field: str,
        descending: bool,
        offset: int,
        limit: int,
        country_fields: Sequence[str],
    ) -> list[int]:
        """Record ids of one page in the order ``json_extract(fields, field), id`` gives, read
        from record_values' index: the records holding a value, in value order, and those
        without one (NULL, which sorts first) in id order, before them ascending and after them
        descending."""
        store = self._store
        direction = "DESC" if descending else "ASC"
        # The records holding a value: the index walk checks operation and template in its own
        # rows; only further filters need the record row.
        scope = ["v.field = ?", "v.part = 0", "v.operation_id = ?"]
        scope_params: list[Any] = [field, operation_id]
        if flt.template:
            scope.append("v.template_id = ?")
            scope_params.append(flt.template)
        more, more_params = _narrowing(flt, country_fields)
        source = "record_values v"
        if more:
            source += " CROSS JOIN records r ON r.id = v.record"
        valued_where = " AND ".join(scope + more)
        valued_params = scope_params + more_params
        where, params = _where(operation_id, flt, country_fields)
        total = self._scalar(f"SELECT count(*) FROM records r WHERE {where}", params)  # noqa: S608
        with_value = self._scalar(
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

    def _scalar(self, sql: str, params: Sequence[Any]) -> int:
        row = self._store.query_one(sql, params)
        return int(row[0]) if row else 0

    def _rows_by_id(self, ids: list[int]) -> list[CaseRow]:
        """The list rows of these record ids, in the order given."""
        if not ids:
            return []
        sql = (
            "WITH pick(id) AS MATERIALIZED (SELECT value FROM json_each(?)) "  # noqa: S608 - constants
            + _COLUMNS_SQL.replace("SELECT ", "SELECT r.id, ", 1)
            + _JOIN_SQL
        )
        rows = {int(row[0]): row[1:] for row in self._store.query(sql, (json.dumps(ids),))}
        return [_case_row(rows[i]) for i in ids if i in rows]

    def search(
        self,
        operation_id: str,
        flt: CaseFilter,
        sort: Sort,
        limit: int,
        country_fields: Sequence[str] = (),
    ) -> list[CaseRow]:
        """Records matching ``flt.search`` (full-text, all terms) and the other filters, in the
        list's sort order, each with its excerpt; at most ``limit``."""
        from sync.store.search import search as fts

        hits = fts(self._store, flt.search, operation_id, limit=limit, kinds=("record",))
        if not hits:
            return []
        snippets = {hit.id: hit.snippet for hit in hits}
        where, params = _where(operation_id, flt, country_fields)
        order, order_params = _order(sort)
        marks = ", ".join("?" for _ in snippets)
        sql = (
            "WITH pick(id) AS MATERIALIZED (SELECT id FROM records "  # noqa: S608 - only constants and placeholders
            f"WHERE operation_id = ? AND record_id IN ({marks})) "
            + _COLUMNS_SQL
            + _JOIN_SQL
            + f"WHERE {where} ORDER BY {order}"
        )
        rows = self._store.query(sql, (operation_id, *snippets, *params, *order_params))
        return [replace(_case_row(row), snippet=snippets.get(row[0], "")) for row in rows]

    def mark_read(self, operation_id: str, record_id: str, revision: int) -> None:
        """Remember that this revision of the record was seen here (local only, never synced)."""
        self._store.execute(
            "INSERT INTO record_reads (operation_id, record_id, revision) VALUES (?, ?, ?) "
            "ON CONFLICT (operation_id, record_id) DO UPDATE SET revision = "
            "max(revision, excluded.revision)",
            (operation_id, record_id, revision),
        )

    def seizure_tallies(
        self, operation_id: str, templates: Sequence[str], statuses: Sequence[str]
    ) -> list[Tally]:
        """The seizure picture's counts in one pass over the reports (each record's JSON parsed
        once): the values the figures need are set aside, then counted in SQL; the commodity
        lines are read from the small commodities list set aside, not the whole record again."""
        marks_t = ",".join("?" * len(templates))
        marks_s = ",".join("?" * len(statuses))
        where = f"r.operation_id = ? AND r.template_id IN ({marks_t}) AND r.status IN ({marks_s})"  # noqa: S608
        params = (operation_id, *templates, *statuses)
        country_sql = (
            "upper(coalesce(nullif(json_extract(r.fields, '$.reporting_country'), ''), "
            "substr(json_extract(r.fields, '$.place'), 1, 2), ''))"
        )
        rows = self._store.query(
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
        return [
            Tally(int(kind), value, other, int(count), None if kg is None else float(kg))
            for kind, value, other, count, kg in rows
        ]


def _where(
    operation_id: str, flt: CaseFilter, country_fields: Sequence[str]
) -> tuple[str, list[Any]]:
    sql = ["r.operation_id = ?"]
    params: list[Any] = [operation_id]
    if flt.template:
        sql.append("r.template_id = ?")
        params.append(flt.template)
    more, more_params = _narrowing(flt, country_fields)
    return " AND ".join(sql + more), params + more_params


def _narrowing(flt: CaseFilter, country_fields: Sequence[str]) -> tuple[list[str], list[Any]]:
    """The filter's conditions beyond the operation and the template, on ``records r``."""
    sql: list[str] = []
    params: list[Any] = []
    if flt.status:
        sql.append("r.status = ?")
        params.append(flt.status)
    if flt.author:
        sql.append("r.author = ?")
        params.append(flt.author)
    if flt.handling_code:
        sql.append(
            "r.id IN (SELECT record FROM record_values "
            "WHERE field = 'handling_code' AND part = 0 AND value = ?)"
        )
        params.append(flt.handling_code)
    if flt.country:
        keys = tuple(country_fields)
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


def _case_row(row: Sequence[Any]) -> CaseRow:
    return CaseRow(
        record_id=row[0],
        template_id=row[1],
        status=row[2],
        author=row[3],
        fields=json.loads(row[4]),
        updated_hlc=row[5],
        created_hlc=row[6],
        revision=int(row[7]),
        read_revision=int(row[8]),
    )
