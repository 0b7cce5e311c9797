"""Issue 15, items 1, 2, 5 and 10 (names): the relay operator attacks the roster and the closure.

Each test runs the real relay process and puts a hostile proxy in front of it (the relay
operator's own code: it forwards everything, and rewrites the answers it wants), or edits the
relay's database directly. Each asserts what the victim refused, what it was told, and that
nothing was written.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import cbor2
import pytest
import requests

from sync.client import lifecycle
from sync.client.engine import SyncEngine
from sync.client.local import LocalChanges
from sync.errors import CordonError
from sync.primitives.identity import Identity
from sync.protocol import (
    Member,
    OperationInfo,
    add_members,
    build_join_request,
    create_genesis,
    decode_commit,
)
from sync.protocol.invite import parse_invite
from sync.services import roster
from sync.store import audit, keyfile
from sync.store import profile as profiles
from tests.sync.relay.conftest import RelayProcess

Answer = tuple[int, str, bytes]
Rule = Callable[[str, str, bytes], Answer | None]

_HOP = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass
class HostileRelay:
    """A proxy the relay operator runs in front of the real relay: ``rules`` see each request
    (method, path with query, body) and may answer in the relay's place."""

    upstream: str
    rules: list[Rule] = field(default_factory=list)
    seen: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""

    def start(self) -> HostileRelay:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.seen.append((self.command, self.path))
                for rule in proxy.rules:
                    answer = rule(self.command, self.path, body)
                    if answer is not None:
                        self._send(*answer)
                        return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                upstream = requests.request(
                    self.command,
                    proxy.upstream + self.path,
                    data=body,
                    headers=headers,
                    timeout=60,
                    allow_redirects=False,
                )
                self._send(
                    upstream.status_code,
                    upstream.headers.get("Content-Type", "application/octet-stream"),
                    upstream.content,
                )

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = do_PATCH = do_HEAD = do_PUT = _any  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def cbor_answer(value: Any) -> Answer:
    return 200, "application/cbor", cbor2.dumps(value, canonical=True)


def gone() -> Answer:
    body = b'{"error": "operation_closed", "message": "This operation has been closed."}'
    return 410, "application/json", body


@dataclass
class World:
    relay: RelayProcess
    proxy: HostileRelay
    tmp: Path
    engines: dict[str, SyncEngine]

    def person(self, name: str, country: str) -> SyncEngine:
        profile = profiles.create(
            self.tmp / name, "pw", f"Officer {name}", f"Agency {name}", country
        )
        engine = SyncEngine(profile)
        self.engines[name] = engine
        return engine


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")
    relay = RelayProcess(tmp_path / "relay").start()
    proxy = HostileRelay(relay.url).start()
    w = World(relay, proxy, tmp_path, {})
    try:
        yield w
    finally:
        for engine in w.engines.values():
            engine.profile.close()
        proxy.stop()
        relay.stop()


def _rows(engine: SyncEngine, table: str, op: str) -> int:
    row = engine.store.query_one(
        f"SELECT count(*) FROM {table} WHERE operation_id = ?",  # noqa: S608 - fixed names
        (op,),
    )
    return int(row[0]) if row else 0


def _operation(world: World) -> tuple[SyncEngine, str]:
    c = world.person("C", "FR")
    op = lifecycle.create_operation(c, "Operation Lantern", world.proxy.url, ["person"], None)
    return c, op


def _admitted(world: World, c: SyncEngine, op: str, name: str, country: str) -> SyncEngine:
    member = world.person(name, country)
    lifecycle.join(member, lifecycle.invite(c, op, "participant"))
    roster.admit(
        c, op, member.profile.device_id, fingerprint=member.profile.identity.public.fingerprint
    )
    assert lifecycle.try_activate(member, op)
    return member


# -- item 1: joining a forged operation ----------------------------------------------------------


