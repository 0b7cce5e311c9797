"""`cordon templates list`: the shipped templates, as a table or as JSON."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop.main", *args],
                          capture_output=True, text=True, check=False)


def test_templates_list_json() -> None:
    result = run("templates", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    ids = {row["id"] for row in rows}
    assert {"seizure-long", "seizure-short", "person", "company", "vehicle", "vessel",
            "container", "document"} <= ids
    assert all(set(row) == {"id", "version", "title"} for row in rows)
    assert all(isinstance(row["version"], int) for row in rows)


def test_templates_list_table() -> None:
    result = run("--json", "templates", "list")
    assert result.returncode == 0 and json.loads(result.stdout)
    table = run("templates", "list")
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split() == ["ID", "VERSION", "TITLE"]
    assert "Seizure report (short form)" in table.stdout


def test_templates_of_an_operation_is_a_clear_refusal_for_now() -> None:
    result = run("templates", "list", "op-1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
