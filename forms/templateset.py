"""An operation's template set: which templates it uses and which optional fields it hides.

The set embeds each template's full JSON definition, so every participant renders and validates
the same form even when their copies of Cordon ship different template versions. It is plain
JSON-able data (``to_dict``/``from_dict``, ``to_bytes`` canonical) that the sync engine carries
with the operation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from forms.model import EVALUATION_SECTION, Template, TemplateError, template_from_dict
from forms.validation import ValidationContext, ValidationResult, validate_record

FORMAT = 1
MAX_SET_BYTES = 2_000_000  # a set from another participant larger than this is refused


@dataclass(frozen=True)
class TemplateUse:
    template: Template
    source: Mapping[str, Any]  # the JSON definition, carried as is
    hidden: frozenset[str]

    def visible_fields(self) -> list[str]:
        return [fid for fid in self.template.field_ids() if fid not in self.hidden]


class TemplateSet:
    """The templates of one operation, in the coordinator's order."""

    def __init__(self, uses: Iterable[TemplateUse]) -> None:
        self._uses: dict[str, TemplateUse] = {}
        for use in uses:
            if use.template.id in self._uses:
                raise TemplateError(f"template {use.template.id!r} twice in the set")
            _check_hidden(use.template, use.hidden)
            self._uses[use.template.id] = use

    @classmethod
    def from_builtin(
        cls, template_ids: Iterable[str], hidden: Mapping[str, Iterable[str]] | None = None
    ) -> TemplateSet:
        """A set of shipped templates; ``hidden`` maps template id -> optional fields to hide."""
        from forms.registry import get_template, template_source

        hidden = hidden or {}
        return cls(
            TemplateUse(get_template(tid), template_source(tid), frozenset(hidden.get(tid, ())))
            for tid in template_ids
        )

    def __contains__(self, template_id: object) -> bool:
        return template_id in self._uses

    def __iter__(self) -> Any:
        return iter(self._uses.values())

    def __len__(self) -> int:
        return len(self._uses)

    def ids(self) -> list[str]:
        return list(self._uses)

    def template(self, template_id: str) -> Template:
        return self._uses[template_id].template

    def hidden(self, template_id: str) -> frozenset[str]:
        return self._uses[template_id].hidden

    def validate(
        self,
        template_id: str,
        values: Mapping[str, Any],
        context: ValidationContext | None = None,
    ) -> ValidationResult:
        """Validate a record as this operation's form defines it (hidden fields refused)."""
        use = self._uses[template_id]
        ctx = context or ValidationContext()
        if ctx.hidden != use.hidden:
            ctx = ValidationContext(
                today=ctx.today, default_region=ctx.default_region,
                quantity_stats=ctx.quantity_stats, duplicates=ctx.duplicates,
                record_id=ctx.record_id, hidden=use.hidden,
            )
        return validate_record(use.template, values, ctx)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "templates": [
                {"definition": dict(use.source), "hidden": sorted(use.hidden)}
                for use in self._uses.values()
            ],
        }

    def to_bytes(self) -> bytes:
        """Canonical JSON (sorted keys, no spaces): equal sets give equal bytes."""
        return json.dumps(
            self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")

    def digest(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()

    @classmethod
    def from_dict(cls, raw: Any) -> TemplateSet:
        """Rebuild a set received from another participant, checking every part of it."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise TemplateError("unsupported template set format")
        entries = raw.get("templates")
        if not isinstance(entries, list) or not entries:
            raise TemplateError("a template set needs templates")
        uses = []
        for entry in entries:
            if not isinstance(entry, dict):
                raise TemplateError("malformed template set entry")
            definition = entry.get("definition")
            hidden = entry.get("hidden", [])
            if not isinstance(hidden, list) or not all(isinstance(h, str) for h in hidden):
                raise TemplateError("hidden fields must be a list of names")
            template = template_from_dict(definition)
            assert isinstance(definition, dict)  # template_from_dict refused anything else
            uses.append(TemplateUse(template, definition, frozenset(hidden)))
        return cls(uses)

    @classmethod
    def from_bytes(cls, data: bytes) -> TemplateSet:
        if len(data) > MAX_SET_BYTES:
            raise TemplateError("template set too large")
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TemplateError("template set is not JSON") from exc
        return cls.from_dict(raw)


def template_set_from_stored(value: Any) -> TemplateSet:
    """The template set an operation record holds, in whichever form it was stored: the full
    ``to_dict`` form (what travels), a list of its entries, or a plain list of shipped template
    ids (``cordon op create --templates seizure-short,person``)."""
    if isinstance(value, dict):
        return TemplateSet.from_dict(value)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        from forms.registry import builtin_templates

        unknown = [v for v in value if v not in builtin_templates()]
        if unknown:
            raise TemplateError(f"unknown templates {unknown}")
        return TemplateSet.from_builtin(value)
    if isinstance(value, list) and value:
        return TemplateSet.from_dict({"format": FORMAT, "templates": value})
    raise TemplateError("the operation has no template set")


def _check_hidden(template: Template, hidden: frozenset[str]) -> None:
    protected = {f.id for f in EVALUATION_SECTION.fields}
    for fid in hidden:
        f = template.field(fid)
        if f is None:
            raise TemplateError(f"{template.id}: cannot hide unknown field {fid!r}")
        if f.required or fid in protected:
            raise TemplateError(f"{template.id}: field {fid!r} is required and cannot be hidden")
