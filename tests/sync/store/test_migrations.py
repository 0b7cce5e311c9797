"""Every migration runs on a database holding data of the version before it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from sync.errors import CordonError
from sync.store import migrations
from sync.store.db import Store, apply_key
from sync.store.operations import Invitation

KEY = os.urandom(32)


def raw(path: Path) -> Any:
    conn = sqlcipher.connect(str(path), isolation_level=None)
    apply_key(conn, KEY)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def fill_v1(conn: Any) -> None:
    """Data as a v1 profile holds it (written with v1's SQL, not today's code)."""
    conn.executescript(
        """
        INSERT INTO operations (operation_id, name, role, status, created_at)
        VALUES ('op', 'Cocair', 'coordinator', 'active', '2026-01-01T00:00:00Z');
        INSERT INTO records (operation_id, record_id, template_id, template_version, status,
            author, fields, revision, created_hlc, updated_hlc)
        VALUES ('op', 'r1', 'seizure', 1, 'draft', 'dev',
                '{"place": "Aéroport de Lomé", "note": "海关查获可卡因", "qty": 12.5}',
                1, 'h1', 'h1');
        INSERT INTO messages (operation_id, message_id, kind, author, subject, body, sent_hlc,
            received_at)
        VALUES ('op', 'm1', 'alert', 'dev', 'Alerte', 'ضبطت الجمارك المخدرات', 'h2', 'now');
        INSERT INTO library_items (operation_id, item_id, title, size, sha256, author, added_hlc)
        VALUES ('op', 'l1', 'Photo conteneur MSCU1234565', 10, 'ab', 'dev', 'h3');
        """
    )


def check_v2(store: Store) -> None:
    assert {h.id for h in store.search("Lome", "op")} == {"r1"}
    assert {h.id for h in store.search("可卡因", "op")} == {"r1"}
    assert {h.id for h in store.search("المخدرات", "op")} == {"m1"}
    assert {h.id for h in store.search("conteneur", "op")} == {"l1"}
    record = store.records.get("op", "r1")
    assert record is not None and record.fields["qty"] == 12.5


def fill_v2(conn: Any) -> None:
    fill_v1(conn)
    conn.execute(
        "INSERT INTO records (operation_id, record_id, template_id, template_version, status, "
        "author, fields, revision, created_hlc, updated_hlc) "
        "VALUES ('op', 'r2', 'person', 1, 'draft', 'dev', '{\"name\": \"Kofi\"}', 1, 'h4', 'h4')"
    )


def check_v3(store: Store) -> None:
    assert [r.record_id for r in store.records.list("op")] == ["r2", "r1"]
    assert {h.id for h in store.search("Kofi", "op")} == {"r2"}
    plan = " ".join(
        str(row[-1])
        for row in store.query(
            "EXPLAIN QUERY PLAN SELECT * FROM records WHERE operation_id = 'op' "
            "ORDER BY updated_hlc DESC, id DESC LIMIT 50"
        )
    )
    assert "records_by_updated" in plan and "TEMP B-TREE" not in plan


def fill_v3(conn: Any) -> None:
    fill_v2(conn)
    conn.execute(
        "INSERT INTO record_revisions (operation_id, record_id, revision, revision_id, author, "
        "hlc, status, changes) VALUES ('op', 'r1', 1, 'rev1', 'dev', 'h1', 'draft', '{}')"
    )


def check_v4(store: Store) -> None:
    """v4 (sync engine): revisions gain ``base`` and ``conflict``; earlier data stays."""
    row = store.query_one("SELECT base, conflict FROM record_revisions WHERE revision_id = 'rev1'")
    assert row == ("{}", 0)
    check_v3(store)


def fill_v4(conn: Any) -> None:
    fill_v3(conn)


def check_v5(store: Store) -> None:
    """v5: read marks for the case list, empty at first; earlier data stays."""
    assert store.query("SELECT * FROM record_reads") == []
    store.execute(
        "INSERT INTO record_reads (operation_id, record_id, revision) VALUES ('op', 'r1', 1)"
    )
    check_v4(store)


def fill_v5(conn: Any) -> None:
    fill_v4(conn)
    conn.execute(
        "INSERT INTO records (operation_id, record_id, template_id, template_version, status, "
        "author, fields, revision, created_hlc, updated_hlc) VALUES ('op', 'r3', 'person', 1, "
        '\'draft\', \'dev\', \'{"nationality":["NG","GH",null],"handling_code":"H2",'
        '"armed":true,"gone":null,"qty":3}\', 1, \'h5\', \'h5\')'
    )


def check_v6(store: Store) -> None:
    """v6: every record's top-level values indexed in record_values, kept by triggers."""

    def values(record_id: str) -> set[tuple[Any, ...]]:
        rows = store.query(
            "SELECT v.field, v.part, v.value FROM record_values v JOIN records r "
            "ON r.id = v.record WHERE r.operation_id = 'op' AND r.record_id = ?",
            (record_id,),
        )
        return {tuple(row) for row in rows}

    assert values("r1") == {
        ("place", 0, "Aéroport de Lomé"),
        ("note", 0, "海关查获可卡因"),
        ("qty", 0, 12.5),
    }
    assert values("r2") == {("name", 0, "Kofi")}
    assert values("r3") == {
        ("nationality", 0, '["NG","GH",null]'),
        ("nationality", 1, "NG"),
        ("nationality", 1, "GH"),
        ("handling_code", 0, "H2"),
        ("armed", 0, 1),
        ("qty", 0, 3),
    }
    scope = store.query("SELECT DISTINCT operation_id, template_id FROM record_values")
    assert sorted(scope) == [("op", "person"), ("op", "seizure")]
    store.records.apply("op", "r3", {"nationality": ["PT"], "qty": None}, "dev", "h6")
    assert values("r3") == {
        ("nationality", 0, '["PT"]'),
        ("nationality", 1, "PT"),
        ("handling_code", 0, "H2"),
        ("armed", 0, 1),
    }
    store.records.erase("op", "r3")
    assert store.query("SELECT count(*) FROM record_values WHERE value IN ('H2', 'PT')") == [(0,)]
    check_v5(store)


