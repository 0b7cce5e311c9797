"""Helpers the `record add/edit` commands and the window call: turn ``--set FIELD=VALUE``
arguments or a JSON file into record values, ready for validation."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from forms.importing.mapping import ColumnMapping, apply_mapping, valid_target
from forms.model import Template

MAX_JSON_BYTES = 5_000_000


class AssignmentError(ValueError):
    """A ``--set`` argument is malformed or names no field (message: the argument)."""


def parse_assignments(template: Template, assignments: Iterable[str]) -> dict[str, Any]:
    """``["place=NLRTM", "commodities.1.quantity=12", "phones=+33..."]`` -> values.

    A group field takes ``group.N.sub`` (entry N, from 1) or ``group.sub`` (entry 1); a field
    set twice collects a list (for multi-value fields)."""
    columns: dict[str, str] = {}
    row: dict[str, Any] = {}
    for n, assignment in enumerate(assignments):
        name, sep, value = assignment.partition("=")
        name = name.strip()
        if not sep or not name:
            raise AssignmentError(assignment)
        if not valid_target(template, name):
            raise AssignmentError(assignment)
        key = f"{name}#{n}"
        columns[key] = name
        row[key] = value
    merged: dict[str, Any] = {}
    for key, value in row.items():
        target = columns[key]
        if "." not in target and target in merged:
            previous = merged[target]
            merged[target] = [*previous, value] if isinstance(previous, list) else [previous,
                                                                                     value]
            continue
        single = apply_mapping({key: value}, ColumnMapping({key: target}))
        for fid, fvalue in single.items():
            if isinstance(fvalue, list) and isinstance(merged.get(fid), list):
                for i, item in enumerate(fvalue):
                    while len(merged[fid]) <= i:
                        merged[fid].append({})
                    merged[fid][i].update(item)
            else:
                merged[fid] = fvalue
    return merged


def load_values_json(path: Path) -> dict[str, Any]:
    """Record values from a JSON file (``--from-json``); refuses anything but an object."""
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ValueError("file too large")
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    return raw
