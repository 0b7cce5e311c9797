"""Scenarios 1, 2, 3, 5 and 8 of issue 5: the whole operation from the command line."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.scenarios.conftest import (
    PERSON,
    FixedPortRelay,
    Person,
    person_csv,
    relay_rows,
    start_operation,
)


def test_1_create_invite_join_admit(relay: FixedPortRelay, people: dict[str, Person]) -> None:
    c, a, b = (people[n] for n in "CAB")
    c.init()
    op = c.ok("op", "create", "--name", "Operation Lantern", "--relay", relay.url)["operation_id"]
    for person in (a, b):
        person.init()
        code = c.ok("op", "invite", op)["invite"]
        joined = person.ok("op", "join", code)
        assert joined == {"operation_id": op, "status": "pending", "name": ""}
    pending = {r["device_id"]: r for r in c.ok("op", "pending", op)}
    assert set(pending) == {a.device_id, b.device_id}
    for person in (a, b):  # what C compares with what A and B read out for themselves
        assert pending[person.device_id]["fingerprint"] == person.fingerprint
        assert person.ok("whoami")["fingerprint"] == person.fingerprint
    assert person.ok("sync", op)["status"] == "pending"  # not admitted yet
    refused = c.fails("op", "admit", op, a.device_id)  # the fingerprint was not compared
    assert "fingerprint" in refused
    wrong = a.fingerprint[:-1] + ("1" if a.fingerprint[-1] != "1" else "2")
    assert "does not match" in c.fails("op", "admit", op, a.device_id, "--fingerprint", wrong)
    assert c.ok("op", "admit", op, a.device_id, "--fingerprint", a.fingerprint)["epoch"] == 1
    assert c.ok("op", "admit", op, b.device_id[:10], "--unverified")["epoch"] == 2
    rosters = []
    for person in (c, a, b):
        person.ok("sync", op)
        members = person.ok("op", "members", op)
        rosters.append(
            sorted((m["device_id"], m["role"], m["fingerprint"], m["verified"]) for m in members)
        )
        assert person.ok("op", "list")[0]["status"] == "active"
    assert rosters[0] == rosters[1] == rosters[2]
    assert len(rosters[0]) == 3
    assert {m[1] for m in rosters[0]} == {"coordinator", "participant"}
    # B was admitted unverified: every member sees it
    assert {m[0] for m in rosters[0] if not m[3]} == {b.device_id}


def test_2_record_message_and_large_file(
    relay: FixedPortRelay, people: dict[str, Person], tmp_path: Path
) -> None:
    op = start_operation(relay, people)
    a, b = people["A"], people["B"]
    record = a.ok("record", "add", op, "--template", "person", *PERSON)["record_id"]
    a.ok("msg", "send", op, "--subject", "Container MSCU1234565", "--body", "Check at Lomé")
    big = tmp_path / "scan.bin"
    big.write_bytes(os.urandom(20 * 1024 * 1024))
    item = a.ok("library", "add", op, str(big), "--title", "X-ray scan")["item_id"]
    assert a.ok("sync", op)["sent"] == 3
    assert b.ok("sync", op)["received"] == 3
    assert [r["record_id"] for r in b.ok("record", "list", op)] == [record]
    assert b.ok("record", "show", op, record)["fields"]["family_name"] == "Okafor"
    assert [m["subject"] for m in b.ok("msg", "list", op)] == ["Container MSCU1234565"]
    (listed,) = b.ok("library", "list", op)
    assert listed["item_id"] == item and not listed["available"]
    out = tmp_path / "fetched.bin"
    b.ok("library", "get", op, item, "--out", str(out))
    assert hashlib.sha256(out.read_bytes()).hexdigest() == listed["sha256"]
    assert listed["sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
    assert b.ok("library", "list", op)[0]["available"]
    assert {h["kind"] for h in b.ok("search", op, "MSCU1234565")} == {"message"}


def test_3_offline_member_catches_up_without_duplicates(
    relay: FixedPortRelay, people: dict[str, Person], tmp_path: Path
) -> None:
    op = start_operation(relay, people)
    b, c = people["B"], people["C"]
    before = len(c.ok("record", "list", op))
    relay.stop()
    csv = person_csv(tmp_path / "offline.csv", 500, "Offline")
    assert b.ok("import", op, str(csv), "--template", "person")["imported"] == 500
    assert "cannot be reached" in b.fails("sync", op)
    # B keeps retrying (backoff) while the relay is down and resumes when it is back.
    waiting = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop.main",
            "sync",
            op,
            "--wait",
            "60",
            "--json",
            "--home",
            str(b.home),
        ],
        env=b.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2)
    relay.start()
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert b.ok("sync", op)["sent"] == 0  # nothing left in the outbox
    c.ok("sync", op)
    records = c.ok("record", "list", op)
    assert len(records) - before == 500
    assert len({r["record_id"] for r in records}) == len(records)
    assert c.ok("sync", op)["received"] == 0


def test_5_removed_member_is_refused_and_cannot_read(
    relay: FixedPortRelay, people: dict[str, Person], tmp_path: Path
) -> None:
    op = start_operation(relay, people)
    a, b, c = people["A"], people["B"], people["C"]
    c.ok("op", "remove", op, b.device_id)
    a.ok("sync", op)  # A learns the new epoch
    record = a.ok("record", "add", op, "--template", "person", *PERSON)["record_id"]
    a.ok("sync", op)
    assert c.ok("sync", op)["received"] == 1
    assert "no longer a member" in b.fails("sync", op)
    carried = tmp_path / "carried.cdn"
    a.ok("sync", op, "--export", str(carried))
    result = b.ok("sync", "--import", str(carried))
    assert result["applied"] == 0 and result["rejected"] >= 1
    assert record not in {r["record_id"] for r in b.ok("record", "list", op)}
    assert b.ok("op", "list")[0]["status"] == "removed"
    assert "read-only" in b.fails("msg", "send", op, "--subject", "x", "--body", "y")


def test_8_close_purges_relay_and_shreds(
    relay: FixedPortRelay, people: dict[str, Person], tmp_path: Path
) -> None:
    op = start_operation(relay, people)
    a, c = people["A"], people["C"]
    a.ok("record", "add", op, "--template", "person", *PERSON)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(os.urandom(100_000))
    a.ok("library", "add", op, str(photo))
    a.ok("sync", op)
    c.ok("sync", op)
    assert relay_rows(relay, op) > 0
    assert c.ok("op", "close", op)["status"] == "closed"
    assert relay_rows(relay, op) == 0
    assert not [p for p in (relay.data / "blobs").rglob("*") if p.is_file()]
    assert a.ok("sync", op)["status"] == "closed"
    for person in (a, c):
        assert person.ok("op", "list")[0]["status"] == "closed"
        assert len(person.ok("record", "list", op)) == 1  # still readable, read-only
        assert "read-only" in person.fails("record", "add", op, "--template", "person", *PERSON)
    assert a.ok("op", "close", op, "--shred")["status"] == "shredded"
    assert a.ok("op", "list")[0]["status"] == "shredded"
    assert a.ok("record", "list", op) == []
    assert a.ok("search", op, "Okafor") == []
    assert not [p for p in (a.home / "attachments").iterdir() if p.is_file()]
    assert c.ok("op", "close", op, "--keep-days", "0")["status"] == "shredded"
