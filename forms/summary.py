"""One line that says what a record is about, for the cases list and exports:
"412 kg cocaine · NLRTM → ESMAD · 2026-10-02" for a seizure (what and how much, the route, the
date), the first few values for a person, a vehicle or any other template."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms.model import Field, FieldType, Template
from locales import _, ngettext

SEPARATOR = " · "
MAX_COMMODITIES = 2  # shown one by one; the rest as "+3 more"
MAX_NAME = 32  # a commodity's description longer than this gives way to its category
MAX_VALUES = 3  # values joined for templates without commodities
# Units written as their symbol after a number; the others by their (translated) name.
SYMBOL_UNITS = frozenset({"mg", "g", "kg", "t", "ml", "l", "m", "m2", "m3"})
_SKIP = {FieldType.GROUP, FieldType.TEXTAREA, FieldType.PHOTO, FieldType.LINK}


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")  # a thin space groups thousands in any language
    return f"{value:g}" if isinstance(value, float) else str(value)


def _choice_label(f: Field | None, value: Any) -> str:
    if f is not None:
        for choice in f.choices:
            if choice.value == value:
                return _(choice.label)
    return "" if value is None else str(value)


def _unit(value: Any) -> str:
    if not isinstance(value, str) or value in SYMBOL_UNITS:
        return str(value or "")
    from forms.reference.units import UNITS

    for unit in UNITS:
        if unit.code == value:
            return _(unit.label)
    return value


def _commodity_group(template: Template) -> Field | None:
    for f in template.fields():
        if f.type is FieldType.GROUP and f.fields:
            ids = {sub.id for sub in f.fields}
            if "quantity" in ids and "unit" in ids:
                return f
    return None


def _commodity(group: Field, item: Mapping[str, Any]) -> str:
    sub = {f.id: f for f in group.fields}
    description = str(item.get("description") or "").strip()
    name = description if description and len(description) <= MAX_NAME else ""
    if not name:
        name = _choice_label(sub.get("category"), item.get("category"))
    quantity = item.get("quantity")
    if quantity in (None, ""):
        return name
    amount = f"{_number(quantity)} {_unit(item.get('unit'))}".strip()
    return f"{amount} {name}".strip()


def _route(template: Template, fields: Mapping[str, Any]) -> str:
    places = [
        str(fields[f.id])
        for f in template.fields()
        if f.type is FieldType.UNLOCODE and not f.multiple and fields.get(f.id)
    ]
    if len(places) > 1 and template.field("place") is not None and fields.get("place"):
        places.remove(str(fields["place"]))  # the route says more than where it was found
    if len(places) > 1:
        return f"{places[0]} → {places[-1]}"
    return places[0] if places else ""


def _date(template: Template, fields: Mapping[str, Any]) -> str:
    for f in template.fields():
        if f.type is FieldType.DATE and fields.get(f.id):
            return str(fields[f.id])
    return ""


def _values(template: Template, fields: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for f in template.fields():
        if f.type in _SKIP or f.id == "handling_code" or fields.get(f.id) in (None, "", []):
            continue
        value = fields[f.id]
        if isinstance(value, list):
            text = ", ".join(_choice_label(f, v) for v in value if not isinstance(v, dict))
        elif isinstance(value, bool):
            text = "✓" if value else "✗"
        else:
            text = _choice_label(f, value)
        if text:
            out.append(text)
        if len(out) >= MAX_VALUES:
            break
    return out


def record_summary(template: Template | None, fields: Mapping[str, Any]) -> str:
    """The record in one line: what and how much, the route, the date; or its first values."""
    if template is None:
        return ""
    group = _commodity_group(template)
    if group is None:
        return SEPARATOR.join(_values(template, fields))
    items = [i for i in fields.get(group.id) or [] if isinstance(i, dict)]
    goods = [text for text in (_commodity(group, i) for i in items[:MAX_COMMODITIES]) if text]
    what = ", ".join(goods)
    if len(items) > MAX_COMMODITIES:
        more = len(items) - MAX_COMMODITIES
        what += " " + ngettext("+{count} more", "+{count} more", more).format(count=more)
    parts = [what, _route(template, fields), _date(template, fields)]
    return SEPARATOR.join(part for part in parts if part)
