"""The operation lifecycle: create, invite, join (pending until admitted), admit, remove,
members, close, and the retention that keeps a closed operation N days or shreds it.

Every roster change is a signed commit starting a new epoch (sync.protocol.commit); the relay
orders commits and the store keeps each with the epoch secret this device received.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from locales import _
from sync.client import state
from sync.client.context import SyncContext
from sync.client.pull import pull_commits
from sync.client.relay_http import RelayClient, RelayError
from sync.crypto.epochs import OperationKeys
from sync.errors import CordonError, ProtocolError
from sync.primitives.identity import PublicIdentity
from sync.protocol import (
    Commit,
    OperationInfo,
    add_members,
    build_join_request,
    create_genesis,
    decode_commit,
    decode_join_request,
    open_commit,
    open_epoch_secret,
    open_join_request,
    remove_members,
    verify_closing,
)
from sync.protocol.commit import close_operation as close_commit
from sync.protocol.invite import (
    Invite,
    check_invited_chain,
    encode_invite,
    new_invite,
    offered_chain_mismatch,
    parse_invite,
)
from sync.store import audit
from sync.store.chain import Chain
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




def invite(ctx: SyncContext, operation: str, role: str) -> str:
    """A one-time invitation code bound to this coordinator and to the chain as it stands.

    The relay learns only the invitation id; the token stays in this (encrypted) profile, so that
    only this device can check the answers (``pending``). The role is remembered with it.
    """
    op, client, keys = coordinator_context(ctx, operation)
    assert op.relay_url is not None
    code = new_invite(op.relay_url, keys.latest, ctx.profile.identity.public)
    client.register_invitation(code.operation_id, code.invitation_id)
    invites = dict(state.get_data(ctx.store, op.operation_id).get("invites", {}))
    invites[code.invitation_id.hex()] = {"role": role, "token": code.token.hex()}
    with ctx.store.transaction():
        state.set_data(ctx.store, op.operation_id, invites=invites)
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
                invitation_head=invitation.head.hex(),
            )
        )
    return op_id


_MAX_JOIN_PAGES = 1000  # 100 commits a page: far more epochs than any operation has


def try_activate(ctx: SyncContext, operation_id: str) -> bool:
    """For a pending operation: fetch the commits once admitted; True when now active.

    The chain must be the one the invitation was made on (it holds the invitation's head
    commit) and the commit admitting this device must be signed by the inviting coordinator;
    otherwise nothing is kept and CordonError says the relay offered an operation that does not
    match the invitation.
    """
    op = state.require_operation(ctx.store, operation_id)
    if op.status != "pending":
        return op.status == "active"
    assert op.relay_url is not None
    client = ctx.client(op.relay_url)
    if not op.invited_by or not op.invitation_head:
        raise CordonError(_("This pending operation was joined with an older invitation code."))
    try:
        invitation = Invite(
            op.relay_url,
            bytes.fromhex(op.operation_id),
            b"",
            bytes.fromhex(op.invited_by),
            bytes.fromhex(op.invitation_head),
        )
        if len(invitation.coordinator) != 32 or len(invitation.head) != 32:
            raise ValueError("binding")
    except ValueError:
        raise CordonError(
            _("This pending operation was joined with an older invitation code.")
        ) from None
    op_bytes = bytes.fromhex(op.operation_id)
    try:
        raws = client.commits(op_bytes, after=-1, limit=100)
    except RelayError as exc:
        if exc.status in (401, 403, 404):
            return False  # not admitted yet
        raise
    keys = OperationKeys(ctx.profile.identity)
    me = ctx.profile.identity.device_id
    try:
        for _page in range(_MAX_JOIN_PAGES):
            for raw in raws:
                keys.add_commit(raw)
            if len(raws) < 100:
                break
            raws = client.commits(op_bytes, after=keys.latest.epoch, limit=100)
        admitted = check_invited_chain(invitation, keys.commits, me)
    except ProtocolError:
        raise CordonError(str(offered_chain_mismatch())) from None
    if admitted is None or keys.latest.member(me) is None:
        return False
    with ctx.store.transaction():
        secrets = keys.export_secrets()
        for commit in keys.commits:
            state.save_commit(ctx.store, commit, secrets.get(commit.epoch), me)
        ctx.store.audit.append(audit.COLLECTION, op.operation_id, op.operation_id)
    return True


@dataclass(frozen=True)
class PendingRequest:
    """A join request this device checked against one of its own invitations."""

    request_id: str
    device_id: str
    name: str
    agency: str
    country: str
    fingerprint: str
    role: str
    raw: bytes
    token: bytes = field(repr=False)

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


def _invites(ctx: SyncContext, operation_id: str) -> dict[str, dict[str, str]]:
    found = state.get_data(ctx.store, operation_id).get("invites", {})
    return {
        k: v
        for k, v in (found.items() if isinstance(found, dict) else ())
        if isinstance(v, dict) and isinstance(v.get("token"), str)
    }


def pending(ctx: SyncContext, operation: str) -> list[PendingRequest]:
    """Join requests that answer one of this device's invitations, checked with its token.

    A request the relay wrote (or one for another coordinator's invitation) cannot prove it holds
    a token this device made, so it is not listed.
    """
    op, client, keys = coordinator_context(ctx, operation)
    invites = _invites(ctx, op.operation_id)
    found = []
    for record in client.join_requests(bytes.fromhex(op.operation_id)):
        try:
            request = decode_join_request(record.raw)
            invite = invites.get(request.invitation_id.hex())
            if invite is None or request.operation_id.hex() != op.operation_id:
                continue
            token = bytes.fromhex(invite["token"])
            request = open_join_request(request, token)
        except (ProtocolError, ValueError):
            continue  # not provably an answer to one of our invitations
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
                str(invite.get("role") or "participant"),
                record.raw,
                token,
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


def find_request(ctx: SyncContext, operation: str, device: str) -> PendingRequest:
    """The checked pending request of ``device`` (its id or a prefix of 6+ hex digits)."""
    requests = pending(ctx, operation)
    device_id = _match_device([r.device_id for r in requests], device)
    return next(r for r in requests if r.device_id == device_id)


def admit_request(
    ctx: SyncContext,
    operation: str,
    request: PendingRequest,
    role: str | None,
    *,
    verified: bool,
) -> int:
    """Admit a checked request: a new epoch whose roster includes it. Returns the epoch.

    Call it through ``sync.services.roster.admit``, which applies the fingerprint rule;
    ``verified=False`` marks the admission unverified in the commit, for every member to see.
    """
    op, client, keys = coordinator_context(ctx, operation)
    joiner = open_join_request(decode_join_request(request.raw), request.token)
    commit, _secret = add_members(
        ctx.profile.identity,
        keys.latest,
        [joiner.as_member(role or request.role)],
        unverified=() if verified else (joiner.public.device_id,),
    )
    client.post_commit(commit.operation_id, commit.raw)
    state.add_commits(ctx.store, ctx.profile.identity, keys, [commit.raw])
    with contextlib.suppress(RelayError):
        client.dismiss_join_request(commit.operation_id, request.request_id)
    invites = _invites(ctx, op.operation_id)
    invites.pop(joiner.invitation_id.hex(), None)
    with ctx.store.transaction():
        state.set_data(ctx.store, op.operation_id, invites=invites)
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
    unverified = unverified_admissions(store, op.operation_id)
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
                "verified": m.device_id not in unverified,
            }
        )
    return rows


def unverified_admissions(store: Store, operation_id: str) -> set[str]:
    """Devices (hex ids) a coordinator admitted without comparing their fingerprint, as the
    admitting commits say (every member sees it)."""

    found: set[str] = set()
    for held in Chain(store).commits(operation_id):
        with contextlib.suppress(ProtocolError):
            found.update(d.hex() for d in decode_commit(held.commit_blob).unverified)
    return found


# -- closing, retention and shredding -----------------------------------------------------------


def mark_closed(store: Store, operation_id: str, retention_days: int | None = None) -> None:
    """Make the local copy read-only and start its retention (call only on a verified closing
    commit, or for a copy this device itself stops taking part in)."""
    data = state.get_data(store, operation_id)
    with store.transaction():
        store.operations.set_status(operation_id, "closed")
        state.set_data(
            store,
            operation_id,
            closed_at=data.get("closed_at") or utc_now(),
            retention_days=retention_days
            if retention_days is not None
            else data.get("retention_days", DEFAULT_RETENTION_DAYS),
            relay_closed_at=None,
        )
        store.outbox.prune_sent(operation_id)


def apply_closing(store: Store, commit: Commit) -> None:
    """The coordinator closed the operation (a verified closing commit): close the local copy
    with the retention the commit carries, the same on every device."""
    mark_closed(store, commit.operation_id.hex(), commit.retention_days)


def relay_says_closed() -> CordonError:
    """What a member is told when the relay answers 410 without a closing commit."""
    return CordonError(
        _(
            "The relay says this operation is closed; the coordinator has not closed it. "
            "Nothing was erased."
        )
    )


def handle_gone(ctx: SyncContext, operation_id: str, client: RelayClient) -> None:
    """The relay answered 410 for an active operation: close it only if the relay hands over a
    closing commit signed by a coordinator this device knows; otherwise nothing changes but a
    note, and CordonError (``relay_says_closed``) is raised."""
    keys = ctx.keys(operation_id)
    raw = client.closing_commit(bytes.fromhex(operation_id))
    if raw is not None:
        try:
            closing = decode_commit(raw)
            verify_closing(keys.latest, closing)
        except ProtocolError:
            closing = None
        if closing is not None:
            with ctx.store.transaction():
                secret: bytes | None = None
                with contextlib.suppress(ProtocolError):
                    secret = open_epoch_secret(closing, ctx.profile.identity)
                    closing = open_commit(closing, secret)
                if closing.epoch == keys.latest.epoch + 1:
                    state.save_commit(ctx.store, closing, secret, ctx.profile.identity.device_id)
                apply_closing(ctx.store, closing)
            return
    with ctx.store.transaction():
        state.set_data(ctx.store, operation_id, relay_closed_at=utc_now())
    raise relay_says_closed()


def close(ctx: SyncContext, operation: str, retention_days: int | None, shred_now: bool) -> str:
    """Coordinator: sign the closing commit (it carries the retention every device applies),
    then purge the operation on the relay; the local copy becomes read-only."""
    op = state.require_operation(ctx.store, operation)
    if op.status == "active":
        if op.role != "coordinator":
            raise CordonError(_("Only a coordinator of the operation can close it."))
        assert op.relay_url is not None
        client = ctx.client(op.relay_url)
        days = DEFAULT_RETENTION_DAYS if retention_days is None else retention_days
        try:
            op, client, keys = coordinator_context(ctx, operation)
            if keys.latest.action != "close":
                commit, _secret = close_commit(ctx.profile.identity, keys.latest, days)
                client.post_commit(commit.operation_id, commit.raw)
                state.add_commits(ctx.store, ctx.profile.identity, keys, [commit.raw])
            closing = keys.latest
            client.close_operation(bytes.fromhex(op.operation_id))
        except RelayError as exc:
            if exc.status != 410:
                raise
            handle_gone(ctx, op.operation_id, client)  # another coordinator closed it
            closing = None
        except ProtocolError as exc:
            raise CordonError(str(exc)) from exc
        if closing is not None:
            apply_closing(ctx.store, closing)
    elif op.status == "closed" and retention_days is not None:
        if op.role == "coordinator" and op.relay_url:
            with contextlib.suppress(RelayError):  # the purge on the relay may not have happened
                ctx.client(op.relay_url).close_operation(bytes.fromhex(op.operation_id))
        with ctx.store.transaction():
            state.set_data(ctx.store, op.operation_id, retention_days=retention_days)
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
            if profile.store.outbox.pending(op.operation_id, limit=1):
                continue  # unsent work is erased only when the person asks (op close --shred)
            shred(profile, op.operation_id)
            done.append(op.operation_id)
    return done
