"""The templates shipped with Cordon (forms/templates/*.json), loaded once and looked up by id."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from forms.model import Template, TemplateError, template_from_dict

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


@functools.cache
def builtin_templates() -> dict[str, Template]:
    """Every shipped template by id (each file holds the newest version of one template)."""
    return {tid: template_from_dict(raw) for tid, raw in _sources().items()}


@functools.cache
def _sources() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        with path.open("rb") as fh:
            raw = json.load(fh)
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise TemplateError(f"{path.name}: not a template")
        if raw["id"] in found:
            raise TemplateError(f"template {raw['id']!r} shipped twice")
        found[raw["id"]] = raw
    return found


def template_source(template_id: str) -> dict[str, Any]:
    """The JSON form of a shipped template (a deep copy the caller may keep or send)."""
    copied: dict[str, Any] = json.loads(json.dumps(_sources()[template_id]))
    return copied


def get_template(template_id: str) -> Template:
    """The shipped template ``template_id``; KeyError when there is none."""
    return builtin_templates()[template_id]


def list_templates() -> list[Template]:
    return list(builtin_templates().values())