def _forged_chain(
    operator: Identity, op_id: bytes, c: SyncEngine, joiner: SyncEngine
) -> list[bytes]:
    """The relay's own genesis under the invitation's operation id, naming the real coordinator
    (every key of it) as a coordinator and the joiner as a participant."""
    info = OperationInfo("Operation Lantern", None, "person")
    genesis, _s = create_genesis(
        operator, name="Relay", agency="Relay", country="FR", info=info, operation_id=op_id
    )
    added, _s = add_members(
        operator,
        genesis,
        [
            Member(c.profile.identity.public, "Officer C", "Agency C", "FR", "coordinator"),
            Member(joiner.profile.identity.public, "Officer J", "Agency J", "NG", "participant"),
        ],
    )
    return [genesis.raw, added.raw]


def test_joiner_refuses_a_forged_operation_naming_the_real_coordinator(world: World) -> None:
    c, op = _operation(world)
    code = lifecycle.invite(c, op, "participant")
    j = world.person("J", "NG")
    lifecycle.join(j, code)
    forged = _forged_chain(Identity.generate(), bytes.fromhex(op), c, j)
    commits_path = f"/v1/operations/{op}/commits"
    world.proxy.rules.append(
        lambda method, path, body: (
            cbor_answer({"commits": forged})
            if method == "GET" and path.startswith(commits_path)
            else None
        )
    )
    with pytest.raises(CordonError) as refused:
        lifecycle.try_activate(j, op)
    assert "relay offered an operation that does not match the invitation" in str(refused.value)
    pending = j.store.operations.get(op)
    assert pending is not None and pending.status == "pending" and pending.name == ""
    assert _rows(j, "epochs", op) == 0 and _rows(j, "members", op) == 0
    # the same through the sync a person runs: one sentence, nothing written
    with pytest.raises(CordonError, match="does not match the invitation"):
        j.sync_once(op)
    assert _rows(j, "epochs", op) == 0 and _rows(j, "members", op) == 0


def test_joiner_refuses_the_real_chain_when_someone_else_admitted_it(world: World) -> None:
    """The relay replays the genuine history, then appends an admission signed by a coordinator
    the invitation does not name (here a second, real coordinator: the strict rule)."""
    c, op = _operation(world)
    d = _admitted(world, c, op, "D", "DE")
    from sync.protocol import change_role

    keys = c.keys(op)
    promoted, _s = change_role(
        c.profile.identity, keys.latest, bytes.fromhex(d.profile.device_id), "coordinator"
    )
    c.client(world.relay.url).post_commit(promoted.operation_id, promoted.raw)
    code = lifecycle.invite(c, op, "participant")
    j = world.person("J", "NG")
    lifecycle.join(j, code)
    d.sync_once(op)
    d_keys = d.keys(op)
    joiner = Member(j.profile.identity.public, "Officer J", "Agency J", "NG", "participant")
    admitted, _s = add_members(d.profile.identity, d_keys.latest, [joiner])
    d.client(world.relay.url).post_commit(admitted.operation_id, admitted.raw)
    with pytest.raises(CordonError, match="does not match the invitation"):
        lifecycle.try_activate(j, op)
    assert j.store.operations.get(op).status == "pending"  # type: ignore[union-attr]
    assert _rows(j, "epochs", op) == 0 and _rows(j, "members", op) == 0


def test_genuine_admission_by_the_inviting_coordinator_activates(world: World) -> None:
    c, op = _operation(world)
    j = _admitted(world, c, op, "J", "NG")
    active = j.store.operations.get(op)
    assert active is not None and active.status == "active" and active.name == "Operation Lantern"


# -- item 2: forged join requests ----------------------------------------------------------------


