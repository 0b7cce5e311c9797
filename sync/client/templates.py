"""Which template a record of an operation is checked against: the operation's own form of it
(its stored template set, with the fields the set hides) or, when the operation keeps none,
the shipped one. Shared by the service layer (records entered here) and the applier (records
received from others), so both check a record against the same template."""

from __future__ import annotations

from forms.model import Template, TemplateError
from forms.registry import get_template
from forms.templateset import TemplateSet, template_set_from_stored
from sync.store.operations import Operation


def template_set(op: Operation) -> TemplateSet | None:
    """The operation's stored template set, or None when it keeps none usable."""
    try:
        return template_set_from_stored(op.templates)
    except (TemplateError, KeyError, TypeError, ValueError):
        return None  # nothing usable stored: every shipped template, in full


def operation_template(op: Operation, template_id: str) -> tuple[Template, frozenset[str]]:
    """The template ``template_id`` as ``op`` uses it, and the fields it hides there.
    Raises KeyError when neither the operation nor this version of Cordon knows it."""
    found = template_set(op)
    if found is not None and template_id in found:
        return found.template(template_id), found.hidden(template_id)
    return get_template(template_id), frozenset()
