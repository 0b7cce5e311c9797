"""Operations this profile takes part in, their members (the roster) and epoch secrets."""

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
    data: dict[str, Any] = field(default_factory=dict)


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
    "ends_at, created_at, data"
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
        """Insert or replace an operation's row."""
        self._store.execute(
            f"INSERT INTO operations ({_OP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608 - fixed column list
            "ON CONFLICT (operation_id) DO UPDATE SET name = excluded.name, role = excluded.role, "
            "status = excluded.status, relay_url = excluded.relay_url, "
            "templates = excluded.templates, coordinator = excluded.coordinator, "
            "current_epoch = excluded.current_epoch, ends_at = excluded.ends_at, "
            "data = excluded.data",
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
                json.dumps(op.data, ensure_ascii=False),
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

    def add_epoch(
        self,
        operation_id: str,
        epoch: int,
        secret: bytes,
        commit_hash: bytes | None = None,
        commit_blob: bytes | None = None,
    ) -> None:
        """Keep an epoch secret; the operation's current epoch moves forward, never back."""
        with self._store.transaction():
            self._store.execute(
                "INSERT INTO epochs (operation_id, epoch, secret, commit_hash, commit_blob, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (operation_id, epoch, secret, commit_hash, commit_blob, utc_now()),
            )
            self._store.execute(
                "UPDATE operations SET current_epoch = max(current_epoch, ?) "
                "WHERE operation_id = ?",
                (epoch, operation_id),
            )

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
        data=json.loads(row[10]),
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