def test_a_join_request_the_relay_forges_is_not_pending_and_cannot_be_admitted(
    world: World,
) -> None:
    c, op = _operation(world)
    code = lifecycle.invite(c, op, "participant")
    invitation = parse_invite(code)
    # The operator reads the invitation id from its own database and writes a request for it
    # with its own keys; it cannot know the token, so it makes one up.
    db = sqlite3.connect(world.relay.data / "relay.db")
    (stored_id,) = db.execute(
        "SELECT token_hash FROM invitations WHERE operation_id = ?", (bytes.fromhex(op),)
    ).fetchone()
    assert bytes(stored_id) == invitation.invitation_id and invitation.token not in bytes(stored_id)
    mallory = Identity.generate()
    raw = build_join_request(
        mallory,
        operation_id=bytes.fromhex(op),
        token=b"relay-made-token",
        name="Officer J",
        agency="Agency J",
        country="NG",
    )
    outer = cbor2.loads(raw)
    body = cbor2.loads(outer["body"])
    body["inv"] = bytes(stored_id)
    new_body = cbor2.dumps(body, canonical=True)
    forged = cbor2.dumps(
        {
            "body": new_body,
            "sig": mallory.sign(b"cordon-join-v1\x00" + new_body),
            "mac": outer["mac"],
        },
        canonical=True,
    )
    db.execute(
        "INSERT INTO join_requests (id, operation_id, token_hash, device_id, raw, received_at) "
        "VALUES (?, ?, ?, ?, ?, 0)",
        ("f" * 32, bytes.fromhex(op), bytes(stored_id), mallory.device_id, forged),
    )
    db.commit()
    db.close()
    epoch_before = c.keys(op).latest.epoch
    assert lifecycle.pending(c, op) == []  # not shown as an answer to C's invitation
    with pytest.raises(CordonError, match="No single device"):
        roster.admit(c, op, mallory.device_id.hex(), fingerprint="0" * 60)
    with pytest.raises(CordonError, match="No single device"):
        roster.admit(c, op, mallory.device_id.hex(), unverified=True)
    assert c.keys(op).latest.epoch == epoch_before  # no commit written
    assert all(m.device_id != mallory.device_id.hex() for m in c.store.operations.members(op))


def test_admission_needs_the_fingerprint_or_an_explicit_unverified(world: World) -> None:
    c, op = _operation(world)
    j = world.person("J", "NG")
    lifecycle.join(j, lifecycle.invite(c, op, "participant"))
    [request] = lifecycle.pending(c, op)
    assert (request.name, request.agency, request.country) == ("Officer J", "Agency J", "NG")
    device = j.profile.device_id
    with pytest.raises(CordonError, match="Compare the fingerprint"):
        roster.admit(c, op, device)
    with pytest.raises(CordonError, match="does not match"):
        roster.admit(c, op, device, fingerprint="12345 " * 12)
    assert c.keys(op).latest.epoch == 0  # refused: nothing written
    epoch = roster.admit(c, op, device, unverified=True)
    assert epoch == 1
    entries = c.store.query(
        "SELECT action, object FROM audit_log WHERE action = ?", (audit.ADMISSION_UNVERIFIED,)
    )
    assert [(r[0], r[1]) for r in entries] == [(audit.ADMISSION_UNVERIFIED, device)]
    assert lifecycle.try_activate(j, op)
    for engine in (c, j):  # every member sees that J's keys were never compared
        rows = {r["device_id"]: r["verified"] for r in lifecycle.members(engine.store, op)}
        assert rows == {c.profile.device_id: True, device: False}


# -- item 5: closure by the relay's word ---------------------------------------------------------


def test_a_410_without_the_coordinators_closing_commit_erases_nothing(world: World) -> None:
    c, op = _operation(world)
    a = _admitted(world, c, op, "A", "NG")
    LocalChanges(a.profile, op).send_message(
        "Container MSCU1234565", "Check at Lomé", alert=False, to=None
    )
    unsent = _rows(a, "outbox", op)
    assert unsent == 1
    prefix = f"/v1/operations/{op}"
    world.proxy.rules.append(lambda method, path, body: gone() if path.startswith(prefix) else None)
    with pytest.raises(CordonError) as told:
        a.sync_once(op)
    assert str(told.value).startswith(
        "The relay says this operation is closed; the coordinator has not closed it."
    )
    after = a.store.operations.get(op)
    assert after is not None and after.status == "active"  # not closed, no retention started
    assert after.closed_at is None and after.retention_days is None
    assert after.relay_closed_at is not None  # noted, nothing more
    assert _rows(a, "outbox", op) == unsent
    # even far in the future, nothing is shredded on the relay's word
    import datetime as dt

    assert lifecycle.purge_expired(a.profile, dt.datetime(2100, 1, 1, tzinfo=dt.UTC)) == []
    assert a.store.operations.get(op).status == "active"  # type: ignore[union-attr]


