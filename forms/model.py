"""The template model: a template is data (a JSON file), read into these frozen dataclasses.

Labels, help texts, section titles and choice labels are gettext message ids in English; the
interface translates them where it shows them (``forms.babel_extract`` feeds them to pybabel).
Every template gets the record-evaluation section (handling code, source reliability,
information accuracy) added by the loader, so no template can forget it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from locales import N_


class FieldType(StrEnum):
    """What a field holds; each type has one validator in ``forms.validators``."""

    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    COUNTRY = "country"
    CURRENCY = "currency"
    UNIT = "unit"
    UNLOCODE = "unlocode"
    AIRPORT = "airport"
    HS_CODE = "hs_code"
    PHONE = "phone"
    EMAIL = "email"
    IMO = "imo"
    CONTAINER = "container"
    CAS = "cas"
    VAT = "vat"
    VIN = "vin"
    FLIGHT = "flight"
    COORDINATES = "coordinates"
    PHOTO = "photo"
    LINK = "link"
    GROUP = "group"


class TemplateError(ValueError):
    """A template file is malformed (a bug in a shipped template or a tampered operation set)."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str  # gettext message id


@dataclass(frozen=True)
class Field:
    """One field. ``multiple`` makes a list of values; a ``group`` holds sub-fields per item."""

    id: str
    type: FieldType
    label: str
    help: str = ""
    required: bool = False
    multiple: bool = False
    choices: tuple[Choice, ...] = ()
    fields: tuple[Field, ...] = ()  # sub-fields of a group
    link_templates: tuple[str, ...] = ()  # templates a link may point to
    max_length: int = 0  # 0: the type's default
    minimum: float | None = None
    maximum: float | None = None
    min_items: int = 0
    max_items: int = 0  # 0: no limit beyond the global cap
    unit_field: str = ""  # for quantities: the sibling field holding the unit
    conveyance_field: str = ""  # for route codes: the field naming the conveyance
    commodity_field: str = ""  # for quantities: the sibling field with the commodity category
    currency_field: str = ""
    quality: tuple[str, ...] = ()  # names of quality checks to run on this field
    identity: str = ""  # "person" or "document": used by the duplicate check
    # What a new record's form starts with: "today" (a date) or "profile" (the country or the
    # agency of the person's profile). Only the editor uses it; stored values are never guessed.
    default: str = ""

    @functools.cached_property
    def _choice_values(self) -> frozenset[str]:
        return frozenset(c.value for c in self.choices)

    def choice_values(self) -> frozenset[str]:
        return self._choice_values

    def subfield(self, field_id: str) -> Field | None:
        for sub in self.fields:
            if sub.id == field_id:
                return sub
        return None


