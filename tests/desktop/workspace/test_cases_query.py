"""The case list's queries without Qt: dates as the list shows them, filters and sorts."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

import locales
from desktop.i18n import format_datetime
from desktop.workspace import cases_query as q


@pytest.fixture(params=["UTC", "Europe/Paris", "America/Sao_Paulo", "Asia/Kolkata"])
def local_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_list_dates_are_babels_short_format_in_every_language(local_zone: str) -> None:
    rng = random.Random(local_zone)
    # Random instants, and each side of the 2026 daylight-saving changes in Europe and Brazil.
    instants = [rng.randrange(0, 4_100_000_000_000) for _ in range(300)]
    for edge in (
        "2026-03-29T00:59:59",
        "2026-03-29T01:00:00",
        "2026-10-25T00:59:59",
        "2026-10-25T01:00:00",
        "2026-12-31T23:59:59",
        "2027-01-01T00:00:00",
    ):
        instants.append(int(dt.datetime.fromisoformat(edge + "+00:00").timestamp() * 1000))
    try:
        for language in [lang.code for lang in locales.LANGUAGES] + [locales.PSEUDO_LANGUAGE]:
            locales.set_language(language)
            for ms in instants:
                expected = format_datetime(dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC), "short")
                assert q.hlc_text(f"{ms:013d}.0001.{'a' * 32}") == expected, (language, ms)
    finally:
        locales.set_language(locales.SOURCE_LANGUAGE)
    assert q.hlc_text("not-a-clock") == ""


def test_time_patterns_with_seconds_or_zones_are_not_cached_by_minute() -> None:
    assert q._short_pattern("en")[1]
    q._short_pattern.cache_clear()
    try:
        from unittest import mock

        with mock.patch("babel.dates.get_time_format", return_value="HH:mm:ss z"):
            assert not q._short_pattern("en")[1]
    finally:
        q._short_pattern.cache_clear()


# -- filters and field sorts read record_values (migration 0006) ------------------------------

CODES = ["NL", "BE", "PT", "NG", "EC"]


def _random_fields(rng: random.Random, n: int) -> dict[str, Any]:
    """Fields of every JSON shape a record may hold, some missing, some null."""
    fields: dict[str, Any] = {}
    choices: dict[str, Any] = {
        "place": lambda: rng.choice(["NLRTM", "BEANR", "ECGYE", "nlrtm", "Ä", ""]),
        "seizure_date": lambda: f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
        "quantity": lambda: rng.choice([rng.randrange(-5, 5), rng.uniform(-5, 5), 2, 2.0]),
        "flag": lambda: rng.choice(CODES),
        "nationality": lambda: rng.sample(CODES, rng.randrange(0, 3)) + rng.choice([[], ["NL"]]),
        "reporting_country": lambda: rng.choice([*CODES, "nl", ["PT"]]),
        "handling_code": lambda: rng.choice(["H0", "H1", "H2", "H3", ["H2"], 2]),
        "armed": lambda: rng.choice([True, False]),
        "aliases": lambda: rng.choice([["b", "a"], ["a"], [], "a"]),
        "commodities": lambda: [{"category": "drugs", "quantity": n}],
    }
    for key, make in choices.items():
        roll = rng.random()
        if roll < 0.15:
            continue  # missing
        fields[key] = None if roll < 0.25 else make()
    return fields


@pytest.fixture
def store_profile(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from sync.store import keyfile
    from sync.store import profile as profiles

    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")
    profile = profiles.create(tmp_path / "p", "pw", "Ana", "Customs", "PT")
    yield profile
    profile.close()


def _expected(store: Any, op: str, flt: q.CaseFilter, sort: q.Sort) -> list[str]:
    """The list as the JSON of each record gives it (what the case list did before v6)."""
    sql, params = ["r.operation_id = ?"], [op]
    for column, value in (("template_id", flt.template), ("status", flt.status)):
        if value:
            sql.append(f"r.{column} = ?")
            params.append(value)
    if flt.handling_code:
        sql.append("json_extract(r.fields, '$.handling_code') = ?")
        params.append(flt.handling_code)
    if flt.country:
        keys = q._country_fields()
        sql.append(
            "EXISTS (SELECT 1 FROM json_each(r.fields) j WHERE j.key IN ("
            + ", ".join("?" for _ in keys)
            + ") AND (j.value = ? OR (j.type = 'array' AND EXISTS "
            "(SELECT 1 FROM json_each(j.value) k WHERE k.value = ?))))"
        )
        params += [*keys, flt.country, flt.country]
    direction = "DESC" if sort.descending else "ASC"
    rows = store.query(
        f"SELECT r.record_id FROM records r WHERE {' AND '.join(sql)} "
        f"ORDER BY json_extract(r.fields, ?) {direction}, r.id {direction}",
        [*params, '$."' + sort.key[2:] + '"'],
    )
    return [row[0] for row in rows]


def _listed(profile: Any, op: str, flt: q.CaseFilter, sort: q.Sort, page: int) -> list[str]:
    out: list[str] = []
    total = q.count(profile, op, flt)
    for offset in range(0, total + page, page):
        out += [row.record_id for row in q.page(profile, op, flt, sort, offset, page)]
    assert len(out) == total
    return out


def test_filters_and_field_sorts_match_the_records_json(store_profile: Any) -> None:
    from sync.store.operations import Operation

    profile, store = store_profile, store_profile.store
    rng = random.Random(6)
    ops = ["a" * 32, "b" * 32]
    for op in ops:
        store.operations.save(Operation(op, "Op", "coordinator", "active"))
    ids: list[tuple[str, str]] = []
    with store.transaction():
        for n in range(400):
            op = ops[n % 2]
            record = store.records.create(
                op,
                rng.choice(["person", "vessel"]),
                1,
                _random_fields(rng, n),
                rng.choice(["dev1", "dev2"]),
                f"{n:013d}.0000.x",
                status=rng.choice(["draft", "submitted"]),
            )
            ids.append((op, record.record_id))
        # Later edits and erasures must move the index with them.
        for op, record_id in rng.sample(ids, 80):
            changes = _random_fields(rng, 7)
            store.records.apply(op, record_id, changes, "dev1", f"{9_000_000_000_000:013d}.0.x")
        for op, record_id in rng.sample(ids, 30):
            store.records.erase(op, record_id)
    op = ops[0]
    filters = [
        q.CaseFilter(),
        q.CaseFilter(template="person"),
        q.CaseFilter(template="vessel", status="draft"),
        q.CaseFilter(handling_code="H2"),
        q.CaseFilter(country="NL"),
        q.CaseFilter(country="PT", template="person"),
        q.CaseFilter(country="nl"),
    ]
    keys = [
        "place",
        "seizure_date",
        "quantity",
        "handling_code",
        "nationality",
        "armed",
        "aliases",
        "commodities",
        "never_there",
    ]
    checked = 0
    for flt in filters:
        for key in keys:
            for descending in (True, False):
                sort = q.Sort("f:" + key, descending)
                expected = _expected(store, op, flt, sort)
                assert q.count(profile, op, flt) == len(expected)
                for page in (7, 200):
                    assert _listed(profile, op, flt, sort, page) == expected, (flt, sort, page)
                checked += len(expected)
    assert checked > 5000
    # Every stored value is the one json_extract reads from the record.
    mismatched = store.query(
        "SELECT count(*) FROM record_values v JOIN records r ON r.id = v.record "
        "WHERE v.part = 0 AND v.value IS NOT json_extract(r.fields, '$.\"' || v.field || '\"')"
    )
    assert mismatched == [(0,)]
    orphans = store.query(
        "SELECT count(*) FROM record_values v LEFT JOIN records r ON r.id = v.record "
        "WHERE r.id IS NULL OR r.operation_id <> v.operation_id OR r.template_id <> v.template_id"
    )
    assert orphans == [(0,)]


def test_exact_filters_and_field_sorts_read_the_index(store_profile: Any) -> None:
    """The plans never parse the records' JSON (0.5-1.7 s over 100,000 records)."""
    profile, store = store_profile, store_profile.store
    op = "c" * 32
    captured: list[str] = []
    original = store.query

    def query(sql: str, params: Any = ()) -> Any:
        captured.append(sql)
        return original(sql, params)

    store.query = query  # type: ignore[method-assign]
    try:
        q.page(profile, op, q.CaseFilter(country="NL", handling_code="H2"), q.Sort(), 0)
        q.page(profile, op, q.CaseFilter(template="person"), q.Sort("f:family_name"), 0)
        q.page(profile, op, q.CaseFilter(template="person"), q.Sort("f:family_name", False), 0)
    finally:
        del store.query
    assert captured
    for sql in captured:
        assert "json_e" not in sql.replace("json_each(?)", ""), sql
