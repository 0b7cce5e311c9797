"""`cordon-relay`: configuration errors, one relay per SQLite data folder, migrate, backup."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from sync.primitives.identity import Identity
from tests.sync.relay.conftest import Postgres, RelayProcess, make_operation


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync.relay.cli", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bad_configuration_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "relay.toml"
    config.write_text("[relay]\nport = 'eighty'\n")
    result = _serve("--data", str(tmp_path / "d"), "--config", str(config))
    assert result.returncode == 2
    assert "port" in result.stderr and "Traceback" not in result.stderr


def test_second_relay_on_the_same_data_folder_is_refused(tmp_path: Path) -> None:
    first = RelayProcess(tmp_path / "data").start()
    try:
        result = _serve("--data", str(tmp_path / "data"), "--port", "0")
        assert result.returncode == 1
        assert "already using" in result.stderr
    finally:
        first.stop()


def _relay_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync.relay.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_migrate_creates_then_finds_nothing_to_do(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _relay_cli("migrate", "--data", str(data))
    assert first.returncode == 0, first.stderr
    assert "schema version 3" in first.stdout
    again = _relay_cli("migrate", "--data", str(data))
    assert again.returncode == 0 and "schema version 3" in again.stdout
    with sqlite3.connect(data / "relay.db") as conn:
        versions = conn.execute("SELECT version FROM schema_migrations").fetchall()
    assert versions == [(1,), (2,), (3,)]


def test_migrate_on_postgresql(postgres: Postgres) -> None:
    result = _relay_cli("migrate", "--database-url", postgres.url)
    assert result.returncode == 0, result.stderr
    assert "schema version 3" in result.stdout


def test_backup_of_a_running_relay_holds_its_operation(
    tmp_path: Path, people: dict[str, Identity]
) -> None:
    data = tmp_path / "data"
    relay = RelayProcess(data).start()
    try:
        op = make_operation(relay, people)
        result = _relay_cli("backup", "--data", str(data), "--to", str(tmp_path / "copy"))
        assert result.returncode == 0, result.stderr
        again = _relay_cli("backup", "--data", str(data), "--to", str(tmp_path / "copy"))
        assert again.returncode == 1 and "already exists" in again.stderr
    finally:
        relay.stop()
    copy = tmp_path / "copy"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o700
    with sqlite3.connect(copy / "relay.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        count = conn.execute("SELECT count(*) FROM commits").fetchone()[0]
    assert count >= 1
    # The copy serves: a relay started on it knows the operation.
    restored = RelayProcess(copy).start()
    try:
        client = restored.client(people["coord"])
        assert len(client.commits(op.id, after=-1)) == 2
    finally:
        restored.stop()


def test_backup_of_a_postgresql_relay_points_to_pg_dump(postgres: Postgres) -> None:
    result = _relay_cli("backup", "--database-url", postgres.url, "--to", "/nonexistent/x")
    assert result.returncode == 2
    assert "pg_dump" in result.stderr
