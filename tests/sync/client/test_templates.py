"""sync.client.templates: which template (and which hidden fields) a record is checked against."""

from __future__ import annotations

import pytest

from forms.registry import get_template
from forms.templateset import TemplateSet
from sync.client.templates import operation_template, template_set
from sync.store.operations import Operation

OP = "ab" * 32


def _op(templates: object) -> Operation:
    return Operation(OP, "Lantern", "participant", "active", templates=templates)  # type: ignore[arg-type]


def test_an_operation_without_a_set_uses_the_shipped_template_in_full() -> None:
    op = _op([])
    assert template_set(op) is None
    template, hidden = operation_template(op, "person")
    assert template.id == "person" and template == get_template("person")
    assert hidden == frozenset()


@pytest.mark.parametrize(
    "stored",
    [{"format": "nonsense"}, ["no-such-template"], [{"definition": 5}], "person", None, [1, 2]],
)
def test_a_stored_set_that_cannot_be_read_falls_back_to_the_shipped_ones(stored: object) -> None:
    op = _op(stored)
    assert template_set(op) is None
    assert operation_template(op, "vehicle")[0] == get_template("vehicle")


def test_the_operations_own_set_gives_its_hidden_fields() -> None:
    chosen = TemplateSet.from_builtin(["person"], {"person": ["remarks"]})
    op = _op(chosen.to_dict())  # the form in which it travels and is stored
    found = template_set(op)
    assert found is not None and found.ids() == ["person"]
    template, hidden = operation_template(op, "person")
    assert template.id == "person"
    assert hidden == frozenset({"remarks"})


def test_a_template_outside_the_set_is_the_shipped_one_without_hidden_fields() -> None:
    op = _op(TemplateSet.from_builtin(["person"], {"person": ["remarks"]}).to_dict())
    template, hidden = operation_template(op, "vehicle")
    assert template == get_template("vehicle") and hidden == frozenset()


def test_a_list_of_shipped_ids_is_a_set_of_those_templates() -> None:
    op = _op(["vehicle", "person"])
    found = template_set(op)
    assert found is not None and found.ids() == ["vehicle", "person"]


def test_an_unknown_template_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        operation_template(_op(["person"]), "no-such-template")
