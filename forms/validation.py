"""Validate a record's values against its template: returns the normalised values, the errors
(which block saving) and the quality warnings (which do not). Every issue names its field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.issues import FieldProblem, Issue
from forms.model import Field, FieldType, Rule, Template
from forms.quality import DuplicateFinder, QualityContext, QuantityStats, quality_warnings
from forms.validators import VALIDATORS, Hints
from locales import N_

MAX_ITEMS = 1000  # hard cap on repeated values and group items, whatever the template says
# Free text is cheap to check and rarely repeats: not worth a memo entry.
_UNMEMOISED = frozenset({FieldType.TEXT, FieldType.TEXTAREA})


@dataclass(frozen=True)
class ValidationContext:
    """What the caller knows beyond the record: today's date, the region for national phone
    numbers, the operation's quantity statistics and its duplicate index."""

    today: dt.date | None = None
    default_region: str | None = None
    quantity_stats: QuantityStats | None = None
    duplicates: DuplicateFinder | None = None
    record_id: str | None = None
    hidden: frozenset[str] = frozenset()  # fields hidden by the operation's template set
    # Bulk imports repeat the same country, unit or code thousands of times: a memo of
    # (field, raw text) -> normalised value spares re-validating them. Owned by one import.
    memo: dict[tuple[int, str], Any] | None = field(default=None, compare=False)


@dataclass
class ValidationResult:
    values: dict[str, Any]
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "values": self.values,
            "errors": [e.to_dict() for e in self.errors],
            "warnings": [w.to_dict() for w in self.warnings],
        }


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _split_multi(value: Any) -> Any:
    """A multi-value field given as one string (an import cell, a CLI --set) splits on ; or
    new lines."""
    if isinstance(value, str):
        return [part.strip() for part in value.replace("\n", ";").split(";") if part.strip()]
    return value


def _validate_scalar(f: Field, value: Any, path: str, hints: Hints, errors: list[Issue]) -> Any:
    try:
        return VALIDATORS[f.type](f, value, hints)
    except FieldProblem as problem:
        errors.append(problem.issue(path))
        return None


MEMO_LIMIT = 100_000


def _validate_field(
    f: Field, value: Any, path: str, hints: Hints, errors: list[Issue],
    memo: dict[tuple[int, str], Any] | None = None,
) -> Any:
    """The normalised value of one field, or None (errors appended) when it is empty/invalid."""
    if type(value) is str and value.strip() and not f.multiple and f.type is not FieldType.GROUP:
        # The common case, fast; only valid results are memoised (errors need their path).
        if memo is None:
            return _validate_scalar(f, value, path, hints, errors)
        key = (id(f), value)
        if key in memo:
            return memo[key]
        before = len(errors)
        result = _validate_scalar(f, value, path, hints, errors)
        if len(errors) == before and f.type not in _UNMEMOISED:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            memo[key] = result
        return result
    if _empty(value):
        if f.required:
            errors.append(Issue(path, "required", N_("This field is required.")))
        return None
    if f.type is FieldType.GROUP:
        return _validate_group(f, value, path, hints, errors, memo)
    if f.multiple:
        value = _split_multi(value)
        if not isinstance(value, list):
            errors.append(Issue(path, "not_a_list", N_("Enter a list of values.")))
            return None
        limit = min(f.max_items or MAX_ITEMS, MAX_ITEMS)
        if len(value) > limit:
            errors.append(
                Issue(path, "too_many", N_("Enter at most {limit} values."), {"limit": limit})
            )
            return None
        out = []
        for i, item in enumerate(value):
            if _empty(item):
                continue
            normalised = _validate_scalar(f, item, f"{path}[{i}]", hints, errors)
            if normalised is not None and normalised not in out:
                out.append(normalised)
        if f.required and not out and not errors:
            errors.append(Issue(path, "required", N_("This field is required.")))
        return out or None
    if isinstance(value, list | dict) and f.type not in (FieldType.LINK, FieldType.COORDINATES):
        errors.append(Issue(path, "not_a_value", N_("Enter a single value.")))
        return None
    return _validate_scalar(f, value, path, hints, errors)


