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
from sync.services import roster
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
    unread = store.messages.unread_by_operation()
    alerts = store.messages.unread_by_operation("alert")
    outbox = store.outbox.unsent_counts()
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
    return list(profile.store.operations.verified(operation_id))


def mark_verified(engine: SyncEngine, operation_id: str, device_id: str) -> None:
    """Remember that the person compared this device's fingerprint (shown as a mark)."""
    engine.store.operations.add_verified(operation_id, device_id)


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
    """Admit under the one rule of ``sync.services.roster`` (the fingerprint compared, or an
    explicit unverified admission every member sees); a compared device is marked verified."""
    epoch = roster.admit(
        engine, operation_id, device_id, role, fingerprint=fingerprint, unverified=unverified
    )
    if not unverified:
        mark_verified(engine, operation_id, device_id)
    return epoch


def change_role(engine: SyncEngine, operation_id: str, device_id: str, role: str) -> int:
    """A new epoch whose roster gives the member another role (sync thread); the rules are
    ``sync.services.roster``'s, the same as ``cordon op role``."""
    return roster.change_role(engine, operation_id, device_id, role)


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
    return [
        AlertRow(a.operation_id, a.operation_name, a.message_id, a.subject, a.author_name)
        for a in profile.store.messages.unread_alerts(profile.device_id, limit)
    ]


def days_left(ends_at: str | None, today: dt.date | None = None) -> int | None:
    """Days until the planned end (negative once past); None without an end date."""
    if not ends_at:
        return None
    try:
        end = dt.date.fromisoformat(ends_at[:10])
    except ValueError:
        return None
    return (end - (today or dt.date.today())).days
