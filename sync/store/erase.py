"""Erasing an operation from the store so that nothing of it can be read back, key in hand.

Deleting rows is not enough in SQLite: the full-text indexes keep a deleted row's terms in their
segments until those are merged (FTS5 only adds a "delete" marker), freed pages and the unused
space inside pages keep old cells, and the WAL keeps earlier images of every page written. So
``erase_operation``:

1. deletes every row of the operation with ``PRAGMA secure_delete`` on (freed space zeroed);
2. blanks the operation's own row, which stays as a tombstone (id, role, status ``shredded``)
   so that the relay's and sync files' later mentions of the id are recognised and refused;
3. rebuilds both FTS5 indexes (unicode61 and trigram) from what ``search_content`` still holds,
   which drops every segment that held the erased terms;
4. runs VACUUM, which rewrites the database without free pages or stale cell space;
5. checkpoints the WAL and truncates it to zero bytes.

Steps 3-5 rewrite the whole store (all operations): seconds on a very large one. A reader on
another connection can hold the WAL open; the checkpoint is then retried for a short while, and
``erase_operation`` says whether the WAL was emptied.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sync.store import audit, drafts

if TYPE_CHECKING:
    from sync.store.db import Store

# Every table that holds rows of an operation, children before parents. search_content,
# record_values and search_pending follow the records, messages and library items by trigger.
OPERATION_TABLES = (
    "record_reads",
    "record_revisions",
    "records",
    "messages",
    "library_items",
    "members",
    "epochs",
    "outbox",
    "inbox_cursors",
    "applied_packages",
    "operation_invites",
    "pending_uploads",
    "verified_members",
)
# Tables whose rows of the operation stay: its own row (blanked to a tombstone) and the audit
# log (ids and actions only; append-only by design). Any other table with an operation_id
# column, including ones added by later migrations, is emptied of the operation's rows.
KEPT_TABLES = ("operations", "audit_log")
FTS_INDEXES = ("search_words", "search_trigram")
CHECKPOINT_TRIES = 50
CHECKPOINT_PAUSE = 0.1  # seconds between tries while another connection reads


def erase_operation(store: Store, operation_id: str, shredded_at: str) -> bool:
    """Erase every trace of ``operation_id`` from the store's files (see the module text).

    The caller deletes the operation's attachment files first. Returns True when the WAL was
    emptied too (False: another connection kept reading; the WAL is removed when the last
    connection to the store closes, as the desktop and the CLI do on exit).
    """
    store.execute("PRAGMA secure_delete = ON")  # freed pages and cells are zeroed
    with store.transaction():
        for table in operation_tables(store):
            store.execute(f"DELETE FROM {table} WHERE operation_id = ?", (operation_id,))  # noqa: S608 - names from the schema
        drafts.delete_operation(store, operation_id)  # the editor's unsaved forms
        store.records.forget_private(operation_id)  # marks of drafts never sent
        store.execute(
            "UPDATE operations SET name = '', relay_url = NULL, status = 'shredded', "
            "templates = '[]', coordinator = NULL, current_epoch = 0, ends_at = NULL, "
            "created_at = '', seq = 0, invited_by = NULL, closed_at = NULL, "
            "retention_days = NULL, invitation_head = NULL, relay_closed_at = NULL, "
            "shredded_at = ? WHERE operation_id = ?",
            (shredded_at, operation_id),
        )
        store.audit.append(audit.ERASURE, operation_id, operation_id)
    rebuild_search_indexes(store)
    store.execute("VACUUM")
    return empty_wal(store)


def operation_tables(store: Store) -> list[str]:
    """OPERATION_TABLES, then every other table of the schema with an ``operation_id``
    column (but KEPT_TABLES): a table added later cannot be forgotten here."""
    tables = list(OPERATION_TABLES)
    rows = store.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
    )
    for (name,) in rows:
        if name in tables or name in KEPT_TABLES:
            continue
        columns = {row[1] for row in store.query("SELECT * FROM pragma_table_info(?)", (name,))}
        if "operation_id" in columns:
            tables.append(name)
    return tables


def rebuild_search_indexes(store: Store) -> None:
    """Drop both FTS5 indexes' segments and index ``search_content`` again from scratch."""
    with store.transaction():
        for fts in FTS_INDEXES:
            store.execute(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")  # noqa: S608 - constants
        store.execute("DELETE FROM search_pending")


def empty_wal(store: Store) -> bool:
    """Copy the WAL into the database and truncate it to zero bytes; False if readers on
    other connections kept it from completing within a few seconds."""
    for _try in range(CHECKPOINT_TRIES):
        busy, _log, _done = store.query_one("PRAGMA wal_checkpoint(TRUNCATE)") or (1, 0, 0)
        if not busy:
            return True
        time.sleep(CHECKPOINT_PAUSE)
    return False
