"""The one table of roles and permissions."""

from __future__ import annotations

import pytest

from sync.protocol.roster import ROLES
from sync.services import roles
from sync.services.errors import Invalid, NotAllowed
from sync.services.roles import Permission


def test_every_wire_role_has_a_row_and_nothing_else_does() -> None:
    assert set(roles.PERMISSIONS) == set(ROLES)
    assert set(roles.CHOICE_ORDER) == set(ROLES)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("coordinator", set(Permission)),
        ("participant", {Permission.READ, Permission.WRITE}),
        ("observer", {Permission.READ}),
        ("stranger", set()),
    ],
)
def test_what_each_role_may_do(role: str, allowed: set[Permission]) -> None:
    assert {p for p in Permission if roles.can(role, p)} == allowed


def test_require_says_why_in_a_sentence() -> None:
    roles.require("coordinator", Permission.MANAGE)
    with pytest.raises(NotAllowed) as refused:
        roles.require("participant", Permission.MANAGE)
    assert str(refused.value) == roles.refusal(Permission.MANAGE)
    assert str(refused.value).endswith(".")


def test_check_role_normalises_and_refuses_unknown_names() -> None:
    assert roles.check_role(" Observer ") == "observer"
    with pytest.raises(Invalid, match="chief"):
        roles.check_role("chief")
