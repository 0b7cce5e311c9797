"""Scenario tests: the real ``cordon`` CLI in subprocesses (one --home per person) against the
real ``cordon-relay serve`` on a free loopback port."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sync.store import keyfile
from tests.sync.relay.conftest import UNLIMITED, RelayProcess, free_port

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
            "init",
            "--name",
            f"Officer {self.name}",
            "--agency",
            f"Agency {self.name}",
            "--country",
            COUNTRIES.get(self.name, "FR"),
        )
        self.device_id, self.fingerprint = me["device_id"], me["fingerprint"]
        return self


class FixedPortRelay(RelayProcess):
    """A relay that comes back on the same port after a stop (clients keep its URL)."""

    def __init__(self, data: Path) -> None:
        super().__init__(data)
        self.port = free_port()

    def start(self) -> FixedPortRelay:
        args = [sys.executable, "-m", "sync.relay.cli", "serve", "--data", str(self.data)]
        args += ["--host", "127.0.0.1", "--port", str(self.port)]
        env = {**os.environ, "CORDON_RELAY_RATE_PER_SECOND": "0", **UNLIMITED}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, env=env)
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline().decode()
            if line.startswith("listening on "):
                self.url = line.split()[-1]
                return self
            if not line and self.proc.poll() is not None:
                break
        raise RuntimeError("relay did not start: " + self.log_path.read_text(errors="replace"))


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[FixedPortRelay]:
    process = FixedPortRelay(tmp_path / "relay").start()
    yield process
    process.stop()


def relay_rows(relay: RelayProcess, operation_id: str) -> int:
    """Rows in the relay's database that belong to the operation (any table)."""
    op = bytes.fromhex(operation_id)
    conn = sqlite3.connect(relay.data / "relay.db")
    try:
        total = 0
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            for column in ("operation_id", "id"):
                if column in columns:
                    total += conn.execute(
                        f"SELECT count(*) FROM {table} WHERE {column} = ?",
                        (op,),  # noqa: S608
                    ).fetchone()[0]
        return int(total)
    finally:
        conn.close()


PERSON = [
    "--set",
    "family_name=Okafor",
    "--set",
    "role=courier",
    "--set",
    "handling_code=H1",
    "--set",
    "source_reliability=B",
    "--set",
    "information_accuracy=2",
]


def person_csv(path: Path, rows: int, prefix: str) -> Path:
    lines = ["family_name,role,handling_code,source_reliability,information_accuracy"]
    lines += [f"{prefix} {n:05d},courier,H1,B,2" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def people(tmp_path: Path) -> dict[str, Person]:
    return {name: Person(name, tmp_path / name) for name in "CABDE"}


def start_operation(relay: RelayProcess, people: dict[str, Person], members: str = "AB") -> str:
    """C creates an operation; each of ``members`` joins and is admitted. Returns its id."""
    c = people["C"].init()
    op = c.ok(
        "op",
        "create",
        "--name",
        "Operation Lantern",
        "--relay",
        relay.url,
        "--templates",
        "seizure-short,person",
        "--ends",
        "2027-03-31",
    )["operation_id"]
    for name in members:
        person = people[name].init()
        code = c.ok("op", "invite", op)["invite"]
        assert person.ok("op", "join", code)["status"] == "pending"
        c.ok("op", "admit", op, person.device_id, "--fingerprint", person.fingerprint)
        assert person.ok("sync", op)["status"] == "active"
    for name in members[:-1]:  # everyone learns the newest epoch before going about their work
        people[name].ok("sync", op)
    return str(op)
