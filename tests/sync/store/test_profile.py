"""The profile API: create, unlock, passphrase change, damage, file modes, no plaintext on disk."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from sync.errors import CordonError, CorruptProfile, WrongPassphrase
from sync.store import audit, profile
from sync.store.operations import Operation


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "profile"
    profile.create(h, "s3cret passphrase", "Amina Diallo", "Douanes sénégalaises", "SN").close()
    return h


def test_create_and_unlock_round_trip(home: Path) -> None:
    assert profile.exists(home)
    with profile.unlock(home, "s3cret passphrase") as p:
        assert p.name == "Amina Diallo"
        assert p.agency == "Douanes sénégalaises"
        assert p.country == "SN"
        assert len(p.device_id) == 32
        assert len(p.fingerprint.split()) == 12
        actions = [e.action for e in p.store.audit.entries()]
        assert actions == [audit.PROFILE_CREATED, audit.UNLOCK]
        assert p.store.audit.verify().ok


def test_identity_survives_unlock(home: Path) -> None:
    with (
        profile.unlock(home, "s3cret passphrase") as a,
        profile.unlock(home, "s3cret passphrase") as b,
    ):
        assert a.identity.public == b.identity.public
        sig = a.identity.sign(b"x")
        assert b.identity.public.verify(sig, b"x")


def test_wrong_passphrase_changes_nothing(home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(WrongPassphrase):
        profile.unlock(home, "not it")
    assert snapshot(home) == before


def test_change_passphrase(home: Path) -> None:
    profile.change_passphrase(home, "s3cret passphrase", "new one")
    with pytest.raises(WrongPassphrase):
        profile.unlock(home, "s3cret passphrase")
    with profile.unlock(home, "new one") as p:
        assert audit.PASSPHRASE_CHANGED in [e.action for e in p.store.audit.entries()]


def test_change_passphrase_with_wrong_old_changes_nothing(home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(WrongPassphrase):
        profile.change_passphrase(home, "wrong", "new one")
    assert snapshot(home) == before


def test_create_refuses_existing_profile(home: Path) -> None:
    before = snapshot(home)
    with pytest.raises(CordonError, match="already exists"):
        profile.create(home, "x", "Other", "Agency", "FR")
    assert snapshot(home) == before


def test_no_profile(tmp_path: Path) -> None:
    assert not profile.exists(tmp_path)
    with pytest.raises(CordonError, match="cordon init"):
        profile.unlock(tmp_path, "x")


def test_key_file_bit_flip_is_detected_and_untouched(home: Path) -> None:
    key_file = home / profile.KEY_FILE
    data = bytearray(key_file.read_bytes())
    data[40] ^= 0x04
    key_file.write_bytes(bytes(data))
    before = snapshot(home)
    with pytest.raises(CorruptProfile, match="key file is damaged"):
        profile.unlock(home, "s3cret passphrase")
    assert snapshot(home) == before


def test_truncated_database_is_refused_and_untouched(home: Path) -> None:
    db = home / profile.DATABASE
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2 // 4096 * 4096])
    before = snapshot(home)
    with pytest.raises(CorruptProfile):
        profile.unlock(home, "s3cret passphrase")
    assert snapshot(home) == before


def test_modes_are_private(home: Path) -> None:
    with profile.unlock(home, "s3cret passphrase") as p:
        p.attachments.put(io.BytesIO(b"photo"))
        p.store.settings.set("x", 1)  # keeps -wal and -shm open while we look
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        assert stat.S_IMODE((home / profile.ATTACHMENTS).stat().st_mode) == 0o700
        files = [f for f in home.rglob("*") if f.is_file()]
        assert any(f.name.endswith("-wal") for f in files)
        for f in files:
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_no_byte_of_the_profile_holds_plaintext(home: Path) -> None:
    marker = "ZQXJ-MARKER-7731"
    arabic = "مهربZQXJ"
    with profile.unlock(home, "s3cret passphrase") as p:
        p.store.operations.save(Operation("op", "Op", "coordinator", "active"))
        for i in range(50):
            p.store.records.create(
                "op",
                "seizure",
                1,
                {"note": f"{marker} {i} {arabic}", "n": i},
                p.device_id,
                p.clock.now(),
            )
        p.store.messages.add(
            "op", p.device_id, f"subject {marker}", f"body {marker}", p.clock.now()
        )
        attachment = p.attachments.put(io.BytesIO((marker + "\n").encode() * 10000))
        p.store.library.add(
            "op",
            f"title {marker}",
            1,
            "00",
            p.device_id,
            p.clock.now(),
            attachment_id=attachment.attachment_id,
        )
        assert len(p.store.search(marker, "op", limit=100)) == 52
        # Look while the WAL is still full (and again after closing).
        needles = [marker.encode(), marker.encode("utf-16-le"), arabic.encode()]
        for content in snapshot(home).values():
            for needle in needles:
                assert needle not in content
    for name, content in snapshot(home).items():
        for needle in needles:
            assert needle not in content, name


def test_open_store_for_another_thread(home: Path) -> None:
    import threading

    with profile.unlock(home, "s3cret passphrase") as p:
        seen: list[str] = []

        def worker() -> None:
            with p.open_store() as s:
                s.audit.append(audit.CONSULTATION, "rec1")
                seen.append(s.audit.entries()[-1].actor)

        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert seen == [p.device_id]
        assert p.store.audit.verify().ok


def test_empty_passphrase_refused(tmp_path: Path) -> None:
    with pytest.raises(CordonError):
        profile.create(tmp_path / "p", "", "Name", "Agency", "FR")
    assert not profile.exists(tmp_path / "p")


def test_unlock_with_real_argon2_is_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from sync.store import keyfile

    monkeypatch.delenv(keyfile.TEST_MEMORY_ENV)
    profile.create(tmp_path / "p", "pw", "Name", "Agency", "FR").close()
    assert keyfile.read(tmp_path / "p" / profile.KEY_FILE).params.memory_kib >= 65536
    start = time.perf_counter()
    profile.unlock(tmp_path / "p", "pw").close()
    assert time.perf_counter() - start < 2.0  # the benchmark holds the 0.5 s target
    os.sync()
