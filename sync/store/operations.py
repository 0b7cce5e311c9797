"""Operations this profile takes part in, their members (the roster) and epoch secrets, and the
engine's typed state of each (sequence numbers, invitations, pending uploads, verified
devices, closing and retention; schema v8 replaced the free-form ``data`` column)."""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sync.store import audit
from sync.store.clock import utc_now

if TYPE_CHECKING:
    from sync.store.db import Store


@dataclass(frozen=True)
class Operation:
    operation_id: str
    name: str
    role: str
    status: str
    relay_url: str | None = None
    templates: list[Any] = field(default_factory=list)
    coordinator: str | None = None
    current_epoch: int = 0
    ends_at: str | None = None
    created_at: str = ""
    seq: int = 0  # the last per-sender sequence number this device used
    invited_by: str | None = None  # the coordinator whose invitation this device joined with
    closed_at: str | None = None
    retention_days: int | None = None  # None: the default retention
    shredded_at: str | None = None
    invitation_head: str | None = None  # the chain head the invitation was made on (hex)
    relay_closed_at: str | None = None  # the relay said "gone" without a closing commit


@dataclass(frozen=True)
class Invitation:
    """An invitation made here and not yet used: the joiner's role and the token its join
    request must prove (hex; it never leaves this profile)."""

    role: str
    token: str


@dataclass(frozen=True)
class PendingUpload:
    """A library file added here and not yet announced; ``url``/``blob`` once the upload was
    created on the relay (resumed from there)."""

    item_id: str
    url: str | None = None
    blob: str | None = None


@dataclass(frozen=True)
class Member:
    operation_id: str
    device_id: str
    public_key: bytes
    name: str
    role: str
    status: str
    agency: str = ""
    country: str = ""
    joined_at: str | None = None
    removed_at: str | None = None


@dataclass(frozen=True)
class Epoch:
    operation_id: str
    epoch: int
    secret: bytes
    commit_hash: bytes | None
    commit_blob: bytes | None
    created_at: str


_OP_COLUMNS = (
    "operation_id, name, role, status, relay_url, templates, coordinator, current_epoch, "
    "ends_at, created_at, seq, invited_by, closed_at, retention_days, shredded_at, "
    "invitation_head, relay_closed_at"
)
_MEMBER_COLUMNS = (
    "operation_id, device_id, public_key, name, role, status, agency, country, joined_at, "
    "removed_at"
)