def test_a_closing_commit_forged_by_a_participant_is_refused(world: World) -> None:
    """The relay hands over a 'closing commit' signed by a member who is not a coordinator."""
    from sync.protocol.commit import _build

    c, op = _operation(world)
    a = _admitted(world, c, op, "A", "NG")
    b = _admitted(world, c, op, "B", "BR")
    b.sync_once(op)
    latest = b.keys(op).latest
    forged, _s = _build(
        b.profile.identity,
        latest.operation_id,
        latest.epoch + 1,
        latest.hash,
        latest.roster,
        latest.info,
        "close",
        None,
        0,
    )
    prefix = f"/v1/operations/{op}"
    world.proxy.rules.append(
        lambda method, path, body: (
            cbor_answer({"commit": forged.raw})
            if path.startswith(prefix + "/closing")
            else gone()
            if path.startswith(prefix)
            else None
        )
    )
    with pytest.raises(CordonError, match="the coordinator has not closed it"):
        a.sync_once(op)
    assert a.store.operations.get(op).status == "active"  # type: ignore[union-attr]
    assert all(
        decode_commit(bytes(r[0])).action != "close"
        for r in a.store.query("SELECT commit_blob FROM epochs WHERE operation_id = ?", (op,))
    )


def test_the_coordinators_closing_commit_closes_every_device_with_its_retention(
    world: World,
) -> None:
    c, op = _operation(world)
    a = _admitted(world, c, op, "A", "NG")
    LocalChanges(a.profile, op).send_message("Unsent", "work", alert=False, to=None)
    assert lifecycle.close(c, op, 9, False) == "closed"
    assert c.store.operations.get(op).retention_days == 9  # type: ignore[union-attr]
    # A learns it from the tombstone (the relay purged everything else) and applies 9 days
    assert a.sync_once(op).status == "closed"
    closed = a.store.operations.get(op)
    assert closed is not None and closed.status == "closed"
    assert closed.retention_days == 9
    import datetime as dt

    # A's unsent message is not shredded when the retention runs out: only when A asks
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    assert lifecycle.purge_expired(a.profile, later) == []
    assert _rows(a, "outbox", op) == 1
    assert lifecycle.purge_expired(c.profile, later) == [op]


# -- item 10 (names): the relay does not read the operation's or members' names -------------------


def test_the_relay_files_hold_no_operation_or_member_names(world: World) -> None:
    c, op = _operation(world)
    j = world.person("J", "NG")
    lifecycle.join(j, lifecycle.invite(c, op, "participant"))
    stored = b"".join(p.read_bytes() for p in world.relay.data.rglob("*") if p.is_file())
    for secret in (b"Operation Lantern", b"Officer C", b"Agency C", b"Officer J", b"Agency J"):
        assert secret not in stored, secret


def test_a_person_at_a_terminal_is_asked_for_the_fingerprint(world: World) -> None:
    """`cordon op admit OP DEV` at a terminal asks for the digits the joiner reads out; wrong
    digits admit nobody, the right ones admit (a script must still say which it did)."""
    import json
    import os
    import pty
    import subprocess
    import sys

    c, op = _operation(world)
    j = world.person("J", "NG")
    lifecycle.join(j, lifecycle.invite(c, op, "participant"))
    device = j.profile.device_id

    def admit_typing(digits: str) -> subprocess.CompletedProcess[str]:
        main, terminal = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop.main", "--home", str(world.tmp / "C"),
             "op", "admit", op, device, "--json"],
            stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "CORDON_PASSPHRASE": "pw"},
        )  # fmt: skip
        os.close(terminal)
        os.write(main, (digits + "\n").encode())
        out, err = proc.communicate(timeout=120)
        os.close(main)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    wrong = admit_typing("12345 " * 12)
    assert wrong.returncode == 1 and "does not match" in wrong.stderr
    assert "Fingerprint the person reads out to you" in wrong.stderr
    right = admit_typing(j.profile.identity.public.fingerprint)
    assert right.returncode == 0, right.stderr
    assert json.loads(right.stdout)["epoch"] == 1