@dataclass(frozen=True)
class Section:
    id: str
    title: str  # gettext message id
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: ``after`` means ``field`` must not be earlier than ``other``."""

    kind: str
    field: str
    other: str
    message: str = ""  # gettext message id; a default is used when empty
    group: str = ""  # when set, the rule applies inside each item of that group


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    title: str  # gettext message id
    description: str
    kind: str  # seizure, person, company, vehicle, vessel, container, document
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...] = ()
    _index: Mapping[str, Field] = field(default_factory=dict, compare=False, repr=False)
    _all: tuple[Field, ...] = field(default=(), compare=False, repr=False)
    _checked: tuple[Field, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        index = {f.id: f for s in self.sections for f in s.fields}
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_all", tuple(index.values()))
        checked = tuple(
            f for f in index.values()
            if f.quality or f.type is FieldType.VIN
            or (f.type is FieldType.GROUP and any(sub.quality for sub in f.fields))
        )
        object.__setattr__(self, "_checked", checked)

    @property
    def key(self) -> str:
        """``id@version``: what a record stores to say which template it was filled in."""
        return f"{self.id}@{self.version}"

    def fields(self) -> tuple[Field, ...]:
        """Every top-level field in form order."""
        return self._all

    def checked_fields(self) -> tuple[Field, ...]:
        """Fields with a quality check (the rest need no look at warning time)."""
        return self._checked

    def field(self, field_id: str) -> Field | None:
        return self._index.get(field_id)

    def field_ids(self) -> list[str]:
        return list(self._index)


# The evaluation every record carries (Europol/SIENA handling codes and the 4x4 grading).
HANDLING_CODES = ("H0", "H1", "H2", "H3")
RESTRICTED_HANDLING_CODES = frozenset({"H2", "H3"})
EVALUATION_SECTION = Section(
    id="evaluation",
    title=N_("Handling and evaluation"),
    fields=(
        Field(
            id="handling_code",
            type=FieldType.CHOICE,
            label=N_("Handling code"),
            help=N_("Restrictions on using and passing on this record."),
            required=True,
            choices=(
                Choice("H0", N_("H0: use for combating crime only")),
                Choice("H1", N_("H1: not in court without the provider's permission")),
                Choice("H2", N_("H2: no onward sharing without permission")),
                Choice("H3", N_("H3: other restrictions")),
            ),
        ),
        Field(
            id="source_reliability",
            type=FieldType.CHOICE,
            label=N_("Source reliability"),
            required=True,
            choices=(
                Choice("A", N_("A: completely reliable")),
                Choice("B", N_("B: usually reliable")),
                Choice("C", N_("C: not usually reliable")),
                Choice("X", N_("X: cannot be judged")),
            ),
        ),
        Field(
            id="information_accuracy",
            type=FieldType.CHOICE,
            label=N_("Information accuracy"),
            required=True,
            choices=(
                Choice("1", N_("1: known to be true without reservation")),
                Choice("2", N_("2: known personally to the source")),
                Choice("3", N_("3: not known personally to the source, corroborated")),
                Choice("4", N_("4: cannot be judged")),
            ),
        ),
        Field(
            id="handling_conditions",
            type=FieldType.TEXT,
            label=N_("Handling conditions"),
            help=N_("The other restrictions, when the handling code is H3."),
        ),
    ),
)


def _tuple_of_str(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TemplateError(f"{where}: expected a list of strings")
    return tuple(value)


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TemplateError(f"{where}: expected a number")
    return float(value)


def _parse_field(raw: Any, where: str) -> Field:
    if not isinstance(raw, dict):
        raise TemplateError(f"{where}: a field must be an object")
    try:
        field_id = str(raw["id"])
        ftype = FieldType(raw["type"])
        label = str(raw["label"])
    except KeyError as exc:
        raise TemplateError(f"{where}: missing {exc.args[0]!r}") from None
    except ValueError:
        raise TemplateError(f"{where}: unknown field type {raw.get('type')!r}") from None
    where = f"{where}.{field_id}"
    choices: list[Choice] = []
    for item in raw.get("choices", []):
        if isinstance(item, str):
            choices.append(Choice(item, item))
        elif isinstance(item, dict) and "value" in item:
            choices.append(Choice(str(item["value"]), str(item.get("label", item["value"]))))
        else:
            raise TemplateError(f"{where}: malformed choice")
    if ftype is FieldType.CHOICE and not choices:
        raise TemplateError(f"{where}: a choice field needs choices")
    subfields = tuple(
        _parse_field(sub, where) for sub in raw.get("fields", [])
    )
    if ftype is FieldType.GROUP and not subfields:
        raise TemplateError(f"{where}: a group needs fields")
    known = {
        "id", "type", "label", "help", "required", "multiple", "choices", "fields",
        "link_templates", "max_length", "min", "max", "min_items", "max_items", "unit_field",
        "conveyance_field", "commodity_field", "currency_field", "quality", "identity",
        "default",
    }
    unknown = set(raw) - known
    if unknown:
        raise TemplateError(f"{where}: unknown keys {sorted(unknown)}")
    default = str(raw.get("default", ""))
    if default not in _DEFAULTS.get(ftype, ()) and default:
        raise TemplateError(f"{where}: default {default!r} does not fit a {ftype.value} field")
    return Field(
        id=field_id,
        type=ftype,
        label=label,
        help=str(raw.get("help", "")),
        required=bool(raw.get("required", False)),
        multiple=bool(raw.get("multiple", False)),
        choices=tuple(choices),
        fields=subfields,
        link_templates=_tuple_of_str(raw.get("link_templates"), where),
        max_length=int(raw.get("max_length", 0)),
        minimum=_number(raw.get("min"), where),
        maximum=_number(raw.get("max"), where),
        min_items=int(raw.get("min_items", 0)),
        max_items=int(raw.get("max_items", 0)),
        unit_field=str(raw.get("unit_field", "")),
        conveyance_field=str(raw.get("conveyance_field", "")),
        commodity_field=str(raw.get("commodity_field", "")),
        currency_field=str(raw.get("currency_field", "")),
        quality=_tuple_of_str(raw.get("quality"), where),
        identity=str(raw.get("identity", "")),
        default=default,
    )


_DEFAULTS: dict[FieldType, tuple[str, ...]] = {
    FieldType.DATE: ("today",),
    FieldType.COUNTRY: ("profile",),
    FieldType.TEXT: ("profile",),
}


def template_from_dict(raw: Any) -> Template:
    """Build a template from its JSON form, checking its shape; adds the evaluation section."""
    if not isinstance(raw, dict):
        raise TemplateError("a template must be an object")
    try:
        template_id = str(raw["id"])
        version = raw["version"]
        title = str(raw["title"])
        raw_sections = raw["sections"]
    except KeyError as exc:
        raise TemplateError(f"template: missing {exc.args[0]!r}") from None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TemplateError(f"{template_id}: version must be a positive integer")
    if not isinstance(raw_sections, list):
        raise TemplateError(f"{template_id}: sections must be a list")
    sections: list[Section] = []
    seen: set[str] = set()
    for raw_section in raw_sections:
        if not isinstance(raw_section, dict) or "id" not in raw_section:
            raise TemplateError(f"{template_id}: malformed section")
        sid = str(raw_section["id"])
        fields = tuple(
            _parse_field(f, f"{template_id}.{sid}") for f in raw_section.get("fields", [])
        )
        for f in fields:
            if f.id in seen:
                raise TemplateError(f"{template_id}: field {f.id!r} defined twice")
            seen.add(f.id)
        sections.append(Section(sid, str(raw_section.get("title", sid)), fields))
    if any(s.id == EVALUATION_SECTION.id for s in sections):
        raise TemplateError(f"{template_id}: the evaluation section is added automatically")
    sections.append(EVALUATION_SECTION)
    rules = []
    for raw_rule in raw.get("rules", []):
        if not isinstance(raw_rule, dict) or raw_rule.get("kind") != "after":
            raise TemplateError(f"{template_id}: unknown rule {raw_rule!r}")
        rules.append(
            Rule(
                kind="after",
                field=str(raw_rule["field"]),
                other=str(raw_rule["other"]),
                message=str(raw_rule.get("message", "")),
                group=str(raw_rule.get("group", "")),
            )
        )
    template = Template(
        id=template_id,
        version=version,
        title=title,
        description=str(raw.get("description", "")),
        kind=str(raw.get("kind", template_id)),
        sections=tuple(sections),
        rules=tuple(rules),
    )
    for rule in template.rules:
        scope = template.field(rule.group) if rule.group else None
        for fid in (rule.field, rule.other):
            found = scope.subfield(fid) if scope else template.field(fid)
            if found is None:
                raise TemplateError(f"{template_id}: rule names unknown field {fid!r}")
    return template


def load_template_file(path: Path) -> Template:
    with path.open("rb") as fh:
        return template_from_dict(json.load(fh))
