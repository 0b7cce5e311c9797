"""Shared fixtures for the forms tests: a fixed 'today' so date checks are reproducible."""

from __future__ import annotations

import datetime as dt

import pytest

from forms.validation import ValidationContext

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def ctx() -> ValidationContext:
    return ValidationContext(today=TODAY)
