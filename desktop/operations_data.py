"""What the operations list and the participants dialog show, as plain data, and the calls that
fetch or change it. No Qt: these functions run on the store writer thread (reads) or on the sync
thread (anything that talks to the relay), with the profile or engine they are handed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sync.client import lifecycle
from sync.client.engine import SyncEngine
from sync.store.operations import Operation


@dataclass(frozen=True)
class OperationRow:
    """One line of the operations list."""

    operation_id: str
    name: str
    role: str
    status: str
    unread: int = 0
    outbox: int = 0
    relay_url: str = ""
    ends_at: str | None = None
    templates: tuple[str, ...] = ()
    alerts: int = 0  # unread alert messages


@dataclass(frozen=True)
class MemberRow:
    """One participant of the roster."""

    device_id: str
    name: str
    agency: str
    country: str
    role: str
    status: str
    fingerprint: str
    verified: bool  # this device compared the fingerprint with the person (admitted it)
    is_me: bool = False
    admitted_unverified: bool = False  # the admitting commit says nobody compared its keys


@dataclass(frozen=True)
class PendingRow:
    """A join request waiting for the coordinator."""

    device_id: str
    name: str
    agency: str
    country: str
    fingerprint: str
    role: str | None


def _template_ids(op: Operation) -> tuple[str, ...]:
    ids = []
    for entry in op.templates:
        if isinstance(entry, str):
            ids.append(entry)
        elif isinstance(entry, dict) and "id" in entry:
            ids.append(str(entry["id"]))
    return tuple(ids)


def list_operations(profile: Any) -> list[OperationRow]:
    """Every operation of the profile with its unread and outbox counts (writer thread)."""
    store = profile.store
    unread = dict(
        store.query("SELECT operation_id, count(*) FROM messages WHERE read = 0 GROUP BY 1")
    )
    alerts = dict(
        store.query(
            "SELECT operation_id, count(*) FROM messages WHERE read = 0 AND kind = 'alert' "
            "GROUP BY 1"
        )
    )
    outbox = dict(
        store.query("SELECT operation_id, count(*) FROM outbox WHERE sent_at IS NULL GROUP BY 1")
    )
    rows = []
    for op in store.operations.list():
        if op.status == "shredded":
            continue
        rows.append(
            OperationRow(
                operation_id=op.operation_id,
                name=op.name,
                role=op.role,
                status=op.status,
                unread=int(unread.get(op.operation_id, 0)),
                outbox=int(outbox.get(op.operation_id, 0)),
                relay_url=op.relay_url or "",
                ends_at=op.ends_at,
                templates=_template_ids(op),
                alerts=int(alerts.get(op.operation_id, 0)),
            )
        )
    return rows


def members(profile: Any, operation_id: str) -> list[MemberRow]:
    """The roster as this device holds it (writer thread)."""
    verified = set(verified_devices(profile, operation_id))
    rows = []
    for m in lifecycle.members(profile.store, operation_id):
        rows.append(
            MemberRow(
                device_id=m["device_id"],
                name=m["name"],
                agency=m.get("agency") or "",
                country=m.get("country") or "",
                role=m["role"],
                status=m["status"],
                fingerprint=m["fingerprint"],
                verified=m["device_id"] in verified or m["device_id"] == profile.device_id,
                is_me=m["device_id"] == profile.device_id,
                admitted_unverified=not m.get("verified", True),
            )
        )
    return rows


def verified_devices(profile: Any, operation_id: str) -> list[str]:
    from sync.client import state

    return list(state.get_data(profile.store, operation_id).get("verified", []))


def mark_verified(engine: SyncEngine, operation_id: str, device_id: str) -> None:
    """Remember that the person compared this device's fingerprint (shown as a mark)."""
    from sync.client import state

    known = list(state.get_data(engine.store, operation_id).get("verified", []))
    if device_id not in known:
        known.append(device_id)
        with engine.store.transaction():
            state.set_data(engine.store, operation_id, verified=known)


def pending(engine: SyncEngine, operation_id: str) -> list[PendingRow]:
    """Join requests on the relay (sync thread)."""
    return [
        PendingRow(r.device_id, r.name, r.agency, r.country, r.fingerprint, r.role)
        for r in lifecycle.pending(engine, operation_id)
    ]


def admit(
    engine: SyncEngine,
    operation_id: str,
    device_id: str,
    role: str | None,
    *,
    fingerprint: str | None = None,
    unverified: bool = False,
) -> int:
    """Admit under the one rule of ``sync.services.admission`` (the fingerprint compared, or an
    explicit unverified admission every member sees); a compared device is marked verified."""
    from sync.services import admission

    epoch = admission.admit(
        engine, operation_id, device_id, role, fingerprint=fingerprint, unverified=unverified
    )
    if not unverified:
        mark_verified(engine, operation_id, device_id)
    return epoch


def change_role(engine: SyncEngine, operation_id: str, device_id: str, role: str) -> int:
    """A new epoch whose roster gives the member another role (sync thread)."""
    from locales import _
    from sync.client import state
    from sync.errors import CordonError, ProtocolError
    from sync.protocol.commit import change_role as role_commit

    _op, client, keys = lifecycle._coordinator_context(engine, operation_id)
    member = keys.latest.member(bytes.fromhex(device_id))
    if member is None:
        raise CordonError(_("That person is no longer a member of the operation."))
    if member.role == role:
        return keys.latest.epoch
    try:
        commit, _secret = role_commit(engine.profile.identity, keys.latest, member.device_id, role)
    except ProtocolError as exc:
        raise CordonError(str(exc)) from exc
    client.post_commit(commit.operation_id, commit.raw)
    state.add_commits(engine.store, engine.profile.identity, keys, [commit.raw])
    return commit.epoch


@dataclass(frozen=True)
class AlertRow:
    """An unread alert from another participant (its text is shown as plain text only)."""

    operation_id: str
    operation_name: str
    message_id: str
    subject: str
    author: str


def unread_alerts(profile: Any, limit: int = 20) -> list[AlertRow]:
    """Newest unread alerts written by others, across operations (writer thread)."""
    rows = profile.store.query(
        "SELECT m.operation_id, o.name, m.message_id, m.subject, coalesce(p.name, m.author) "
        "FROM messages m JOIN operations o ON o.operation_id = m.operation_id "
        "LEFT JOIN members p ON p.operation_id = m.operation_id AND p.device_id = m.author "
        "WHERE m.kind = 'alert' AND m.read = 0 AND m.author != ? "
        "ORDER BY m.sent_hlc DESC LIMIT ?",
        (profile.device_id, limit),
    )
    return [AlertRow(str(a), str(b), str(c), str(d), str(e)) for a, b, c, d, e in rows]


def days_left(ends_at: str | None, today: dt.date | None = None) -> int | None:
    """Days until the planned end (negative once past); None without an end date."""
    if not ends_at:
        return None
    try:
        end = dt.date.fromisoformat(ends_at[:10])
    except ValueError:
        return None
    return (end - (today or dt.date.today())).days
