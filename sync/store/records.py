"""Records and their revisions.

Creating, changing and erasing a record are written to the audit log in the same transaction
(collection, alteration, erasure); ``view`` logs a consultation. Exports and transfers are
logged by the code that performs them (disclosure).

A record's current state is kept merged; every revision (local or received) is kept too, so
the history and any conflict can be shown. Concurrent edits resolve per field by HLC: a
revision's value for a field wins when its HLC is later than the one that last set the field.
Applying the same revision twice (relay and file) changes nothing.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sync.store import audit
from sync.store.ids import new_id

if TYPE_CHECKING:
    from sync.store.db import Store

STATUS_KEY = "@status"  # the status's own clock inside field_hlc
PRIVATE_PREFIX = "private-draft/"  # settings key per draft kept on its author's device


def _private_key(operation_id: str, record_id: str) -> str:
    return f"{PRIVATE_PREFIX}{operation_id}/{record_id}"


@dataclass(frozen=True)
class Record:
    operation_id: str
    record_id: str
    template_id: str
    template_version: int
    status: str
    author: str
    fields: dict[str, Any]
    field_hlc: dict[str, str]
    revision: int
    created_hlc: str
    updated_hlc: str


@dataclass(frozen=True)
class NewRecord:
    """A record to create (``Records.create_many``): its first revision sets every field."""

    template_id: str
    template_version: int
    fields: dict[str, Any]
    hlc: str
    record_id: str | None = None
    status: str = "draft"
    revision_id: str | None = None


@dataclass(frozen=True)
class Revision:
    record_id: str
    revision: int
    revision_id: str
    author: str
    hlc: str
    status: str | None
    changes: dict[str, Any]
    comment: str | None
    conflict: bool = False


_COLUMNS = (
    "operation_id, record_id, template_id, template_version, status, author, fields, "
    "field_hlc, revision, created_hlc, updated_hlc"
)


_REVISIONS_SQL = (
    "SELECT record_id, revision, revision_id, author, hlc, status, changes, comment, conflict "
    "FROM record_revisions WHERE operation_id = ? AND record_id = ? ORDER BY "
)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class Records:
    def __init__(self, store: Store) -> None:
        self._store = store

    def create(
        self,
        operation_id: str,
        template_id: str,
        template_version: int,
        fields: dict[str, Any],
        author: str,
        hlc: str,
        *,
        record_id: str | None = None,
        status: str = "draft",
        revision_id: str | None = None,
    ) -> Record:
        """Insert a new record with its first revision (all fields) in one transaction."""
        new = NewRecord(template_id, template_version, fields, hlc, record_id, status, revision_id)
        return self.create_many(operation_id, author, [new])[0]

    def create_many(self, operation_id: str, author: str, new: Sequence[NewRecord]) -> list[Record]:
        """``create`` for each of ``new``, in three statements (records, revisions, audit):
        all or nothing, an IntegrityError if a record or revision id is taken."""
        made = []
        records = []
        revisions = []
        for item in new:
            record_id = item.record_id or new_id()
            field_hlc = {name: item.hlc for name in item.fields}
            field_hlc[STATUS_KEY] = item.hlc
            text = _dumps(item.fields)
            records.append(
                (
                    operation_id,
                    record_id,
                    item.template_id,
                    item.template_version,
                    item.status,
                    author,
                    text,
                    _dumps(field_hlc),
                    item.hlc,
                    item.hlc,
                )
            )
            revisions.append(
                (
                    operation_id,
                    record_id,
                    item.revision_id or new_id(),
                    author,
                    item.hlc,
                    item.status,
                    text,
                )
            )
            made.append(
                Record(
                    operation_id,
                    record_id,
                    item.template_id,
                    item.template_version,
                    item.status,
                    author,
                    dict(item.fields),
                    field_hlc,
                    1,
                    item.hlc,
                    item.hlc,
                )
            )
        # One row needs no savepoint: its first failing statement leaves nothing behind that
        # the caller's transaction would not undo anyway (as before).
        atomic = self._store.savepoint("records") if len(made) > 1 else contextlib.nullcontext()
        with self._store.transaction(), atomic:
            self._store.executemany(
                f"INSERT INTO records ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",  # noqa: S608
                records,
            )
            self._store.executemany(
                "INSERT INTO record_revisions (operation_id, record_id, revision, revision_id, "
                "author, hlc, status, changes, comment) VALUES (?, ?, 1, ?, ?, ?, ?, ?, NULL)",
                revisions,
            )
            self._store.audit.append_many(
                [(audit.COLLECTION, record.record_id, operation_id) for record in made]
            )
        return made

    def apply(
        self,
        operation_id: str,
        record_id: str,
        changes: dict[str, Any],
        author: str,
        hlc: str,
        *,
        status: str | None = None,
        comment: str | None = None,
        revision_id: str | None = None,
        base: dict[str, str] | None = None,
    ) -> Revision | None:
        """Merge one revision, local or received (the one write path for a record's changes);
        returns it, or None when ``revision_id`` was applied before.

        ``base`` holds, for each field the revision touches, the clock of that field its author
        had seen; a later clock here that the author had not seen marks both revisions as a
        conflict (each kept in the history). Raises KeyError when the record does not exist.
        """
        revision_id = revision_id or new_id()
        seen_base = base or {}
        with self._store.transaction():
            seen = self._store.query_one(
                "SELECT 1 FROM record_revisions WHERE operation_id = ? AND revision_id = ?",
                (operation_id, revision_id),
            )
            if seen:
                return None
            current = self.get(operation_id, record_id)
            if current is None:
                raise KeyError(record_id)
            fields = dict(current.fields)
            clocks = dict(current.field_hlc)
            raced: set[str] = set()
            touched = dict(changes)
            if status is not None:
                touched[STATUS_KEY] = status
            for name, value in touched.items():
                clock = clocks.get(name, "")
                if clock != seen_base.get(name, clock) and clock > seen_base.get(name, ""):
                    raced.add(clock)  # a revision this editor had not seen set the field
                if hlc > clock:
                    clocks[name] = hlc
                    if name != STATUS_KEY:
                        fields[name] = value
            new_status = current.status
            if status is not None and clocks.get(STATUS_KEY) == hlc:
                new_status = status
            number = current.revision + 1
            self._store.execute(
                "UPDATE records SET fields = ?, field_hlc = ?, status = ?, revision = ?, "
                "updated_hlc = max(updated_hlc, ?) WHERE operation_id = ? AND record_id = ?",
                (_dumps(fields), _dumps(clocks), new_status, number, hlc, operation_id, record_id),
            )
            self._store.execute(
                "INSERT INTO record_revisions (operation_id, record_id, revision, revision_id, "
                "author, hlc, status, changes, comment, base, conflict) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    operation_id,
                    record_id,
                    number,
                    revision_id,
                    author,
                    hlc,
                    status,
                    _dumps(changes),
                    comment,
                    _dumps(seen_base),
                    int(bool(raced)),
                ),
            )
            for clock in raced:
                self._store.execute(
                    "UPDATE record_revisions SET conflict = 1 "
                    "WHERE operation_id = ? AND record_id = ? AND hlc = ?",
                    (operation_id, record_id, clock),
                )
            self._store.audit.append(audit.ALTERATION, record_id, operation_id)
        return Revision(
            record_id,
            number,
            revision_id,
            author,
            hlc,
            status,
            dict(changes),
            comment,
            bool(raced),
        )

    def revision_record(self, operation_id: str, revision_id: str) -> str | None:
        """The record a revision id belongs to, or None when no revision has that id."""
        row = self._store.query_one(
            "SELECT record_id FROM record_revisions WHERE operation_id = ? AND revision_id = ?",
            (operation_id, revision_id),
        )
        return None if row is None else str(row[0])

    def ids_starting(self, operation_id: str, prefix: str, *, limit: int = 2) -> list[str]:
        """Ids of records whose id starts with ``prefix`` (at most ``limit``)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._store.query(
            "SELECT record_id FROM records WHERE operation_id = ? AND record_id LIKE ? "
            "ESCAPE '\\' LIMIT ?",
            (operation_id, escaped + "%", limit),
        )
        return [str(row[0]) for row in rows]

    def get(self, operation_id: str, record_id: str) -> Record | None:
        row = self._store.query_one(
            f"SELECT {_COLUMNS} FROM records WHERE operation_id = ? AND record_id = ?",  # noqa: S608
            (operation_id, record_id),
        )
        return None if row is None else _record(row)

    def view(self, operation_id: str, record_id: str) -> Record | None:
        """``get`` for showing to a person: logged as a consultation (LED art. 25)."""
        record = self.get(operation_id, record_id)
        if record is not None:
            self._store.audit.append(audit.CONSULTATION, record_id, operation_id)
        return record

    def history(self, operation_id: str, record_id: str) -> list[Revision]:
        """A record's revisions in the order they were applied here."""
        return self._revisions(operation_id, record_id, "revision")

    def timeline(self, operation_id: str, record_id: str) -> list[Revision]:
        """A record's revisions in clock order (as the history is shown to a person)."""
        return self._revisions(operation_id, record_id, "hlc, revision")

    def _revisions(self, operation_id: str, record_id: str, order: str) -> list[Revision]:
        sql = _REVISIONS_SQL + order
        rows = self._store.query(
            sql,
            (operation_id, record_id),
        )
        return [
            Revision(r[0], int(r[1]), r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], bool(r[8]))
            for r in rows
        ]

    def list(
        self,
        operation_id: str,
        *,
        template_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Record]:
        """Records newest first, optionally of one template and/or status, paged."""
        sql, params = self._where(operation_id, template_id, status)
        sql = f"SELECT {_COLUMNS} FROM records {sql} ORDER BY updated_hlc DESC, id DESC"  # noqa: S608
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += (limit, offset)
        return [_record(row) for row in self._store.query(sql, params)]

    def count(
        self, operation_id: str, *, template_id: str | None = None, status: str | None = None
    ) -> int:
        sql, params = self._where(operation_id, template_id, status)
        row = self._store.query_one(f"SELECT count(*) FROM records {sql}", params)  # noqa: S608
        return int(row[0]) if row else 0

    # -- drafts kept on this device (sync.client.local sends nothing about them) -----------

    def keep_private(self, operation_id: str, record_id: str) -> None:
        """Mark ``record_id`` as a draft made here that is not to be sent until submitted."""
        self._store.settings.set(_private_key(operation_id, record_id), True)

    def is_private(self, operation_id: str, record_id: str) -> bool:
        """Whether ``record_id`` is a draft made here that has never been sent to anyone."""
        return bool(self._store.settings.get(_private_key(operation_id, record_id), False))

    def publish(self, operation_id: str, record_id: str) -> None:
        """The draft is being sent: it is no longer private."""
        self._store.settings.delete(_private_key(operation_id, record_id))

    def forget_private(self, operation_id: str) -> None:
        """Drop the private marks of an operation being erased."""
        prefix = f"{PRIVATE_PREFIX}{operation_id}/"
        self._store.execute(
            "DELETE FROM settings WHERE key >= ? AND key < ?", (prefix, prefix + "\uffff")
        )

    def erase(self, operation_id: str, record_id: str) -> bool:
        """Erase a record and its whole history (the search index follows by trigger)."""
        with self._store.transaction():
            self.publish(operation_id, record_id)
            cursor = self._store.execute(
                "DELETE FROM records WHERE operation_id = ? AND record_id = ?",
                (operation_id, record_id),
            )
            if cursor.rowcount:
                self._store.audit.append(audit.ERASURE, record_id, operation_id)
        return bool(cursor.rowcount)

    @staticmethod
    def _where(
        operation_id: str, template_id: str | None, status: str | None
    ) -> tuple[str, tuple[Any, ...]]:
        sql = "WHERE operation_id = ?"
        params: tuple[Any, ...] = (operation_id,)
        if template_id is not None:
            sql += " AND template_id = ?"
            params += (template_id,)
        if status is not None:
            sql += " AND status = ?"
            params += (status,)
        return sql, params


def _record(row: tuple[Any, ...]) -> Record:
    return Record(
        operation_id=row[0],
        record_id=row[1],
        template_id=row[2],
        template_version=int(row[3]),
        status=row[4],
        author=row[5],
        fields=json.loads(row[6]),
        field_hlc=json.loads(row[7]),
        revision=int(row[8]),
        created_hlc=row[9],
        updated_hlc=row[10],
    )
