"""The case list's queries without Qt: dates as the list shows them, filters and sorts."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator

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
    for edge in ("2026-03-29T00:59:59", "2026-03-29T01:00:00", "2026-10-25T00:59:59",
                 "2026-10-25T01:00:00", "2026-12-31T23:59:59", "2027-01-01T00:00:00"):
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
