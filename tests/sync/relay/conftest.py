"""Real relay processes on free loopback ports, a real PostgreSQL server, and test operations."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sync.client.relay_http import RelayClient
from sync.primitives.identity import Identity
from sync.protocol import (
    Commit,
    Member,
    OperationInfo,
    PackageHeader,
    add_members,
    assemble_package,
    create_genesis,
)
from sync.protocol.package import PACKAGE_VERSION

INFO = OperationInfo("Operation Lantern", "2027-03-31", "wco-standard-1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- relay processes ----------------------------------------------------------------------

# Tests create many operations from one device and one address; the policy limits have their
# own tests (test_policy.py), which set them explicitly.
UNLIMITED = {"CORDON_RELAY_CREATION_PER_HOUR": "0", "CORDON_RELAY_MAX_OPERATIONS_PER_DEVICE": "0"}


class RelayProcess:
    """``cordon-relay serve`` in a subprocess; JSON logs go to ``log_path``."""

    def __init__(
        self, data: Path, database_url: str | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.data = data
        self.database_url = database_url
        self.env = env or {}
        self.log_path = data.parent / f"{data.name}-relay.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> RelayProcess:
        args = [sys.executable, "-m", "sync.relay.cli", "serve", "--data", str(self.data)]
        args += ["--host", "127.0.0.1", "--port", "0"]
        if self.database_url:
            args += ["--database-url", self.database_url]
        env = {**os.environ, "CORDON_RELAY_RATE_PER_SECOND": "0", **UNLIMITED, **self.env}
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child writes to it
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, env=env)
        log.close()
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

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc = None
        return code

    def client(self, identity: Identity | None) -> RelayClient:
        return RelayClient(self.url, identity, timeout=30)


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_bin() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@dataclass
class Postgres:
    url: str
    port: int
    data: Path


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres system user
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL binaries (initdb, pg_ctl) on this machine")
    root = Path(tempfile.mkdtemp(prefix="cordon-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    os.chmod(root, 0o700)
    port = free_port()
    subprocess.run(
        _as_postgres(
            [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-N"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} "
        "-c max_connections=200 -c fsync=on"
    )
    subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-l",
                str(root / "server.log"),
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        subprocess.run(
            [
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "cordon",
            ],
            check=True,
        )
        yield Postgres(f"postgresql://postgres@127.0.0.1:{port}/cordon", port, data)
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


# --- relays per backend ---------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def relay(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RelayProcess]:
    """One relay per backend for a module; each test makes its own operation."""
    data = tmp_path_factory.mktemp("relay") / "data"
    url = None
    if request.param == "postgres":
        url = request.getfixturevalue("postgres").url
    process = RelayProcess(data, url).start()
    yield process
    process.stop()


# --- people and operations ------------------------------------------------------------------


@pytest.fixture(scope="session")
def people() -> dict[str, Identity]:
    return {name: Identity.generate() for name in ("coord", "part", "obs", "out", "part2")}


@dataclass
class Op:
    """A test operation: coordinator, participant, observer, and the commits posted so far."""

    people: dict[str, Identity]
    commits: list[Commit]
    secrets: list[bytes]
    seq: int = 0

    @property
    def id(self) -> bytes:
        return self.commits[0].operation_id

    @property
    def latest(self) -> Commit:
        return self.commits[-1]

    def package(
        self, sender: str = "part", body: bytes | None = None, kind: str = "record"
    ) -> bytes:
        """A signed package (random ciphertext: the relay never decrypts)."""
        self.seq += 1
        identity = self.people[sender]
        header = PackageHeader(
            PACKAGE_VERSION,
            self.id,
            self.latest.epoch,
            identity.device_id,
            self.seq,
            kind,
            1_700_000_000_000,
        )
        return assemble_package(identity, header, body if body is not None else os.urandom(256))


def make_operation(relay: RelayProcess, people: dict[str, Identity]) -> Op:
    coord = people["coord"]
    genesis, secret0 = create_genesis(
        coord, name="Ana Souza", agency="Receita Federal", country="BR", info=INFO
    )
    commit1, secret1 = add_members(
        coord,
        genesis,
        [
            Member(people["part"].public, "Jan de Vries", "Douane", "NL", "participant"),
            Member(people["part2"].public, "Eva Lind", "Tulli", "FI", "participant"),
            Member(people["obs"].public, "Olga Berg", "Tullverket", "SE", "observer"),
        ],
    )
    client = relay.client(coord)
    client.create_operation(genesis.raw)
    client.post_commit(genesis.operation_id, commit1.raw)
    return Op(people, [genesis, commit1], [secret0, secret1])


@pytest.fixture
def op(relay: RelayProcess, people: dict[str, Identity]) -> Op:
    return make_operation(relay, people)
