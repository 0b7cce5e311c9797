"""Scenario tests: the real ``cordon`` CLI in subprocesses (one --home per person) against the
real ``cordon-relay serve`` on a free loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sync.store import keyfile
from tests.sync.relay.conftest import RelayProcess

COUNTRIES = {"C": "FR", "A": "NG", "B": "BR", "D": "DE", "E": "ES"}


class Person:
    """One participant's profile folder, driven through the ``cordon`` command."""

    def __init__(self, name: str, home: Path) -> None:
        self.name = name
        self.home = home
        self.device_id = ""
        self.fingerprint = ""

    def env(self) -> dict[str, str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("CORDON_")}
        environ[keyfile.TEST_MEMORY_ENV] = "256"  # test-only cheap Argon2id
        environ["CORDON_PASSPHRASE"] = f"passphrase of {self.name}"
        return environ

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop.main", *args, "--home", str(self.home), "--json"],
            capture_output=True,
            text=True,
            env=self.env(),
            check=False,
            timeout=timeout,
        )

    def ok(self, *args: str, timeout: float = 300) -> Any:
        done = self.run(*args, timeout=timeout)
        assert done.returncode == 0, f"{self.name} {args}: {done.stderr}"
        return json.loads(done.stdout)

    def fails(self, *args: str) -> str:
        done = self.run(*args)
        assert done.returncode == 1, f"{self.name} {args} should fail: {done.stdout} {done.stderr}"
        return done.stderr

    def init(self) -> Person:
        me = self.ok(
            "init", "--name", f"Officer {self.name}", "--agency", f"Agency {self.name}",
            "--country", COUNTRIES.get(self.name, "FR"),
        )
        self.device_id, self.fingerprint = me["device_id"], me["fingerprint"]
        return self


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayProcess]:
    process = RelayProcess(tmp_path / "relay").start()
    yield process
    process.stop()


@pytest.fixture
def people(tmp_path: Path) -> dict[str, Person]:
    return {name: Person(name, tmp_path / name) for name in "CABDE"}


def start_operation(relay: RelayProcess, people: dict[str, Person], members: str = "AB") -> str:
    """C creates an operation; each of ``members`` joins and is admitted. Returns its id."""
    c = people["C"].init()
    op = c.ok("op", "create", "--name", "Operation Lantern", "--relay", relay.url,
              "--templates", "seizure-short,person", "--ends", "2027-03-31")["operation_id"]
    for name in members:
        person = people[name].init()
        code = c.ok("op", "invite", op)["invite"]
        assert person.ok("op", "join", code)["status"] == "pending"
        c.ok("op", "admit", op, person.device_id)
        assert person.ok("sync", op)["status"] == "active"
    return str(op)
