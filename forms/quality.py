"""Quality checks: warnings about likely mistakes or anomalies that never block saving.

The caller supplies what only the operation knows: quantity statistics per commodity and unit,
and a way to find records already holding the same person or document (``DuplicateFinder``)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from forms.issues import Issue
from forms.model import Field, FieldType, Template
from forms.text import fold_name
from locales import N_

# A quantity this many times beyond the operation's observed range is flagged.
RANGE_FACTOR = 10.0
MIN_SAMPLES = 3


@dataclass(frozen=True)
class QuantityRange:
    count: int
    minimum: float
    maximum: float
    median: float

    @classmethod
    def of(cls, quantities: Sequence[float]) -> QuantityRange:
        return cls(len(quantities), min(quantities), max(quantities), statistics.median(quantities))

    def far_outside(self, quantity: float) -> bool:
        if self.count < MIN_SAMPLES:
            return False
        return quantity > self.maximum * RANGE_FACTOR or quantity * RANGE_FACTOR < self.minimum


@dataclass
class QuantityStats:
    """The operation's quantities per (commodity category, unit), supplied by the caller."""

    ranges: dict[tuple[str, str], QuantityRange] = field(default_factory=dict)

    @classmethod
    def from_observations(cls, rows: Iterable[tuple[str, str, float]]) -> QuantityStats:
        grouped: dict[tuple[str, str], list[float]] = {}
        for category, unit, quantity in rows:
            grouped.setdefault((category, unit), []).append(quantity)
        return cls({key: QuantityRange.of(values) for key, values in grouped.items()})

    def get(self, category: str, unit: str) -> QuantityRange | None:
        return self.ranges.get((category, unit))


class DuplicateFinder(Protocol):
    """Finds records of the operation holding an identity key (see ``identity_keys``)."""

    def find(self, kind: str, key: str) -> Sequence[str]:
        """Record ids holding ``key`` of ``kind`` ("person" or "document")."""
        ...


class SetDuplicateFinder:
    """A DuplicateFinder over an in-memory mapping (tests, imports, small operations)."""

    def __init__(self, entries: Mapping[tuple[str, str], Sequence[str]] | None = None) -> None:
        self._entries: dict[tuple[str, str], list[str]] = {
            k: list(v) for k, v in (entries or {}).items()
        }

    def add(self, record_id: str, keys: Iterable[tuple[str, str]]) -> None:
        for key in keys:
            self._entries.setdefault(key, []).append(record_id)

    def find(self, kind: str, key: str) -> Sequence[str]:
        return self._entries.get((kind, key), [])


def _document_key(doc_type: Any, number: Any, country: Any) -> str | None:
    if not number:
        return None
    compact = "".join(ch for ch in str(number).upper() if ch.isalnum())
    return f"{doc_type or ''}|{compact}|{country or ''}"


