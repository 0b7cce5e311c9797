"""Per-operation template sets: chosen templates and hidden optional fields, as data that
travels with the operation and renders the same form everywhere."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms.model import TemplateError
from forms.templateset import TemplateSet
from forms.validation import ValidationContext
from tests.forms.conftest import TODAY
from tests.forms.examples import EXAMPLES


def test_round_trip_is_exact_and_canonical() -> None:
    original = TemplateSet.from_builtin(
        ["seizure-short", "person", "vehicle"], {"person": ["aliases", "place_of_birth"]}
    )
    data = original.to_bytes()
    received = TemplateSet.from_bytes(data)
    assert received.to_bytes() == data
    assert received.digest() == original.digest()
    assert received.ids() == ["seizure-short", "person", "vehicle"]
    assert received.hidden("person") == frozenset({"aliases", "place_of_birth"})
    person = received.template("person")
    assert person == original.template("person")
    # JSON-able: a plain dict the sync engine can put in a package.
    assert json.loads(json.dumps(original.to_dict())) == original.to_dict()


def test_validation_respects_hidden_fields() -> None:
    tset = TemplateSet.from_builtin(["vehicle"], {"vehicle": ["colour"]})
    ctx = ValidationContext(today=TODAY)
    assert tset.validate("vehicle", EXAMPLES["vehicle"], ctx).ok
    result = tset.validate("vehicle", EXAMPLES["vehicle"] | {"colour": "red"}, ctx)
    assert [e.code for e in result.errors] == ["hidden_field"]


def test_required_and_evaluation_fields_cannot_be_hidden() -> None:
    with pytest.raises(TemplateError):
        TemplateSet.from_builtin(["vehicle"], {"vehicle": ["plate"]})
    with pytest.raises(TemplateError):
        TemplateSet.from_builtin(["vehicle"], {"vehicle": ["handling_conditions"]})
    with pytest.raises(TemplateError):
        TemplateSet.from_builtin(["vehicle"], {"vehicle": ["no_such_field"]})


def test_set_embeds_definitions_so_a_newer_template_renders_the_same() -> None:
    tset = TemplateSet.from_builtin(["vessel"])
    raw = tset.to_dict()
    raw["templates"][0]["definition"]["version"] = 7
    raw["templates"][0]["definition"]["sections"][0]["fields"].append(
        {"id": "tonnage", "type": "number", "label": "Gross tonnage"}
    )
    received = TemplateSet.from_dict(raw)
    assert received.template("vessel").version == 7
    assert received.template("vessel").field("tonnage") is not None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"[]",
        b"{}",
        b'{"format": 1, "templates": []}',
        b'{"format": 2, "templates": [{}]}',
        b"\xff\xfe",
        b'{"format": 1, "templates": [{"definition": 3}]}',
        b'{"format": 1, "templates": [{"definition": {}, "hidden": 1}]}',
        b"x" * 2_000_001,
    ],
)
def test_hostile_sets_are_refused(data: bytes) -> None:
    with pytest.raises(TemplateError):
        TemplateSet.from_bytes(data)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=80, deadline=None)
@given(JSONISH)
def test_any_json_is_a_set_or_a_template_error(raw: object) -> None:
    with contextlib.suppress(TemplateError):
        TemplateSet.from_dict({"format": 1, "templates": [{"definition": raw}]})


def test_stored_forms_of_a_set() -> None:
    from forms.templateset import template_set_from_stored

    full = TemplateSet.from_builtin(["vehicle", "person"], {"person": ["aliases"]})
    for stored in (full.to_dict(), full.to_dict()["templates"]):
        assert template_set_from_stored(stored).digest() == full.digest()
    assert template_set_from_stored(["vehicle"]).ids() == ["vehicle"]
    for bad in ([], None, ["no-such-template"], "vehicle"):
        with pytest.raises(TemplateError):
            template_set_from_stored(bad)
