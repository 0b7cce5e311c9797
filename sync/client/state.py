"""An operation's verified commit chain and roster as kept in the store.

``load_keys`` rebuilds the ``OperationKeys`` (chain + epoch secrets this device holds) from the
store; ``save_commit`` keeps a verified commit with its secret (if this device got one) through
:class:`sync.store.chain.Chain`, which brings the roster and the operation row in line with it,
inside the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from locales import _
from sync.crypto.epochs import OperationKeys
from sync.errors import CordonError
from sync.primitives.identity import Identity
from sync.protocol import Commit
from sync.store.chain import (
    Chain,
    ChainEntry,
    RosterEntry,
    take_back_revisions,
    written_after,
)
from sync.store.clock import format_hlc
from sync.store.db import Store
from sync.store.operations import Invitation, Operation, PendingUpload

WRITABLE = ("active",)


def load_keys(store: Store, identity: Identity, operation_id: str) -> OperationKeys:
    """The operation's chain and held secrets, verified again from the stored commits."""
    held = Chain(store).commits(operation_id)
    commits = [h.commit_blob for h in held]
    secrets = {h.epoch: h.secret for h in held if h.secret is not None}
    return OperationKeys.from_chain(identity, commits, secrets)


def save_commit(store: Store, commit: Commit, secret: bytes | None, my_device: bytes) -> None:
    """Keep a verified commit (and this device's secret of it) and apply its roster."""
    me = commit.member(my_device)
    coordinators = commit.coordinators()
    Chain(store).add(
        ChainEntry(
            operation_id=commit.operation_id.hex(),
            epoch=commit.epoch,
            secret=secret,
            commit_hash=commit.hash,
            commit_blob=commit.raw,
            roster=[
                RosterEntry(
                    m.device_id.hex(), m.public.encode(), m.name, m.role, m.agency, m.country
                )
                for m in commit.roster
            ],
            name=commit.info.name,
            ends_at=commit.info.ends,
            templates=[t for t in commit.info.template_set.split(",") if t],
            coordinator=coordinators[0].device_id.hex() if coordinators else None,
            my_role=None if me is None else me.role,
            opened=commit.opened,
        )
    )


def add_commits(
    store: Store,
    identity: Identity,
    keys: OperationKeys,
    raws: list[bytes],
    notices: list[str] | None = None,
) -> list[Commit]:
    """Verify commits against the chain and keep the new ones; returns those added.

    A commit that removes members takes back out of the store what they wrote with a clock
    after the removal (it reached this device before the removal did); ``notices`` gets one
    sentence per member concerned."""
    added = []
    for raw in raws:
        before = len(keys.commits)
        previous = keys.latest if keys.commits else None
        commit = keys.add_commit(raw)
        if len(keys.commits) == before:
            continue
        secret = keys.export_secrets().get(commit.epoch)
        with store.transaction():
            save_commit(store, commit, secret, identity.device_id)
            if previous is not None:
                for member in previous.roster:
                    if commit.member(member.device_id) is None:
                        taken = take_back(store, commit, member.device_id.hex())
                        if taken and notices is not None:
                            notices.append(
                                _(
                                    "{count} changes from {name}, written after their removal, "
                                    "were taken back out."
                                ).format(count=taken, name=member.name)
                            )
        added.append(commit)
    return added


def take_back(store: Store, commit: Commit, device: str) -> int:
    """Remove what ``device`` wrote with a clock after ``commit`` (which removed it)."""
    op = commit.operation_id.hex()
    cut = format_hlc(commit.time_ms, 9999, "z")  # after the removal's millisecond
    found = written_after(store, op, device, cut)
    for record_id in found.records:
        store.records.erase(op, record_id)
    for message_id in found.messages:
        store.messages.delete(op, message_id)
    for item_id in found.library:
        store.library.delete(op, item_id)
    return found.count + take_back_revisions(store, op, device, cut)


