"""Shared fixtures for the forms tests: a fixed 'today' so date checks are reproducible, and
no translation catalog read here (mapping suggestions read all nine) leaks into other tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

import locales
from forms.validation import ValidationContext

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def ctx() -> ValidationContext:
    return ValidationContext(today=TODAY)


@pytest.fixture(autouse=True)
def _catalogs_do_not_leak() -> Iterator[None]:
    yield
    locales.set_language(locales.SOURCE_LANGUAGE)
    locales._catalogs.clear()