class Operations:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- operations ------------------------------------------------------------------------

    def save(self, op: Operation) -> None:
        """Insert an operation's row, or update what describes it (name, role, status, relay,
        templates, coordinator, epoch, end). The engine state (sequence number, closing,
        invitations ...) changes only through its own methods, so a stale copy cannot undo it."""
        self._store.execute(
            f"INSERT INTO operations ({_OP_COLUMNS}) "  # noqa: S608 - fixed column list
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (operation_id) DO UPDATE SET name = excluded.name, role = excluded.role, "
            "status = excluded.status, relay_url = excluded.relay_url, "
            "templates = excluded.templates, coordinator = excluded.coordinator, "
            "current_epoch = excluded.current_epoch, ends_at = excluded.ends_at",
            (
                op.operation_id,
                op.name,
                op.role,
                op.status,
                op.relay_url,
                json.dumps(op.templates, ensure_ascii=False),
                op.coordinator,
                op.current_epoch,
                op.ends_at,
                op.created_at or utc_now(),
                op.seq,
                op.invited_by,
                op.closed_at,
                op.retention_days,
                op.shredded_at,
                op.invitation_head,
                op.relay_closed_at,
            ),
        )

    def get(self, operation_id: str) -> Operation | None:
        row = self._store.query_one(
            f"SELECT {_OP_COLUMNS} FROM operations WHERE operation_id = ?",  # noqa: S608
            (operation_id,),
        )
        return None if row is None else _operation(row)

    def list(self) -> list[Operation]:
        rows = self._store.query(f"SELECT {_OP_COLUMNS} FROM operations ORDER BY created_at")  # noqa: S608
        return [_operation(row) for row in rows]

    def set_status(self, operation_id: str, status: str) -> None:
        self._store.execute(
            "UPDATE operations SET status = ? WHERE operation_id = ?", (status, operation_id)
        )

    # -- engine state ----------------------------------------------------------------------

    def next_seq(self, operation_id: str) -> int:
        """The next per-sender sequence number (call inside the transaction that uses it)."""
        row = self._store.query_one(
            "UPDATE operations SET seq = seq + 1 WHERE operation_id = ? RETURNING seq",
            (operation_id,),
        )
        return int(row[0]) if row else 1

    def set_closed(self, operation_id: str, closed_at: str, retention_days: int | None) -> None:
        """Remember when the operation was closed here and how long its copy is kept."""
        self._store.execute(
            "UPDATE operations SET closed_at = ?, retention_days = ? WHERE operation_id = ?",
            (closed_at, retention_days, operation_id),
        )

    def set_relay_closed(self, operation_id: str, at: str | None) -> None:
        """Remember (or forget, with None) that the relay said the operation is gone."""
        self._store.execute(
            "UPDATE operations SET relay_closed_at = ? WHERE operation_id = ?", (at, operation_id)
        )

    def set_retention(self, operation_id: str, retention_days: int | None) -> None:
        self._store.execute(
            "UPDATE operations SET retention_days = ? WHERE operation_id = ?",
            (retention_days, operation_id),
        )

    def mark_shredded(self, operation_id: str) -> None:
        """What remains of a shredded operation: its row, saying when; nothing it held."""
        with self._store.transaction():
            for table in ("operation_invites", "pending_uploads", "verified_members"):
                self._store.execute(
                    f"DELETE FROM {table} WHERE operation_id = ?",  # noqa: S608 - fixed names
                    (operation_id,),
                )
            self._store.execute(
                "UPDATE operations SET status = 'shredded', templates = '[]', coordinator = NULL, "
                "invited_by = NULL, invitation_head = NULL, shredded_at = ? WHERE operation_id = ?",
                (utc_now(), operation_id),
            )

    def invites(self, operation_id: str) -> dict[str, Invitation]:
        """Invitations made here and not yet used, by invitation id (hex)."""
        rows = self._store.query(
            "SELECT invitation_id, role, token FROM operation_invites WHERE operation_id = ?",
            (operation_id,),
        )
        return {str(i): Invitation(str(role), str(token)) for i, role, token in rows}

    def add_invite(self, operation_id: str, invitation_id: str, invitation: Invitation) -> None:
        self._store.execute(
            "INSERT INTO operation_invites (operation_id, invitation_id, role, token) "
            "VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO UPDATE SET role = excluded.role, token = excluded.token",
            (operation_id, invitation_id, invitation.role, invitation.token),
        )

    def drop_invite(self, operation_id: str, invitation_id: str) -> None:
        self._store.execute(
            "DELETE FROM operation_invites WHERE operation_id = ? AND invitation_id = ?",
            (operation_id, invitation_id),
        )

    def uploads(self, operation_id: str) -> builtins.list[PendingUpload]:
        """Library files added here and not yet announced, oldest first."""
        rows = self._store.query(
            "SELECT item_id, url, blob FROM pending_uploads WHERE operation_id = ? "
            "ORDER BY item_id",  # item ids begin with their creation time
            (operation_id,),
        )
        return [PendingUpload(str(i), u, b) for i, u, b in rows]

    def set_upload(self, operation_id: str, upload: PendingUpload) -> None:
        self._store.execute(
            "INSERT INTO pending_uploads (operation_id, item_id, url, blob) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO UPDATE SET url = excluded.url, blob = excluded.blob",
            (operation_id, upload.item_id, upload.url, upload.blob),
        )

    def drop_upload(self, operation_id: str, item_id: str) -> None:
        self._store.execute(
            "DELETE FROM pending_uploads WHERE operation_id = ? AND item_id = ?",
            (operation_id, item_id),
        )

    def verified(self, operation_id: str) -> builtins.list[str]:
        """Devices whose fingerprint the person compared here."""
        rows = self._store.query(
            "SELECT device_id FROM verified_members WHERE operation_id = ? ORDER BY device_id",
            (operation_id,),
        )
        return [str(row[0]) for row in rows]

    def add_verified(self, operation_id: str, device_id: str) -> None:
        self._store.execute(
            "INSERT INTO verified_members (operation_id, device_id) VALUES (?, ?) "
            "ON CONFLICT DO NOTHING",
            (operation_id, device_id),
        )

    def delete(self, operation_id: str) -> None:
        """Remove an operation and, by cascade, everything it holds (erasure at close)."""
        with self._store.transaction():
            cursor = self._store.execute(
                "DELETE FROM operations WHERE operation_id = ?", (operation_id,)
            )
            if cursor.rowcount:
                self._store.audit.append(audit.ERASURE, operation_id, operation_id)

    # -- members ---------------------------------------------------------------------------

    def save_member(self, member: Member) -> None:
        self._store.execute(
            f"INSERT INTO members ({_MEMBER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
            "ON CONFLICT (operation_id, device_id) DO UPDATE SET public_key = excluded.public_key, "
            "name = excluded.name, role = excluded.role, status = excluded.status, "
            "agency = excluded.agency, country = excluded.country, "
            "joined_at = excluded.joined_at, removed_at = excluded.removed_at",
            (
                member.operation_id,
                member.device_id,
                member.public_key,
                member.name,
                member.role,
                member.status,
                member.agency,
                member.country,
                member.joined_at,
                member.removed_at,
            ),
        )

    def members(self, operation_id: str, status: str | None = None) -> builtins.list[Member]:
        sql = f"SELECT {_MEMBER_COLUMNS} FROM members WHERE operation_id = ?"  # noqa: S608
        params: tuple[Any, ...] = (operation_id,)
        if status is not None:
            sql += " AND status = ?"
            params += (status,)
        return [_member(row) for row in self._store.query(sql + " ORDER BY name", params)]

    def member(self, operation_id: str, device_id: str) -> Member | None:
        row = self._store.query_one(
            f"SELECT {_MEMBER_COLUMNS} FROM members WHERE operation_id = ? AND device_id = ?",  # noqa: S608
            (operation_id, device_id),
        )
        return None if row is None else _member(row)

    # -- epochs ----------------------------------------------------------------------------

    def epoch(self, operation_id: str, epoch: int) -> Epoch | None:
        row = self._store.query_one(
            "SELECT operation_id, epoch, secret, commit_hash, commit_blob, created_at "
            "FROM epochs WHERE operation_id = ? AND epoch = ?",
            (operation_id, epoch),
        )
        return None if row is None else _epoch(row)

    def latest_epoch(self, operation_id: str) -> Epoch | None:
        row = self._store.query_one(
            "SELECT operation_id, epoch, secret, commit_hash, commit_blob, created_at "
            "FROM epochs WHERE operation_id = ? ORDER BY epoch DESC LIMIT 1",
            (operation_id,),
        )
        return None if row is None else _epoch(row)

    def epochs(self, operation_id: str) -> builtins.list[Epoch]:
        rows = self._store.query(
            "SELECT operation_id, epoch, secret, commit_hash, commit_blob, created_at "
            "FROM epochs WHERE operation_id = ? ORDER BY epoch",
            (operation_id,),
        )
        return [_epoch(row) for row in rows]


def _operation(row: tuple[Any, ...]) -> Operation:
    return Operation(
        operation_id=row[0],
        name=row[1],
        role=row[2],
        status=row[3],
        relay_url=row[4],
        templates=json.loads(row[5]),
        coordinator=row[6],
        current_epoch=int(row[7]),
        ends_at=row[8],
        created_at=row[9],
        seq=int(row[10]),
        invited_by=row[11],
        closed_at=row[12],
        retention_days=None if row[13] is None else int(row[13]),
        shredded_at=row[14],
        invitation_head=row[15],
        relay_closed_at=row[16],
    )


def _member(row: tuple[Any, ...]) -> Member:
    return Member(
        operation_id=row[0],
        device_id=row[1],
        public_key=bytes(row[2]),
        name=row[3],
        role=row[4],
        status=row[5],
        agency=row[6],
        country=row[7],
        joined_at=row[8],
        removed_at=row[9],
    )


def _epoch(row: tuple[Any, ...]) -> Epoch:
    return Epoch(
        operation_id=row[0],
        epoch=int(row[1]),
        secret=bytes(row[2]),
        commit_hash=None if row[3] is None else bytes(row[3]),
        commit_blob=None if row[4] is None else bytes(row[4]),
        created_at=row[5],
    )
