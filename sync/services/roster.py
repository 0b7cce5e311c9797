"""Who is in an operation and with which role: finding a member, and changing a role.

Changing a role is a new epoch whose roster gives the member the other role; only a role with
the ``MANAGE`` permission (a coordinator) may make it. Inviting, admitting and removing stay in
``sync.client.lifecycle`` for now."""

from __future__ import annotations

from locales import _
from sync.client import lifecycle, state
from sync.client.engine import SyncEngine
from sync.errors import ProtocolError
from sync.protocol.commit import change_role as role_commit
from sync.services import roles
from sync.services.errors import Invalid, NotFound
from sync.services.roles import Permission
from sync.store.db import Store
from sync.store.operations import Member


def find_member(store: Store, operation_id: str, device: str, status: str = "active") -> Member:
    """The member named by a device id or an unambiguous prefix of at least six characters."""
    text = device.strip().lower()
    members = store.operations.members(operation_id, status)
    found = [m for m in members if m.device_id == text] or [
        m for m in members if len(text) >= 6 and m.device_id.startswith(text)
    ]
    if len(found) != 1:
        raise NotFound(_("No single member matches {device}.").format(device=device))
    return found[0]


def change_role(engine: SyncEngine, operation: str, device: str, role: str) -> int:
    """Give a member another role: a new epoch, sent to the relay. Returns the epoch (the
    current one when the member already has that role). Talks to the relay (sync thread)."""
    new_role = roles.check_role(role)
    op = state.require_operation(engine.store, operation)
    roles.require(op.role, Permission.MANAGE)
    wanted = find_member(engine.store, op.operation_id, device).device_id
    _op, client, keys = lifecycle.coordinator_context(engine, op.operation_id)
    member = keys.latest.member(bytes.fromhex(wanted))
    if member is None:
        raise NotFound(_("That person is no longer a member of the operation."))
    if member.role == new_role:
        return keys.latest.epoch
    try:
        commit, _secret = role_commit(
            engine.profile.identity, keys.latest, member.device_id, new_role
        )
    except ProtocolError as exc:
        raise Invalid(str(exc)) from exc
    client.post_commit(commit.operation_id, commit.raw)
    state.add_commits(engine.store, engine.profile.identity, keys, [commit.raw])
    return commit.epoch
