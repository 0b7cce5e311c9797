"""Record validation: required fields, unknown fields, groups, cross-field rules, translated
messages naming their field, and the quality warnings that never block."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from forms.quality import QuantityStats, SetDuplicateFinder, identity_keys
from forms.registry import get_template
from forms.validation import ValidationContext, validate_record
from locales import set_language
from tests.forms.conftest import TODAY
from tests.forms.examples import EXAMPLES


def example(template_id: str) -> dict[str, Any]:
    return copy.deepcopy(EXAMPLES[template_id])


def codes(issues: list[Any]) -> set[tuple[str, str]]:
    return {(i.field, i.code) for i in issues}


def test_required_fields_are_reported_each_by_name(ctx: ValidationContext) -> None:
    result = validate_record(get_template("seizure-short"), {}, ctx)
    assert not result.ok
    assert {
        ("seizure_date", "required"),
        ("place", "required"),
        ("conveyance", "required"),
        ("commodities", "required"),
        ("handling_code", "required"),
        ("source_reliability", "required"),
        ("information_accuracy", "required"),
    } <= codes(result.errors)


def test_unknown_fields_are_refused(ctx: ValidationContext) -> None:
    values = example("vehicle") | {"colour_code": "x"}
    result = validate_record(get_template("vehicle"), values, ctx)
    assert ("colour_code", "unknown_field") in codes(result.errors)


def test_errors_inside_groups_name_the_entry(ctx: ValidationContext) -> None:
    values = example("seizure-long")
    values["commodities"].append(
        {
            "category": "weapons",
            "quantity": "-2",
            "unit": "pieces",
            "description": "Pistols",
            "cas_number": "123",
        }
    )
    result = validate_record(get_template("seizure-long"), values, ctx)
    assert ("commodities[1].quantity", "too_small") in codes(result.errors)
    assert ("commodities[1].cas_number", "invalid_cas") in codes(result.errors)


def test_blank_group_entries_are_dropped(ctx: ValidationContext) -> None:
    values = example("seizure-short")
    values["commodities"].append({"category": "", "quantity": None})
    result = validate_record(get_template("seizure-short"), values, ctx)
    assert result.ok and len(result.values["commodities"]) == 1


def test_multi_values_split_normalise_and_deduplicate(ctx: ValidationContext) -> None:
    values = example("person") | {"phones": "+33 6 12 34 56 78; 0033612345678\n+49 40 1234567"}
    result = validate_record(get_template("person"), values, ctx)
    assert result.values["phones"] == ["+33612345678", "+49401234567"]


def test_arrival_before_departure_is_an_error(ctx: ValidationContext) -> None:
    values = example("seizure-long") | {"departure_date": "2026-10-15"}
    result = validate_record(get_template("seizure-long"), values, ctx)
    assert ("arrival_date", "order") in codes(result.errors)


def test_expiry_before_issue_in_identity_documents(ctx: ValidationContext) -> None:
    values = example("person")
    values["identity_documents"][0]["expiry_date"] = "2018-01-01"
    result = validate_record(get_template("person"), values, ctx)
    assert ("identity_documents[0].expiry_date", "order") in codes(result.errors)
    values = example("document") | {"expiry_date": "2020-01-01"}
    result = validate_record(get_template("document"), values, ctx)
    assert ("expiry_date", "order") in codes(result.errors)


def test_messages_are_translatable() -> None:
    result = validate_record(get_template("vehicle"), {"plate": "x"}, ValidationContext())
    issue = next(e for e in result.errors if e.code == "required")
    english = issue.message
    try:
        set_language("en_XA")  # the pseudo-locale translates every message id
        assert issue.message != english and issue.message.startswith("[")
        assert issue.to_dict()["field"] == issue.field
    finally:
        set_language("en")


def test_future_date_is_a_warning_not_an_error(ctx: ValidationContext) -> None:
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    values = example("seizure-short") | {"seizure_date": future}
    result = validate_record(get_template("seizure-short"), values, ctx)
    assert result.ok
    assert ("seizure_date", "future_date") in codes(result.warnings)


def test_air_route_through_a_place_without_an_airport_warns(ctx: ValidationContext) -> None:
    # Algeciras (ESALG) has a sea port but no airport function.
    values = example("seizure-long") | {"transit": ["PAPTY", "ESALG"]}
    result = validate_record(get_template("seizure-long"), values, ctx)
    assert result.ok
    assert ("transit[1]", "route_function") in codes(result.warnings)
    assert not any(w.field == "transit[0]" for w in result.warnings)


def test_unusual_unit_for_the_commodity_warns(ctx: ValidationContext) -> None:
    values = example("seizure-short")
    values["commodities"][0] |= {"category": "alcohol", "unit": "head"}
    result = validate_record(get_template("seizure-short"), values, ctx)
    assert result.ok
    assert ("commodities[0].unit", "unusual_unit") in codes(result.warnings)


def test_quantity_far_outside_the_operation_range_warns() -> None:
    stats = QuantityStats.from_observations(
        [("drugs", "kg", q) for q in (2.0, 5.5, 12.0, 30.0, 8.0)]
    )
    ctx = ValidationContext(today=TODAY, quantity_stats=stats)
    values = example("seizure-long")
    result = validate_record(get_template("seizure-long"), values, ctx)
    assert not result.warnings
    values["commodities"][0]["quantity"] = "12400"  # kilos typed as grams
    result = validate_record(get_template("seizure-long"), values, ctx)
    assert result.ok
    assert ("commodities[0].quantity", "quantity_outlier") in codes(result.warnings)


def test_possible_duplicate_person_and_document() -> None:
    template = get_template("person")
    first = validate_record(template, example("person"), ValidationContext(today=TODAY))
    finder = SetDuplicateFinder()
    finder.add("p-1", identity_keys(template, first.values))
    ctx = ValidationContext(today=TODAY, duplicates=finder)
    # The same person typed in Latin script with another phone is still flagged.
    again = example("person") | {
        "family_name": "Ivanov",
        "given_names": "Sergei",
        "phones": ["+7 912 000-00-01"],
    }
    result = validate_record(template, again, ctx)
    assert result.ok
    found = codes(result.warnings)
    assert ("family_name", "possible_duplicate_person") in found
    assert ("identity_documents", "possible_duplicate_document") in found
    # Editing the record itself is not a duplicate of itself.
    own = ValidationContext(today=TODAY, duplicates=finder, record_id="p-1")
    assert not validate_record(template, example("person"), own).warnings


def test_vin_check_digit_mismatch_is_only_a_warning(ctx: ValidationContext) -> None:
    values = example("vehicle") | {"vin": "WVWZZZ1KZAW000001"}
    result = validate_record(get_template("vehicle"), values, ctx)
    assert result.ok
    assert ("vin", "vin_check_digit") in codes(result.warnings)


def test_hidden_fields_are_refused(ctx: ValidationContext) -> None:
    hidden = ValidationContext(today=TODAY, hidden=frozenset({"vin"}))
    result = validate_record(get_template("vehicle"), example("vehicle"), hidden)
    assert ("vin", "hidden_field") in codes(result.errors)


def test_not_a_mapping_is_refused() -> None:
    result = validate_record(get_template("vehicle"), ["x"])  # type: ignore[arg-type]
    assert not result.ok
