"""Column mapping: which column of a file fills which field of a template. Suggested from the
header names (field ids, English labels, translated labels, and synonyms in the nine interface
languages), editable, and saved as JSON for the next import from the same national system.

Targets: ``field`` (a top-level field), ``group.sub`` (the group's entry for this row) or
``group.N.sub`` (entry N, from 1, as Cordon's own exports write them).

A mapping may also carry fixed values (``fixed``: field -> value) for fields the national system
does not have, such as the handling code: they fill every row that lacks the field (a value in
the row always wins)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.model import FieldType, Template
from forms.text import fold, translated_labels
from locales import N_

SYNONYMS_PATH = Path(__file__).resolve().parent / "header_synonyms.json"
_INDEXED = re.compile(r"^([a-z_][a-z0-9_]*)\.(\d{1,3})\.([a-z_][a-z0-9_]*)$")
MAPPING_FORMAT = 1


@dataclass
class ColumnMapping:
    """header -> target path; a header mapped to "" is ignored on purpose."""

    columns: dict[str, str] = field(default_factory=dict)
    template: str = ""
    fixed: dict[str, str] = field(default_factory=dict)  # field -> value for rows lacking it
    _plans: dict[str, tuple[str, int, str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _plans_key: tuple[tuple[str, str], ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def target(self, header: str) -> str | None:
        return self.columns.get(header) or None

    def plans(self) -> dict[str, tuple[str, int, str]]:
        """Each mapped header's parsed target, computed once per mapping state."""
        key = tuple(self.columns.items())
        if self._plans_key != key:
            self._plans = {h: _plan(t) for h, t in self.columns.items() if t}
            self._plans_key = key
        return self._plans

    def column_for(self, path: str) -> str | None:
        """The header feeding a validation path such as ``commodities[0].quantity``."""
        simple = re.sub(r"\[\d+\]", "", path)
        indexed = re.sub(r"\[(\d+)\]", lambda m: f".{int(m.group(1)) + 1}", path)
        for header, target in self.columns.items():
            if target in (path, simple, indexed):
                return header
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": MAPPING_FORMAT, "template": self.template, "columns": self.columns
        }
        if self.fixed:
            out["fixed"] = self.fixed
        return out

    @classmethod
    def from_dict(cls, raw: Any) -> ColumnMapping:
        if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
            raise ValueError("a mapping is an object with a 'columns' object")
        columns = raw["columns"]
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items()):
            raise ValueError("mapping columns must map names to field paths")
        fixed = raw.get("fixed", {})
        if not isinstance(fixed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in fixed.items()
        ):
            raise ValueError("mapping fixed values must map field ids to text")
        return cls(dict(columns), str(raw.get("template", "")), dict(fixed))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ColumnMapping:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def check_mapping(template: Template, mapping: ColumnMapping) -> list[str]:
    """Targets that do not exist in ``template`` (empty when the mapping is usable); a fixed
    value may only fill a top-level field that is not a group."""
    unknown = [t for t in mapping.columns.values() if t and not valid_target(template, t)]
    return unknown + check_fixed(template, mapping.fixed)


def unmapped_required(template: Template, mapping: ColumnMapping) -> list[str]:
    """The required top-level fields (not groups) that no column feeds: the ones a value for
    every row can give (handling code, evaluation, reporting country...)."""
    fed = {_plan(t)[0] for t in mapping.columns.values() if t}
    return [
        f.id for f in template.fields()
        if f.required and f.type is not FieldType.GROUP and f.id not in fed
    ]


def check_fixed(template: Template, fixed: Mapping[str, Any]) -> list[str]:
    """The keys of ``fixed`` that are not top-level, non-group fields of ``template``."""
    bad = []
    for key in fixed:
        f = template.field(key)
        if f is None or f.type is FieldType.GROUP:
            bad.append(key)
    return bad


