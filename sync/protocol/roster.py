"""Members of an operation and the operation's descriptive metadata, as commits carry them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from locales import _
from sync.errors import ProtocolError
from sync.primitives.identity import PublicIdentity
from sync.protocol.wire import CONTROL_CHARACTERS, MAX_TEXT, as_map, get_text

ROLES = ("coordinator", "participant", "observer")
_COUNTRY = re.compile(r"[A-Z]{2}\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


@dataclass(frozen=True)
class Member:
    """One device in an operation's roster, with the person's name, agency, country and role."""

    public: PublicIdentity
    name: str
    agency: str
    country: str  # ISO 3166 alpha-2
    role: str  # one of ROLES

    @cached_property
    def device_id(self) -> bytes:
        return self.public.device_id

    def with_role(self, role: str) -> Member:
        return Member(self.public, self.name, self.agency, self.country, role)

    def to_wire(self) -> dict[str, Any]:
        check_member_fields(self.name, self.agency, self.country, self.role)
        return {
            "id": self.public.to_cbor_map(),
            "name": self.name,
            "agency": self.agency,
            "country": self.country,
            "role": self.role,
        }

    @classmethod
    def from_wire(cls, value: Any, extra: frozenset[str] = frozenset()) -> Member:
        """Decode a roster entry; ``extra`` names further fields the caller reads itself."""
        what = "roster entry"
        entry = as_map(value, {"id", "name", "agency", "country", "role"} | extra, what)
        public = PublicIdentity.from_cbor_map(entry["id"])
        member = cls(
            public,
            get_text(entry, "name", what),
            get_text(entry, "agency", what),
            get_text(entry, "country", what, max_len=2),
            get_text(entry, "role", what, max_len=20),
        )
        check_member_fields(member.name, member.agency, member.country, member.role)
        return member


def check_member_fields(name: str, agency: str, country: str, role: str) -> None:
    """Refuse empty names, a country that is not two capital letters, or an unknown role."""
    if not name or not agency or len(name) > MAX_TEXT or len(agency) > MAX_TEXT:
        raise ProtocolError(_("Malformed member: name and agency are required."))
    if CONTROL_CHARACTERS.search(name) or CONTROL_CHARACTERS.search(agency):
        raise ProtocolError(_("Malformed member: control characters in the name or agency."))
    if not _COUNTRY.match(country):
        raise ProtocolError(_("Malformed member: country must be an ISO 3166 alpha-2 code."))
    if role not in ROLES:
        raise ProtocolError(_("Malformed member: unknown role."))


@dataclass(frozen=True)
class OperationInfo:
    """What joiners learn about the operation from its commits."""

    name: str
    ends: str | None  # ISO date (YYYY-MM-DD) the operation is planned to close, if set
    template_set: str  # identifier of the template set every participant renders

    def to_wire(self) -> dict[str, Any]:
        return {"name": self.name, "ends": self.ends, "templates": self.template_set}

    @classmethod
    def from_wire(cls, value: Any) -> OperationInfo:
        what = "operation metadata"
        entry = as_map(value, {"name", "ends", "templates"}, what)
        ends = entry["ends"]
        if ends is not None and (not isinstance(ends, str) or not _DATE.match(ends)):
            raise ProtocolError(_("Malformed operation metadata: ends is not a date."))
        return cls(
            get_text(entry, "name", what),
            ends,
            get_text(entry, "templates", what, allow_empty=True),
        )
