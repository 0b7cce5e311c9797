"""Roles and what each may do: the one table every face and rule reads.

The role names themselves are part of the wire format (``sync.protocol.roster.ROLES``, carried
in every roster commit); what a role permits is decided here."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from locales import _
from sync.protocol.roster import ROLES as ROLES
from sync.services.errors import Invalid, NotAllowed

COORDINATOR, PARTICIPANT, OBSERVER = ROLES


class Permission(enum.Enum):
    """One thing a role may do in an operation."""

    READ = "read"  # see records, messages and the library
    WRITE = "write"  # create records, edit one's own, send messages, add to the library
    EDIT_ANY = "edit_any"  # change records written by others
    JUDGE = "judge"  # validate or return submitted records
    MANAGE = "manage"  # invite, admit, remove members, change roles, close the operation


PERMISSIONS: Mapping[str, frozenset[Permission]] = {
    COORDINATOR: frozenset(Permission),
    PARTICIPANT: frozenset({Permission.READ, Permission.WRITE}),
    OBSERVER: frozenset({Permission.READ}),
}

# The order a person picks a role in (the usual choice first).
CHOICE_ORDER = (PARTICIPANT, OBSERVER, COORDINATOR)


def can(role: str, permission: Permission) -> bool:
    """Whether ``role`` has ``permission`` (an unknown role has none)."""
    return permission in PERMISSIONS.get(role, frozenset())


def refusal(permission: Permission) -> str:
    """The sentence said when a role lacks ``permission``."""
    texts = {
        Permission.READ: _("You are not a member of this operation."),
        Permission.WRITE: _("Observers can read the operation but not write to it."),
        Permission.EDIT_ANY: _("Only the record's author or a coordinator may change it."),
        Permission.JUDGE: _("Only a coordinator can validate or return a record."),
        Permission.MANAGE: _("Only a coordinator of the operation can do this."),
    }
    return texts[permission]


def require(role: str, permission: Permission) -> None:
    """Raise ``NotAllowed`` unless ``role`` has ``permission``."""
    if not can(role, permission):
        raise NotAllowed(refusal(permission))


def check_role(name: str) -> str:
    """``name`` as a role, or ``Invalid`` naming the roles there are."""
    role = name.strip().lower()
    if role not in PERMISSIONS:
        raise Invalid(
            _("{role} is not a role; choose {choices}.").format(
                role=name, choices=", ".join(CHOICE_ORDER)
            )
        )
    return role