def valid_target(template: Template, target: str) -> bool:
    indexed = _INDEXED.match(target)
    if indexed:
        group, _, sub = indexed.groups()
        g = template.field(group)
        return g is not None and g.type is FieldType.GROUP and g.subfield(sub) is not None
    if "." in target:
        group, _, sub = target.partition(".")
        g = template.field(group)
        return g is not None and g.type is FieldType.GROUP and g.subfield(sub) is not None
    f = template.field(target)
    return f is not None


@functools.cache
def _synonyms() -> dict[str, tuple[str, ...]]:
    raw = json.loads(SYNONYMS_PATH.read_text(encoding="utf-8"))
    return {key: tuple(fold(v) for v in values) for key, values in raw.items()}


@functools.cache
def _target_names(template: Template) -> list[tuple[str, frozenset[str]]]:
    """Every mappable target with the folded names that suggest it, in template order."""
    out: list[tuple[str, frozenset[str]]] = []

    def names_for(fid: str, label: str) -> frozenset[str]:
        names = {fold(fid), *(fold(x) for x in translated_labels(label))}
        names.update(_synonyms().get(fid, ()))
        return frozenset(n for n in names if n)

    for f in template.fields():
        if f.type is FieldType.GROUP:
            for sub in f.fields:
                out.append((f"{f.id}.{sub.id}", names_for(sub.id, sub.label)))
        else:
            out.append((f.id, names_for(f.id, f.label)))
    return out


def suggest_mapping(headers: Iterable[str], template: Template) -> ColumnMapping:
    """Guess a target for each header: exact name first, then a header that contains a known
    name (``Quantité (kg)``); each target is used once, by the first header that claims it."""
    headers = list(headers)
    targets = _target_names(template)
    used: set[str] = set()
    columns: dict[str, str] = {}
    pending: list[str] = []
    ignored = _ignored_headers()
    for header in headers:
        if fold(header) in ignored:
            columns[header] = ""  # a correction file's own column, never data
            continue
        if valid_target(template, header) and header not in used:
            columns[header] = header
            used.add(header)
            continue
        folded = fold(header)
        match = next((t for t, names in targets if t not in used and folded in names), None)
        if match:
            columns[header] = match
            used.add(match)
        else:
            pending.append(header)
    for header in pending:
        folded = fold(header)
        best: tuple[int, str] | None = None
        for target, names in targets:
            if target in used:
                continue
            for name in names:
                if len(name) >= 4 and name in folded and (best is None or len(name) > best[0]):
                    best = (len(name), target)
        columns[header] = best[1] if best else ""
        if best:
            used.add(best[1])
    return ColumnMapping(columns, template.id)


# The column a correction file adds with each row's problems (see forms.importing.corrections).
PROBLEMS_HEADER = N_("Problems to correct (Cordon)")


@functools.cache
def _ignored_headers() -> frozenset[str]:
    """The problems column's name in every interface language, folded: never mapped."""
    return frozenset(fold(name) for name in translated_labels(PROBLEMS_HEADER))


def header_score(cells: Iterable[Any], template: Template) -> int:
    """How many cells of a candidate header row name a field (to find the header row)."""
    mapping = suggest_mapping(
        [str(c) for c in cells if c is not None and str(c).strip()], template
    )
    return sum(1 for target in mapping.columns.values() if target)


def _plan(target: str) -> tuple[str, int, str]:
    """(field, -1, "") for a top-level field, (group, index, sub) for a group entry."""
    indexed = _INDEXED.match(target)
    if indexed:
        return indexed.group(1), int(indexed.group(2)) - 1, indexed.group(3)
    if "." in target:
        group, _, sub = target.partition(".")
        return group, 0, sub
    return target, -1, ""


def apply_mapping(
    row: Mapping[str, Any], mapping: ColumnMapping
) -> dict[str, Any]:
    """A file row as record values: targets resolved, group entries assembled."""
    values: dict[str, Any] = {}
    plans = mapping.plans()
    for header, raw in row.items():
        plan = plans.get(header)
        if plan is None:
            continue
        group, index, sub = plan
        if index < 0:
            values[group] = raw
            continue
        items = values.setdefault(group, [])
        if not isinstance(items, list):
            continue
        while len(items) <= index:
            items.append({})
        items[index][sub] = raw
    return values
