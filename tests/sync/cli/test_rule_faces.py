"""The command line's face of the shared rules: ``cordon record submit|validate|return`` and
``cordon op role`` refuse exactly what ``sync.services`` refuses, with its sentence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sync.store import keyfile
from tests.sync.client.conftest import Device
from tests.sync.relay.conftest import RelayProcess
from tests.sync.services.faces import ROLE_REFUSAL, refusal, shared_record


def cordon(device: Device, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``cordon`` as this device (the trio's passphrase is ``pw``)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CORDON_")}
    environ[keyfile.TEST_MEMORY_ENV] = "256"
    environ["CORDON_PASSPHRASE"] = "pw"
    environ["LANGUAGE"] = "en"
    home = str(device.profile.paths.home)
    return subprocess.run(
        [sys.executable, "-m", "desktop.main", *args, "--home", home, "--json"],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
        timeout=120,
    )


def _close(d: dict[str, Device]) -> None:
    """Let the subprocess open the profiles (one SQLCipher writer at a time)."""
    for device in d.values():
        device.profile.close()


def test_status_workflow_on_the_command_line(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    rid = shared_record(op, d)
    a, b, c = (d[n].profile.store.records.get(op, rid) for n in "ABC")
    assert a is not None and b is not None and c is not None
    not_author = refusal(b, "submitted", d["B"].id, "participant")
    not_coordinator = refusal(a, "validated", d["A"].id, "participant")
    no_comment = refusal(c, "returned", d["C"].id, "coordinator", "")
    ids = {n: d[n].id for n in "ABC"}
    _close(d)

    refused = cordon(d["B"], "record", "submit", op, rid)
    assert refused.returncode == 1 and not_author in refused.stderr
    refused = cordon(d["A"], "record", "validate", op, rid)
    assert refused.returncode == 1 and not_coordinator in refused.stderr
    refused = cordon(d["C"], "record", "return", op, rid)
    assert refused.returncode == 1 and no_comment in refused.stderr

    done = cordon(d["A"], "record", "submit", op, rid[:10])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"record_id": rid, "status": "submitted"}
    shown = json.loads(cordon(d["A"], "record", "show", op, rid).stdout)
    assert shown["status"] == "submitted" and shown["author"] == ids["A"]


def test_role_change_on_the_command_line(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    b = d["B"].id
    _close(d)
    refused = cordon(d["A"], "op", "role", op, b, "observer")
    assert refused.returncode == 1 and ROLE_REFUSAL in refused.stderr
    unknown = cordon(d["C"], "op", "role", op, b, "chief")
    assert unknown.returncode == 2  # not a role: a usage error, before anything runs


def test_reply_in_a_thread_on_the_command_line(trio: tuple[str, dict[str, Device]]) -> None:
    from sync.services import messages

    op, d = trio
    first = messages.send(d["A"].profile, op, "Quiet word", "Only you", to=d["B"].id)
    d["B"].engine.receive(op, d["A"].outgoing(op))
    a = d["A"].id
    _close(d)
    both = cordon(d["B"], "msg", "send", op, "--reply-to", first, "--subject", "x", "--body", "y")
    assert both.returncode == 1 and "subject" in both.stderr
    done = cordon(d["B"], "msg", "send", op, "--reply-to", first[:10], "--body", "Understood")
    assert done.returncode == 0, done.stderr
    reply_id = json.loads(done.stdout)["message_id"]
    listed = {m["message_id"]: m for m in json.loads(cordon(d["B"], "msg", "list", op).stdout)}
    assert listed[reply_id]["subject"] == "Re: Quiet word"
    assert listed[reply_id]["direct"] and listed[reply_id]["recipient"] == a



def test_a_script_that_adds_then_submits_still_works(tmp_path: Path) -> None:
    """`record add` creates a submitted record; `record submit` on it is a no-op, not a
    refusal, so scripts written for the draft-first workflow keep working."""
    relay = RelayProcess(tmp_path / "relay").start()
    try:
        home = tmp_path / "p"
        env = {**os.environ, "CORDON_PASSPHRASE": "correct horse battery staple 42"}

        def run(*args: str) -> dict[str, object]:
            done = subprocess.run(
                [sys.executable, "-m", "desktop.main", "--home", str(home), *args, "--json"],
                capture_output=True, text=True, env=env, timeout=120,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            return dict(json.loads(done.stdout))

        run("init", "--name", "Ana Souza", "--agency", "PF", "--country", "BR")
        op = str(run("op", "create", "--name", "Script", "--relay", relay.url)["operation_id"])
        person = ["--set", "family_name=Okafor", "--set", "given_names=Chidi",
                  "--set", "role=courier", "--set", "handling_code=H1",
                  "--set", "source_reliability=B", "--set", "information_accuracy=2"]  # fmt: skip
        rid = str(run("record", "add", op, "--template", "person", *person)["record_id"])
        assert run("record", "submit", op, rid)["status"] == "submitted"
        assert run("record", "show", op, rid)["status"] == "submitted"
    finally:
        relay.stop()
