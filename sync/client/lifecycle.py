"""The operation lifecycle: create, invite, join (pending until admitted), admit, remove,
members, close, and the retention that keeps a closed operation N days or shreds it.

Every roster change is a signed commit starting a new epoch (sync.protocol.commit); the relay
orders commits and the store keeps each with the epoch secret this device received.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from locales import _
from sync.client import state
from sync.client.context import SyncContext
from sync.client.pull import pull_commits
from sync.client.relay_http import RelayClient, RelayError
from sync.crypto.epochs import OperationKeys
from sync.crypto.identity import PublicIdentity
from sync.errors import CordonError, ProtocolError
from sync.protocol import (
    OperationInfo,
    add_members,
    build_join_request,
    create_genesis,
    decode_join_request,
    remove_members,
)
from sync.protocol.invite import encode_invite, new_invite, parse_invite
from sync.store import audit
from sync.store.clock import utc_now
from sync.store.db import Store
from sync.store.erase import erase_operation
from sync.store.operations import Operation
from sync.store.profile import Profile

DEFAULT_RETENTION_DAYS = 30


def create_operation(
    ctx: SyncContext,
    name: str,
    relay_url: str,
    templates: list[str],
    ends: str | None,
) -> str:
    """Create an operation on the relay with this device as its coordinator."""
    profile = ctx.profile
    info = OperationInfo(name, ends, ",".join(templates))
    try:
        commit, secret = create_genesis(
            profile.identity,
            name=profile.name,
            agency=profile.agency or "-",
            country=profile.country,
            info=info,
        )
    except ProtocolError as exc:
        raise CordonError(str(exc)) from exc
    ctx.client(relay_url).create_operation(commit.raw)
    store = ctx.store
    op_id = commit.operation_id.hex()
    with store.transaction():
        store.operations.save(
            Operation(
                op_id,
                name,
                "coordinator",
                "active",
                relay_url=relay_url,
                templates=templates,
                coordinator=profile.device_id,
                ends_at=ends,
            )
        )
        state.save_commit(store, commit, secret, profile.identity.device_id)
        store.audit.append(audit.COLLECTION, op_id, op_id)
    return op_id


def coordinator_context(
    ctx: SyncContext, operation: str
) -> tuple[Operation, RelayClient, OperationKeys]:
    """For a coordinator's roster change: the writable operation, its relay client and its
    keys brought up to date with the relay (another coordinator may have moved on)."""
    op = state.require_operation(ctx.store, operation)
    state.require_writable(op)
    if op.role != "coordinator":
        raise CordonError(_("Only a coordinator of the operation can do this."))
    assert op.relay_url is not None
    client = ctx.client(op.relay_url)
    keys = ctx.keys(op.operation_id)
    pull_commits(ctx, op.operation_id, client, keys)  # another coordinator may have moved on
    return op, client, keys


_coordinator_context = coordinator_context  # the name the desktop used before


def invite(ctx: SyncContext, operation: str, role: str) -> str:
    """A one-time invitation code; the role the joiner will get is remembered here."""
    op, client, _keys = coordinator_context(ctx, operation)
    assert op.relay_url is not None
    code = new_invite(op.relay_url, bytes.fromhex(op.operation_id), ctx.profile.identity.device_id)
    client.register_invitation(code.operation_id, code.token_hash)
    with ctx.store.transaction():
        ctx.store.operations.add_invite(op.operation_id, code.token_hash.hex(), role)
    return encode_invite(code)


def join(ctx: SyncContext, code: str) -> str:
    """Post a join request for an invitation code; the operation is pending until admitted."""
    try:
        invitation = parse_invite(code)
    except ProtocolError as exc:
        raise CordonError(
            _("This invitation code is not valid: {reason}").format(reason=exc)
        ) from exc
    profile = ctx.profile
    op_id = invitation.operation_id.hex()
    known = ctx.store.operations.get(op_id)
    if known is not None and known.status != "pending":
        raise CordonError(
            _("This profile already takes part in operation {name}.").format(name=known.name)
        )
    request = build_join_request(
        profile.identity,
        operation_id=invitation.operation_id,
        token=invitation.token,
        name=profile.name,
        agency=profile.agency or "-",
        country=profile.country,
    )
    ctx.client(invitation.relay_url).post_join_request(invitation.operation_id, request)
    with ctx.store.transaction():
        ctx.store.operations.save(
            Operation(
                op_id,
                "",
                "participant",
                "pending",
                relay_url=invitation.relay_url,
                invited_by=invitation.coordinator.hex(),
            )
        )
    return op_id


def try_activate(ctx: SyncContext, operation_id: str) -> bool:
    """For a pending operation: fetch the commits once admitted; True when now active."""
    op = state.require_operation(ctx.store, operation_id)
    if op.status != "pending":
        return op.status == "active"
    assert op.relay_url is not None
    client = ctx.client(op.relay_url)
    try:
        raws = client.commits(bytes.fromhex(op.operation_id), after=-1, limit=100)
    except RelayError as exc:
        if exc.status in (401, 403, 404):
            return False  # not admitted yet
        raise
    keys = OperationKeys(ctx.profile.identity)
    for raw in raws:
        keys.add_commit(raw)
    while len(raws) == 100:
        raws = client.commits(bytes.fromhex(op.operation_id), after=keys.latest.epoch, limit=100)
        for raw in raws:
            keys.add_commit(raw)
    invited_by = bytes.fromhex(op.invited_by or "")
    if not any(
        c.member(m.device_id) is not None and m.device_id.startswith(invited_by)
        for c in keys.commits
        for m in c.coordinators()
    ):
        raise CordonError(
            _("The operation's commits do not name the coordinator who invited you; refused.")
        )
    if keys.latest.member(ctx.profile.identity.device_id) is None:
        return False
    with ctx.store.transaction():
        secrets = keys.export_secrets()
        for commit in keys.commits:
            state.save_commit(
                ctx.store, commit, secrets.get(commit.epoch), ctx.profile.identity.device_id
            )
        ctx.store.audit.append(audit.COLLECTION, op.operation_id, op.operation_id)
    return True


@dataclass(frozen=True)
class PendingRequest:
    request_id: str
    device_id: str
    name: str
    agency: str
    country: str
    fingerprint: str
    role: str | None  # None when the invitation is not one of ours
    raw: bytes

    def as_dict(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "name": self.name,
            "agency": self.agency,
            "country": self.country,
            "fingerprint": self.fingerprint,
            "role": self.role,
            "request_id": self.request_id,
        }


def pending(ctx: SyncContext, operation: str) -> list[PendingRequest]:
    op, client, keys = coordinator_context(ctx, operation)
    invites = ctx.store.operations.invites(op.operation_id)
    found = []
    for record in client.join_requests(bytes.fromhex(op.operation_id)):
        try:
            request = decode_join_request(record.raw)
        except ProtocolError:
            continue  # the relay checked it; a damaged one is simply not shown
        if request.operation_id.hex() != op.operation_id:
            continue
        if keys.latest.member(request.public.device_id) is not None:
            continue
        found.append(
            PendingRequest(
                record.request_id,
                request.public.device_id_hex,
                request.name,
                request.agency,
                request.country,
                request.public.fingerprint,
                invites.get(request.token_hash.hex()),
                record.raw,
            )
        )
    return found


def _match_device(candidates: list[str], device: str) -> str:
    text = device.strip().lower()
    matches = [c for c in candidates if c == text] or [
        c for c in candidates if len(text) >= 6 and c.startswith(text)
    ]
    if len(matches) != 1:
        raise CordonError(_("No single device matches {device}.").format(device=device))
    return matches[0]


def admit(ctx: SyncContext, operation: str, device: str, role: str | None = None) -> int:
    """Admit a pending requester: a new epoch whose roster includes it. Returns the epoch."""
    requests = pending(ctx, operation)
    device_id = _match_device([r.device_id for r in requests], device)
    request = next(r for r in requests if r.device_id == device_id)
    if request.role is None and role is None:
        raise CordonError(_("That join request does not come from one of your invitations."))
    op, client, keys = coordinator_context(ctx, operation)
    joiner = decode_join_request(request.raw)
    commit, secret = add_members(
        ctx.profile.identity,
        keys.latest,
        [joiner.as_member(role or request.role or "participant")],
    )
    client.post_commit(commit.operation_id, commit.raw)
    state.add_commits(ctx.store, ctx.profile.identity, keys, [commit.raw])
    with contextlib.suppress(RelayError):
        client.dismiss_join_request(commit.operation_id, request.request_id)
    with ctx.store.transaction():
        ctx.store.operations.drop_invite(op.operation_id, joiner.token_hash.hex())
    return commit.epoch


def remove(ctx: SyncContext, operation: str, device: str) -> int:
    """Remove a member: a new epoch it never receives. Returns the epoch."""
    op, client, keys = coordinator_context(ctx, operation)
    device_id = _match_device([m.device_id.hex() for m in keys.latest.roster], device)
    if device_id == ctx.profile.device_id:
        raise CordonError(_("You cannot remove yourself; close the operation instead."))
    try:
        commit, _secret = remove_members(
            ctx.profile.identity, keys.latest, [bytes.fromhex(device_id)]
        )
    except ProtocolError as exc:
        raise CordonError(str(exc)) from exc
    client.post_commit(commit.operation_id, commit.raw)
    state.add_commits(ctx.store, ctx.profile.identity, keys, [commit.raw])
    return commit.epoch


def members(store: Store, operation: str) -> list[dict[str, Any]]:
    op = state.require_operation(store, operation)
    rows = []
    for m in store.operations.members(op.operation_id):
        rows.append(
            {
                "device_id": m.device_id,
                "name": m.name,
                "agency": m.agency,
                "country": m.country,
                "role": m.role,
                "fingerprint": PublicIdentity.decode(m.public_key).fingerprint,
                "status": m.status,
            }
        )
    return rows


# -- closing, retention and shredding -----------------------------------------------------------


def mark_closed(store: Store, operation_id: str, retention_days: int | None = None) -> None:
    op = state.require_operation(store, operation_id)
    if retention_days is None:
        retention_days = (
            op.retention_days if op.retention_days is not None else DEFAULT_RETENTION_DAYS
        )
    with store.transaction():
        store.operations.set_status(operation_id, "closed")
        store.operations.set_closed(operation_id, op.closed_at or utc_now(), retention_days)
        store.outbox.prune_sent(operation_id)


def close(ctx: SyncContext, operation: str, retention_days: int | None, shred_now: bool) -> str:
    """Coordinator: purge the operation on the relay; the local copy becomes read-only."""
    op = state.require_operation(ctx.store, operation)
    if op.status == "active":
        if op.role != "coordinator":
            raise CordonError(_("Only a coordinator of the operation can close it."))
        assert op.relay_url is not None
        with contextlib.suppress(RelayError):  # 410: already closed by another coordinator
            ctx.client(op.relay_url).close_operation(bytes.fromhex(op.operation_id))
        mark_closed(ctx.store, op.operation_id, retention_days)
    elif op.status == "closed" and retention_days is not None:
        with ctx.store.transaction():
            ctx.store.operations.set_retention(op.operation_id, retention_days)
    elif op.status not in ("closed", "removed", "shredded"):
        raise CordonError(state.read_only_reason(op))
    if shred_now or retention_days == 0:
        shred(ctx.profile, op.operation_id)
        return "shredded"
    return str(state.require_operation(ctx.store, op.operation_id).status)


def shred(profile: Profile, operation_id: str) -> None:
    """Erase the operation's content, keys and name so that nothing of it can be read back
    from the store's files (sync.store.erase); only a blank row saying it was shredded stays."""
    store = profile.store
    for item in store.library.list(operation_id):
        if item.attachment_id:
            profile.attachments.delete(item.attachment_id)
    erase_operation(store, operation_id, utc_now())


def purge_expired(profile: Profile, now: dt.datetime | None = None) -> list[str]:
    """Shred closed operations whose retention has run out; returns their ids."""
    now = now or dt.datetime.now(dt.UTC)
    done = []
    for op in profile.store.operations.list():
        if op.status != "closed":
            continue
        closed_at = op.closed_at
        days = DEFAULT_RETENTION_DAYS if op.retention_days is None else op.retention_days
        if not closed_at:
            continue
        closed = dt.datetime.fromisoformat(str(closed_at).replace("Z", "+00:00"))
        if now >= closed + dt.timedelta(days=days):
            shred(profile, op.operation_id)
            done.append(op.operation_id)
    return done
