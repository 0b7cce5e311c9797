"""``cordon init``, ``whoami``, ``passwd`` and ``audit`` as docs/cli.md promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sync.cli.conftest import Run

INIT = ("init", "--name", "Amina Diallo", "--agency", "Douanes", "--country", "sn")


def files(home: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in home.rglob("*") if p.is_file()}


def assert_one_sentence(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


def test_init_whoami_json(cordon: Run) -> None:
    created = cordon(*INIT, "--json")
    assert created.returncode == 0, created.stderr
    info = json.loads(created.stdout)
    assert len(info["device_id"]) == 32
    assert len(info["fingerprint"].split()) == 12
    who = cordon("whoami", "--json")
    assert who.returncode == 0, who.stderr
    me = json.loads(who.stdout)
    assert me["device_id"] == info["device_id"]
    assert me["fingerprint"] == info["fingerprint"]
    assert (me["name"], me["agency"], me["country"]) == ("Amina Diallo", "Douanes", "SN")
    human = cordon("whoami")
    assert "Amina Diallo" in human.stdout and info["fingerprint"] in human.stdout


def test_init_twice_is_refused(cordon: Run) -> None:
    assert cordon(*INIT).returncode == 0
    before = files(cordon.home)  # type: ignore[attr-defined]
    again = cordon(*INIT)
    assert again.returncode == 1
    assert_one_sentence(again.stderr)
    assert files(cordon.home) == before  # type: ignore[attr-defined]


def test_bad_country_is_a_usage_error(cordon: Run) -> None:
    result = cordon("init", "--name", "A", "--agency", "B", "--country", "XX")
    assert result.returncode == 2
    assert_one_sentence(result.stderr)
    assert "ISO 3166" in result.stderr
    assert not (cordon.home / "cordon.key").exists()  # type: ignore[attr-defined]


def test_missing_passphrase_without_terminal_is_a_usage_error(cordon: Run) -> None:
    result = cordon(*INIT, passphrase=None)
    assert result.returncode == 2
    assert_one_sentence(result.stderr)


def test_wrong_passphrase_exit_1_and_nothing_changed(cordon: Run) -> None:
    assert cordon(*INIT).returncode == 0
    before = files(cordon.home)  # type: ignore[attr-defined]
    for command in (("whoami",), ("audit",), ("passwd",)):
        result = cordon(*command, passphrase="wrong", CORDON_NEW_PASSPHRASE="n")
        assert result.returncode == 1, command
        assert_one_sentence(result.stderr)
        assert "passphrase is wrong" in result.stderr
    assert files(cordon.home) == before  # type: ignore[attr-defined]


def test_passphrase_file(cordon: Run, tmp_path: Path) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_text("from a file\n", encoding="utf-8")
    assert cordon(*INIT, "--passphrase-file", str(secret), passphrase=None).returncode == 0
    result = cordon("whoami", "--json", "--passphrase-file", str(secret), passphrase=None)
    assert result.returncode == 0, result.stderr


def test_passwd_then_old_refused(cordon: Run) -> None:
    assert cordon(*INIT).returncode == 0
    changed = cordon("passwd", "--json", CORDON_NEW_PASSPHRASE="brand new")
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout) == {"ok": True}
    assert cordon("whoami").returncode == 1
    assert cordon("whoami", passphrase="brand new").returncode == 0


def test_whoami_without_profile(cordon: Run) -> None:
    result = cordon("whoami")
    assert result.returncode == 1
    assert_one_sentence(result.stderr)
    assert "cordon init" in result.stderr


def test_audit_lists_verifies_and_detects_tampering(
    cordon: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cordon(*INIT).returncode == 0
    listed = cordon("audit", "--json")
    assert listed.returncode == 0, listed.stderr
    entries = json.loads(listed.stdout)
    assert [e["action"] for e in entries][:2] == ["profile_created", "unlock"]
    assert {"at", "actor", "action", "object"} <= set(entries[0])
    human = cordon("audit")
    assert "intact" in human.stdout
    assert cordon("audit", "no-such-op", "--json").stdout.strip() == "[]"

    # Tamper with an entry through the store itself (the triggers have to be dropped first).
    from sync.store import keyfile, profile

    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")
    with profile.unlock(cordon.home, "pass phrase") as p:  # type: ignore[attr-defined]
        p.store.execute("DROP TRIGGER audit_log_no_update")
        p.store.execute("UPDATE audit_log SET action = 'consultation' WHERE seq = 1")
    broken = cordon("audit")
    assert broken.returncode == 1
    assert "tampered" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_damaged_key_file_is_one_sentence_exit_1(cordon: Run) -> None:
    assert cordon(*INIT).returncode == 0
    key = cordon.home / "cordon.key"  # type: ignore[attr-defined]
    data = bytearray(key.read_bytes())
    data[20] ^= 1
    key.write_bytes(bytes(data))
    result = cordon("whoami")
    assert result.returncode == 1
    assert_one_sentence(result.stderr)
    assert "damaged" in result.stderr
    assert key.read_bytes() == bytes(data)


def test_truncated_database_is_one_sentence_exit_1(cordon: Run) -> None:
    assert cordon(*INIT).returncode == 0
    db = cordon.home / "store.db"  # type: ignore[attr-defined]
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2 // 4096 * 4096])
    before = files(cordon.home)  # type: ignore[attr-defined]
    result = cordon("whoami")
    assert result.returncode == 1
    assert_one_sentence(result.stderr)
    assert "damaged or truncated" in result.stderr
    assert files(cordon.home) == before  # type: ignore[attr-defined]


def test_flipped_database_page_is_one_sentence(cordon: Run) -> None:
    assert cordon(*INIT).returncode == 0
    db = cordon.home / "store.db"  # type: ignore[attr-defined]
    data = bytearray(db.read_bytes())
    data[100] ^= 0xFF  # inside page 1
    db.write_bytes(bytes(data))
    result = cordon("whoami")
    assert result.returncode == 1
    assert_one_sentence(result.stderr)
