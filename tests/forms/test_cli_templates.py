"""`cordon templates list`: the shipped templates, as a table or as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PASSPHRASE = "correct horse battery staple"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.main", *args], capture_output=True, text=True, check=False
    )


def test_templates_list_json() -> None:
    result = run("templates", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    ids = {row["id"] for row in rows}
    assert {
        "seizure-long",
        "seizure-short",
        "person",
        "company",
        "vehicle",
        "vessel",
        "container",
        "document",
    } <= ids
    assert all(set(row) == {"id", "version", "title"} for row in rows)
    assert all(isinstance(row["version"], int) for row in rows)


def test_templates_list_table() -> None:
    result = run("--json", "templates", "list")
    assert result.returncode == 0 and json.loads(result.stdout)
    table = run("templates", "list")
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split() == ["ID", "VERSION", "TITLE"]
    assert "Seizure report (short form)" in table.stdout


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real encrypted profile holding two operations, one with a full template set."""
    from forms.templateset import TemplateSet
    from sync.store import profile
    from sync.store.operations import Operation

    folder = tmp_path_factory.mktemp("forms-cli") / "profile"
    with profile.create(folder, PASSPHRASE, "Amina Diallo", "Douanes", "SN") as p:
        full = TemplateSet.from_builtin(["seizure-short", "person"], {"person": ["aliases"]})
        p.store.operations.save(
            Operation(
                "op-full",
                "COCAIR VI",
                "coordinator",
                "active",
                templates=[full.to_dict()][0]["templates"],
            )
        )
        p.store.operations.save(
            Operation(
                "op-ids", "Thunder", "participant", "active", templates=["seizure-long", "vessel"]
            )
        )
    return folder


def run_in(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CORDON_PASSPHRASE": PASSPHRASE}
    return subprocess.run(
        [sys.executable, "-m", "desktop.main", "--home", str(home), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_templates_of_an_operation(home: Path) -> None:
    result = run_in(home, "templates", "list", "op-full", "--json")
    assert result.returncode == 0, result.stderr
    assert [row["id"] for row in json.loads(result.stdout)] == ["seizure-short", "person"]
    result = run_in(home, "templates", "list", "op-ids", "--json")
    assert [row["id"] for row in json.loads(result.stdout)] == ["seizure-long", "vessel"]


def test_unknown_operation_or_profile_is_one_sentence(home: Path, tmp_path: Path) -> None:
    for result in (
        run_in(home, "templates", "list", "op-nope"),
        run_in(tmp_path / "none", "templates", "list", "op-full"),
    ):
        assert result.returncode == 1
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