def identity_keys(template: Template, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Keys that identify a person or a document in a (validated) record: a person is the
    folded family and given names with the date of birth; a document is type, number, country.
    The store indexes records by these keys to answer ``DuplicateFinder.find``."""
    keys: list[tuple[str, str]] = []
    if template.kind == "person" and values.get("family_name") and values.get("date_of_birth"):
        name = fold_name(f"{values.get('family_name', '')} {values.get('given_names', '')}")
        keys.append(("person", f"{name}|{values['date_of_birth']}"))
        latin = values.get("family_name_latin")
        if latin:
            latin_name = fold_name(f"{latin} {values.get('given_names_latin', '')}")
            keys.append(("person", f"{latin_name}|{values['date_of_birth']}"))
    if template.kind == "document":
        key = _document_key(
            values.get("document_type"), values.get("number"), values.get("issuing_country")
        )
        if key:
            keys.append(("document", key))
    for doc in values.get("identity_documents") or []:
        if isinstance(doc, Mapping):
            key = _document_key(
                doc.get("document_type"), doc.get("number"), doc.get("issuing_country")
            )
            if key:
                keys.append(("document", key))
    return list(dict.fromkeys(keys))


@dataclass(frozen=True)
class QualityContext:
    today: dt.date
    quantity_stats: QuantityStats | None = None
    duplicates: DuplicateFinder | None = None
    record_id: str | None = None  # the record being edited, never its own duplicate


# The UN/LOCODE list says which kinds of transport each place has; said per conveyance in
# words an officer uses ("no airport"), not the list's ("transport function").
ROUTE_FUNCTION_MESSAGES = {
    "air": N_("{place} has no airport in the UN/LOCODE list, yet the transport is by air."),
    "sea": N_(
        "{place} is not a sea or river port in the UN/LOCODE list, yet the transport is by sea."
    ),
    "road": N_(
        "{place} has no road transport or border crossing in the UN/LOCODE list, yet the "
        "transport is by road."
    ),
    "rail": N_("{place} has no railway in the UN/LOCODE list, yet the transport is by rail."),
}
ROUTE_FUNCTION_ANY = N_(
    "{place} has no transport of any kind in the UN/LOCODE list; check the place."
)


def _place_label(code: str) -> str:
    from forms.reference.places import place_label

    return place_label(code)


def _check_field(
    f: Field, value: Any, siblings: Mapping[str, Any], path: str, ctx: QualityContext,
    top: Mapping[str, Any],
) -> list[Issue]:
    warnings: list[Issue] = []
    if (
        "not_future" in f.quality
        and isinstance(value, str)
        and f.type is FieldType.DATE
        and dt.date.fromisoformat(value) > ctx.today
    ):
        warnings.append(Issue(path, "future_date", N_("This date is in the future.")))
    if "route_function" in f.quality and f.conveyance_field:
        conveyance = top.get(f.conveyance_field)
        codes = value if isinstance(value, list) else [value]
        if isinstance(conveyance, str):
            from forms.reference.unlocode import unlocode_index

            index = unlocode_index()
            for i, code in enumerate(codes):
                loc = index.get(code) if isinstance(code, str) else None
                if loc is not None and not loc.fits(conveyance):
                    where = f"{path}[{i}]" if isinstance(value, list) else path
                    warnings.append(
                        Issue(
                            where,
                            "route_function",
                            ROUTE_FUNCTION_MESSAGES.get(conveyance, ROUTE_FUNCTION_ANY),
                            {"code": code, "place": _place_label(code)},
                        )
                    )
    if f.commodity_field and f.unit_field and isinstance(value, int | float):
        category = siblings.get(f.commodity_field)
        unit = siblings.get(f.unit_field)
        if isinstance(category, str) and isinstance(unit, str):
            if "usual_unit" in f.quality:
                from forms.reference.units import usual_units

                usual = usual_units(category)
                if usual is not None and unit not in usual:
                    warnings.append(
                        Issue(
                            path.rsplit(".", 1)[0] + "." + f.unit_field if "." in path
                            else f.unit_field,
                            "unusual_unit",
                            N_("This unit is unusual for this commodity."),
                        )
                    )
            if "quantity_range" in f.quality and ctx.quantity_stats is not None:
                known = ctx.quantity_stats.get(category, unit)
                if known is not None and known.far_outside(float(value)):
                    warnings.append(
                        Issue(
                            path,
                            "quantity_outlier",
                            N_(
                                "This quantity is far outside this operation's range for the"
                                " commodity ({minimum} to {maximum} {unit})."
                            ),
                            {"minimum": f"{known.minimum:g}", "maximum": f"{known.maximum:g}",
                             "unit": unit},
                        )
                    )
    return warnings


def quality_warnings(
    template: Template, values: Mapping[str, Any], ctx: QualityContext,
    skip: frozenset[str] = frozenset(),
) -> list[Issue]:
    """Warnings for a record whose values are already validated; ``skip`` names fields
    (top-level ids) that had errors and are not checked."""
    from forms.validators import vin_check_digit_ok

    warnings: list[Issue] = []
    for f in template.checked_fields():
        if f.id in skip or values.get(f.id) in (None, "", []):
            continue
        value = values[f.id]
        if f.type is FieldType.GROUP:
            for i, item in enumerate(value):
                for sub in f.fields:
                    if item.get(sub.id) not in (None, ""):
                        warnings += _check_field(
                            sub, item[sub.id], item, f"{f.id}[{i}].{sub.id}", ctx, values
                        )
            continue
        if f.type is FieldType.VIN and isinstance(value, str) and not vin_check_digit_ok(value):
            warnings.append(
                Issue(f.id, "vin_check_digit", N_("The VIN check digit does not match."))
            )
        if f.multiple and f.type is FieldType.DATE:
            continue
        warnings += _check_field(f, value, values, f.id, ctx, values)
    if ctx.duplicates is not None:
        for kind, key in identity_keys(template, values):
            others = [r for r in ctx.duplicates.find(kind, key) if r != ctx.record_id]
            if others:
                msgid = (
                    N_("This person may already be recorded in the operation.")
                    if kind == "person"
                    else N_("This document may already be recorded in the operation.")
                )
                fid = "family_name" if kind == "person" else (
                    "number" if template.kind == "document" else "identity_documents"
                )
                warnings.append(
                    Issue(fid, f"possible_duplicate_{kind}", msgid, {"records": others[:5]})
                )
    return warnings