def require_operation(store: Store, operation: str) -> Operation:
    """The operation whose id is ``operation`` or starts with it (at least 6 characters)."""
    text = operation.strip().lower()
    op = store.operations.get(text)
    if op is not None:
        return op
    if len(text) >= 6:
        matches = [o for o in store.operations.list() if o.operation_id.startswith(text)]
        if len(matches) == 1:
            return matches[0]
    raise CordonError(_("There is no operation {op} in this profile.").format(op=operation))


def require_writable(op: Operation) -> None:
    if op.status == "pending":
        raise CordonError(
            _("You have not been admitted to operation {op} yet; run `cordon sync` later.").format(
                op=op.operation_id
            )
        )
    if op.status not in WRITABLE:
        raise CordonError(read_only_reason(op))


def read_only_reason(op: Operation) -> str:
    """Why an operation's local copy can no longer be changed, as a whole sentence (the status
    is never spliced into the text, so every language can say it its own way)."""
    name = op.name or op.operation_id
    if op.status == "pending":
        return _("You have not been admitted to operation {name} yet.").format(name=name)
    if op.status == "closed":
        return _("Operation {name} is closed; its local copy is read-only.").format(name=name)
    if op.status == "removed":
        return _("You were removed from operation {name}; its local copy is read-only.").format(
            name=name
        )
    if op.status == "shredded":
        return _("Operation {name} was erased from this computer.").format(name=name)
    return _("Operation {name} cannot be changed in its present state ({status}).").format(
        name=name, status=op.status
    )


def set_data(store: Store, operation_id: str, **values: Any) -> None:
    """Set parts of the operation's engine state (typed columns and tables since schema v8):
    ``invites`` {invitation id: {"role", "token"}}, ``uploads`` {item id: {"url", "blob"}},
    ``verified`` [device ids] are replaced whole; ``closed_at``, ``retention_days`` and
    ``relay_closed_at`` set. None clears a value."""
    ops = store.operations
    for key, value in values.items():
        if key == "invites":
            for invitation_id in set(ops.invites(operation_id)) - set(value or {}):
                ops.drop_invite(operation_id, invitation_id)
            for invitation_id, info in (value or {}).items():
                ops.add_invite(
                    operation_id,
                    str(invitation_id),
                    Invitation(str(info["role"]), str(info["token"])),
                )
        elif key == "uploads":
            for upload in ops.uploads(operation_id):
                if upload.item_id not in (value or {}):
                    ops.drop_upload(operation_id, upload.item_id)
            for item_id, info in (value or {}).items():
                info = info or {}
                ops.set_upload(
                    operation_id, PendingUpload(str(item_id), info.get("url"), info.get("blob"))
                )
        elif key == "verified":
            for device_id in value or []:
                ops.add_verified(operation_id, str(device_id))
        elif key == "closed_at":
            op = require_operation(store, operation_id)
            ops.set_closed(operation_id, value, op.retention_days)
        elif key == "relay_closed_at":
            ops.set_relay_closed(operation_id, value)
        elif key == "retention_days":
            ops.set_retention(operation_id, None if value is None else int(value))
        else:
            raise ValueError(f"no engine state called {key!r}")


def get_data(store: Store, operation_id: str) -> dict[str, Any]:
    """The operation's engine state in the shape ``set_data`` takes."""
    op = store.operations.get(operation_id)
    if op is None:
        return {}
    data: dict[str, Any] = {
        "invites": {
            i: {"role": inv.role, "token": inv.token}
            for i, inv in store.operations.invites(operation_id).items()
        },
        "uploads": {
            u.item_id: {k: v for k, v in (("url", u.url), ("blob", u.blob)) if v is not None}
            for u in store.operations.uploads(operation_id)
        },
        "verified": store.operations.verified(operation_id),
    }
    if op.closed_at is not None:
        data["closed_at"] = op.closed_at
    if op.retention_days is not None:
        data["retention_days"] = op.retention_days
    if op.relay_closed_at is not None:
        data["relay_closed_at"] = op.relay_closed_at
    return data


def next_seq(store: Store, operation_id: str) -> int:
    """The next per-sender sequence number (call inside the transaction that uses it)."""
    return store.operations.next_seq(operation_id)