def _validate_group(
    f: Field, value: Any, path: str, hints: Hints, errors: list[Issue],
    memo: dict[tuple[int, str], Any] | None = None,
) -> list[dict[str, Any]] | None:
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        errors.append(Issue(path, "not_a_list", N_("Enter a list of entries.")))
        return None
    limit = min(f.max_items or MAX_ITEMS, MAX_ITEMS)
    if len(value) > limit:
        errors.append(
            Issue(path, "too_many", N_("Enter at most {limit} entries."), {"limit": limit})
        )
        return None
    items: list[dict[str, Any]] = []
    for i, raw in enumerate(value):
        if not isinstance(raw, Mapping):
            errors.append(Issue(f"{path}[{i}]", "not_an_entry", N_("Enter the entry's fields.")))
            continue
        if all(_empty(v) for v in raw.values()):
            continue  # a blank line in a form or a spreadsheet is not an entry
        item_path = f"{path}[{len(items)}]"
        for key in raw:
            if f.subfield(str(key)) is None:
                errors.append(
                    Issue(f"{item_path}.{key}", "unknown_field", N_("This field does not exist."))
                )
        item: dict[str, Any] = {}
        for sub in f.fields:
            normalised = _validate_field(sub, raw.get(sub.id), f"{item_path}.{sub.id}", hints,
                                         errors, memo)
            if normalised is not None:
                item[sub.id] = normalised
        items.append(item)
    if len(items) < f.min_items:
        errors.append(
            Issue(path, "too_few", N_("Enter at least {count} entries."), {"count": f.min_items})
            if f.min_items > 1
            else Issue(path, "required", N_("This field is required."))
        )
    return items or None


def _check_rule(rule: Rule, scope: Mapping[str, Any], prefix: str, errors: list[Issue]) -> None:
    later, earlier = scope.get(rule.field), scope.get(rule.other)
    if isinstance(later, str) and isinstance(earlier, str) and later < earlier:
        # ISO dates and date-times compare correctly as strings.
        errors.append(
            Issue(
                prefix + rule.field,
                "order",
                rule.message or N_("This date is before {other}."),
                {"other": rule.other},
            )
        )


def validate_record(
    template: Template, values: Mapping[str, Any], context: ValidationContext | None = None
) -> ValidationResult:
    """Check and normalise ``values`` (field id -> value; groups are lists of dicts)."""
    ctx = context or _DEFAULT
    hints = _DEFAULT_HINTS if ctx.default_region is None else Hints(ctx.default_region)
    errors: list[Issue] = []
    out: dict[str, Any] = {}
    if not isinstance(values, Mapping):
        errors.append(Issue("", "not_a_record", N_("A record must map field names to values.")))
        return ValidationResult({}, errors)
    hidden = ctx.hidden
    for key in values:
        f = template.field(str(key))
        if f is None:
            errors.append(Issue(str(key), "unknown_field", N_("This field does not exist.")))
        elif hidden and f.id in hidden and not _empty(values[key]):
            errors.append(
                Issue(f.id, "hidden_field", N_("This field is not used in this operation."))
            )
    get = values.get
    for f in template.fields():
        if hidden and f.id in hidden:
            continue
        value = get(f.id)
        if value is None and not f.required:
            continue  # most optional fields are empty: skip the call
        normalised = _validate_field(f, value, f.id, hints, errors, ctx.memo)
        if normalised is not None:
            out[f.id] = normalised
    for rule in template.rules:
        if rule.group:
            for i, item in enumerate(out.get(rule.group) or []):
                _check_rule(rule, item, f"{rule.group}[{i}].", errors)
        else:
            _check_rule(rule, out, "", errors)
    if not template.checked_fields() and ctx.duplicates is None:
        return ValidationResult(out, errors, [])
    failed = frozenset(e.field.split("[")[0].split(".")[0] for e in errors)
    qctx = QualityContext(
        today=ctx.today or dt.date.today(),
        quantity_stats=ctx.quantity_stats,
        duplicates=ctx.duplicates,
        record_id=ctx.record_id,
    )
    warnings = quality_warnings(template, out, qctx, skip=failed)
    return ValidationResult(out, errors, warnings)


_DEFAULT = ValidationContext()
_DEFAULT_HINTS = Hints()