def fill_v6(conn: Any) -> None:
    """v6 data with v2's triggers feeding the indexes row by row, an edit and an erasure too."""
    fill_v5(conn)
    conn.executescript(
        """
        UPDATE records SET fields = '{"name": "Kwame", "vessel": "MSC Aurora"}'
        WHERE record_id = 'r2';
        INSERT INTO records (operation_id, record_id, template_id, template_version, status,
            author, fields, revision, created_hlc, updated_hlc)
        VALUES ('op', 'r9', 'person', 1, 'draft', 'dev', '{"name": "Ama"}', 1, 'h5', 'h5');
        DELETE FROM records WHERE record_id = 'r9';
        """
    )


def check_v7(store: Store) -> None:
    """v7 (bulk indexing): what v2's triggers indexed is found as before, nothing is
    pending, both indexes match the content, and later changes are indexed at commit."""
    assert store.query("SELECT * FROM search_pending") == []
    for fts in ("search_words", "search_trigram"):
        store.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
    assert {h.id for h in store.search("Aurora", "op")} == {"r2"}
    assert {h.id for h in store.search("Kofi", "op")} == set()
    assert {h.id for h in store.search("Ama", "op")} == set()
    with store.transaction():
        store.records.apply("op", "r2", {"vessel": "MSC Borealis"}, "dev", "h6")
        store.records.erase("op", "r1")
    assert store.query("SELECT * FROM search_pending") == []
    assert {h.id for h in store.search("Borealis", "op")} == {"r2"}
    assert {h.id for h in store.search("Aurora", "op")} == set()
    assert {h.id for h in store.search("可卡因", "op")} == set()
    assert {h.id for h in store.search("المخدرات", "op")} == {"m1"}
    for fts in ("search_words", "search_trigram"):
        store.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")  # noqa: S608


