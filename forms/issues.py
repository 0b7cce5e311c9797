"""Field-level problems: an error blocks saving, a warning (quality check) does not.

The message is kept as a gettext message id with named parameters and translated when read,
so a language switch re-renders it and the CLI, the window and the import report agree."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from locales import _


@dataclass(frozen=True)
class Issue:
    field: str  # path: "place", "commodities[2].quantity", "phones[0]"
    code: str  # stable machine name, e.g. "required", "invalid_phone"
    msgid: str
    params: dict[str, Any] = dc_field(default_factory=dict)

    @property
    def message(self) -> str:
        return _(self.msgid).format(**self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.message}


class FieldProblem(ValueError):
    """Raised by a validator; the caller turns it into an Issue with the field's path."""

    def __init__(self, problem: str, msgid: str, **params: Any) -> None:
        super().__init__(problem)
        self.code = problem
        self.msgid = msgid
        self.params = params

    def issue(self, path: str) -> Issue:
        return Issue(path, self.code, self.msgid, dict(self.params))
