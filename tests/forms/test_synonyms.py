"""A choice written in the file's language as officers say it ("Drogues") is accepted."""

from __future__ import annotations

import pytest

from forms.registry import get_template
from forms.validation import ValidationContext, validate_record


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("Drogues", "drugs"),
        ("drogas", "drugs"),
        ("Betäubungsmittel", "drugs"),
        ("наркотики", "drugs"),
        ("مخدرات", "drugs"),
        ("Cigarettes", "tobacco"),
        ("Espèces", "currency"),
        ("Stupéfiants", "drugs"),  # the French label itself, as before
    ],
)
def test_a_category_in_the_files_language_is_accepted(written: str, value: str) -> None:
    template = get_template("seizure-short")
    row = {"commodities": [{"category": written, "quantity": 1, "unit": "kg"}]}
    result = validate_record(template, row, ValidationContext())
    assert not [e for e in result.errors if "category" in e.field]
    assert result.values["commodities"][0]["category"] == value


def test_an_unknown_word_is_still_refused() -> None:
    template = get_template("seizure-short")
    row = {"commodities": [{"category": "Bananes", "quantity": 1, "unit": "kg"}]}
    result = validate_record(template, row, ValidationContext())
    assert [e.code for e in result.errors if "category" in e.field] == ["invalid_choice"]