def fill_v7(conn: Any) -> None:
    """v7 data with the engine's state in the free-form ``operations.data`` JSON, as v7's code
    wrote it: a joined operation with invitations, uploads, verified devices, then a closed one
    and a shredded one."""
    fill_v6(conn)
    conn.executescript(
        """
        UPDATE operations SET data = '{"seq": 41, "invited_by": "c0ffee",
            "invites": {"aa11": "observer", "bb22": "participant"},
            "uploads": {"l1": {}, "l2": {"url": "http://relay/u/1", "blob": "b1"}},
            "verified": ["dev-b", "dev-c"]}'
        WHERE operation_id = 'op';
        INSERT INTO operations (operation_id, name, role, status, created_at, data)
        VALUES ('closed', 'Tide', 'participant', 'closed', '2026-01-01T00:00:00Z',
                '{"seq": 3, "closed_at": "2026-02-01T10:00:00Z", "retention_days": 14}');
        INSERT INTO operations (operation_id, name, role, status, created_at, data)
        VALUES ('gone', 'Ash', 'participant', 'shredded', '2026-01-01T00:00:00Z',
                '{"shredded_at": "2026-03-01T00:00:00Z"}');
        """
    )


def check_v8(store: Store) -> None:
    """v8: the engine state moved into typed columns and tables, ``data`` is gone, and the
    typed state works on (sequence numbers go on from where they were)."""
    columns = {str(row[1]) for row in store.query("PRAGMA table_info(operations)")}
    assert "data" not in columns
    op = store.operations.get("op")
    assert op is not None and (op.seq, op.invited_by, op.closed_at) == (41, "c0ffee", None)
    # v7 invitations (a token hash the relay knew) cannot be answered under protocol 2
    assert store.operations.invites("op") == {}
    assert [(u.item_id, u.url, u.blob) for u in store.operations.uploads("op")] == [
        ("l1", None, None),
        ("l2", "http://relay/u/1", "b1"),
    ]
    assert store.operations.verified("op") == ["dev-b", "dev-c"]
    closed = store.operations.get("closed")
    assert closed is not None
    assert (closed.seq, closed.closed_at, closed.retention_days) == (3, "2026-02-01T10:00:00Z", 14)
    gone = store.operations.get("gone")
    assert gone is not None and gone.shredded_at == "2026-03-01T00:00:00Z"
    with store.transaction():
        assert store.operations.next_seq("op") == 42
    store.operations.add_invite("op", "aa11", Invitation("observer", "t0ken"))
    assert store.operations.invites("op") == {"aa11": Invitation("observer", "t0ken")}
    store.operations.drop_invite("op", "aa11")
    assert store.operations.invites("op") == {}
    check_v7(store)


# For each version N: how to fill a database at N-1, and what must hold after migrating to N.
FILLERS: dict[int, Callable[[Any], None]] = {
    1: lambda conn: None,
    2: fill_v1,
    3: fill_v2,
    4: fill_v3,
    5: fill_v4,
    6: fill_v5,
    7: fill_v6,
    8: fill_v7,
}
CHECKS: dict[int, Callable[[Store], None]] = {
    1: lambda store: None,
    2: check_v2,
    3: check_v3,
    4: check_v4,
    5: check_v5,
    6: check_v6,
    7: check_v7,
    8: check_v8,
}


def test_every_migration_has_an_upgrade_test() -> None:
    assert set(FILLERS) == set(CHECKS) == {m.version for m in migrations.MIGRATIONS}


@pytest.mark.parametrize("version", [m.version for m in migrations.MIGRATIONS])
def test_upgrade_from_previous_version_with_data(tmp_path: Path, version: int) -> None:
    path = tmp_path / "store.db"
    conn = raw(path)
    migrations.migrate(conn, target=version - 1)
    assert migrations.user_version(conn) == version - 1
    FILLERS[version](conn)
    assert migrations.migrate(conn) == list(range(version, migrations.LATEST_VERSION + 1))
    conn.close()
    with Store.open(path, KEY) as store:
        assert store.schema_version() == migrations.LATEST_VERSION
        CHECKS[version](store)


def test_failed_migration_leaves_previous_version(tmp_path: Path) -> None:
    conn = raw(tmp_path / "store.db")
    migrations.migrate(conn, target=1)
    broken = migrations.Migration(2, "broken", "CREATE TABLE x (a); SELECT nonsense FROM nowhere;")
    with pytest.raises(sqlcipher.DatabaseError):
        migrations.apply(conn, broken)
    assert migrations.user_version(conn) == 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'x'").fetchone()[0] == 0


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    conn = raw(tmp_path / "store.db")
    migrations.migrate(conn)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(CordonError, match="newer version"):
        Store.open(tmp_path / "store.db", KEY)
