"""Issue 15 item 9: after shredding, none of the operation's words are in the decrypted store.

The test decrypts every page of the SQLCipher database and every frame of its WAL itself (AES-256
CBC with the raw store key, SQLCipher 4's page layout), so free pages, unused space inside pages
and stale WAL frames are all read, not only what SQL can still see.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from sync.client import lifecycle
from sync.store import keyfile
from sync.store import profile as profiles
from sync.store.db import PAGE_SIZE
from sync.store.operations import Member, Operation

RESERVE = 48  # SQLCipher 4 with HMAC-SHA256: 16-byte IV + 32-byte HMAC at the end of each page
WAL_HEADER = 32
FRAME_HEADER = 24
PASSPHRASE = "correct horse battery staple"

# One distinctive word per place the operation's words are kept.
WORDS = {
    "name": "Zanzibarcrest",
    "record": "Quillowbyte",
    "record_number": "Okafor",
    "edit": "Marrowfinch",
    "comment": "Velvetquarry",
    "subject": "Tamborlight",
    "body": "Wrenhollow",
    "direct": "Glimmerstack",
    "library": "Pewterlocke",
    "member": "Ysoldewarren",
    "file_name": "Harborvexil",
    "draft": "Brindlecoast",  # an unsaved form the editor kept
}


def _decrypt_page(key: bytes, page: bytes, first: bool) -> bytes:
    start = 16 if first else 0  # page 1 begins with the file's salt, in clear
    iv = page[PAGE_SIZE - RESERVE : PAGE_SIZE - RESERVE + 16]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[start : PAGE_SIZE - RESERVE]) + decryptor.finalize()


def decrypted_pages(path: Path, key: bytes) -> list[bytes]:
    """Every page of the database file and every frame of its WAL, decrypted."""
    pages = []
    data = path.read_bytes()
    for n in range(len(data) // PAGE_SIZE):
        pages.append(_decrypt_page(key, data[n * PAGE_SIZE : (n + 1) * PAGE_SIZE], n == 0))
    assert pages[0][:2] == PAGE_SIZE.to_bytes(2, "big"), "the page decryption is wrong"
    wal = Path(f"{path}-wal")
    if wal.exists():
        frames = wal.read_bytes()[WAL_HEADER:]
        size = FRAME_HEADER + PAGE_SIZE
        for n in range(len(frames) // size):
            frame = frames[n * size : (n + 1) * size]
            page_no = int.from_bytes(frame[:4], "big")
            pages.append(_decrypt_page(key, frame[FRAME_HEADER:], page_no == 1))
    return pages


def _forms(word: str) -> list[bytes]:
    """The word as the tables keep it and as the unicode61 index folds it."""
    folded = unicodedata.normalize("NFKD", word.lower())
    return [word.encode(), word.lower().encode(), folded.encode(), word.encode("utf-16-le")]


def found_words(path: Path, key: bytes) -> set[str]:
    blob = b"\n".join(decrypted_pages(path, key))
    return {name for name, word in WORDS.items() if any(f in blob for f in _forms(word))}


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")


def _fill(profile: profiles.Profile, op: str, words: dict[str, str], tmp: Path) -> None:
    store, me = profile.store, profile.device_id
    hlc = profile.clock.now
    store.operations.save(Operation(op, words["name"], "coordinator", "active", coordinator=me))
    other = os.urandom(16).hex()
    store.operations.save_member(
        Member(op, other, b"\x01" * 32, words["member"], "participant", "active", "Douane", "NL")
    )
    for i in range(40):  # enough rows that the indexes hold several segments
        record = store.records.create(
            op,
            "person",
            1,
            {"family_name": f"{words['record']} {i}", "note": words["record_number"], "n": i},
            me,
            hlc(),
        )
        store.records.apply(
            op,
            record.record_id,
            {"note": f"{words['edit']} {i}"},
            me,
            hlc(),
            comment=words["comment"],
        )
        store.messages.add(op, me, f"{words['subject']} {i}", f"{words['body']} {i}", hlc())
    store.messages.add(
        op, me, "direct", f"{words['direct']} to you", hlc(), kind="direct", recipient=other
    )
    from sync.store import drafts

    drafts.save(store, f"draft-{op}", op, "person", None, {"family_name": words["draft"]})
    source = tmp / "photo.bin"
    source.write_bytes(os.urandom(5000))
    attachment = profile.attachments.put_file(source)
    store.library.add(
        op,
        f"{words['library']} scan",
        5000,
        attachment.sha256,
        me,
        hlc(),
        file_name=f"{words['file_name']}.jpg",
        attachment_id=attachment.attachment_id,
    )


def test_shredding_leaves_no_word_in_any_decrypted_page(tmp_path: Path) -> None:
    home = tmp_path / "home"
    profile = profiles.create(home, PASSPHRASE, "Officer A", "Agency A", "FR")
    key = keyfile.read(profile.paths.key_file).unwrap(PASSPHRASE)
    op = os.urandom(16).hex()
    _fill(profile, op, WORDS, tmp_path)
    # A second operation, kept: its words must survive and stay searchable.
    kept = {name: word[:4] + "x" + word[4:] for name, word in WORDS.items()}
    other_op = os.urandom(16).hex()
    _fill(profile, other_op, kept, tmp_path)
    profile.store.execute("PRAGMA wal_checkpoint(PASSIVE)")
    assert found_words(profile.paths.database, key) == set(WORDS)  # the scan does see them

    lifecycle.shred(profile, op)

    db = profile.paths.database
    assert found_words(db, key) == set(), "words of the shredded operation are still readable"
    assert profile.store.search(kept["record"], other_op)
    assert profile.store.search(kept["subject"].lower(), None)
    shredded = profile.store.operations.get(op)
    assert shredded is not None and shredded.status == "shredded" and shredded.name == ""
    profile.close()
    reopened = profiles.unlock(home, PASSPHRASE)
    assert reopened.store.integrity_check()
    assert reopened.store.operations.get(other_op).name == kept["name"]  # type: ignore[union-attr]
    reopened.close()
    assert found_words(db, key) == set()


def test_cordon_op_close_shred_leaves_no_word(tmp_path: Path) -> None:
    """The whole path: ``cordon op close --shred`` in a subprocess, after a real exchange."""
    from tests.scenarios.conftest import PERSON, FixedPortRelay, Person, start_operation

    relay = FixedPortRelay(tmp_path / "relay").start()
    try:
        people = {name: Person(name, tmp_path / name) for name in "CA"}
        op = start_operation(relay, people, members="A")
        c, a = people["C"], people["A"]
        words = {
            "record": "Quillowbyte",
            "edit": "Marrowfinch",
            "subject": "Tamborlight",
            "body": "Wrenhollow",
            "direct": "Glimmerstack",
            "library": "Pewterlocke",
        }
        record = a.ok(
            "record",
            "add",
            op,
            "--template",
            "person",
            *PERSON[2:],
            "--set",
            f"family_name={words['record']}",
        )["record_id"]
        a.ok("record", "edit", op, record, "--set", f"family_name={words['edit']}")
        a.ok("msg", "send", op, "--subject", words["subject"], "--body", words["body"])
        a.ok("msg", "send", op, "--subject", "x", "--body", words["direct"], "--to", c.device_id)
        photo = tmp_path / "scan.jpg"
        photo.write_bytes(os.urandom(3000))
        a.ok("library", "add", op, str(photo), "--title", words["library"])
        a.ok("sync", op)
        c.ok("sync", op)
        assert c.ok("search", op, words["edit"])
        assert c.ok("op", "close", op, "--shred")["status"] == "shredded"
    finally:
        relay.stop()
    key = keyfile.read(c.home / profiles.KEY_FILE).unwrap(f"passphrase of {c.name}")
    blob = b"\n".join(decrypted_pages(c.home / profiles.DATABASE, key))
    found = {n for n, w in words.items() if any(f in blob for f in _forms(w))}
    assert found == set(), found
    assert b"Operation Lantern" not in blob and b"Officer A" not in blob
    assert c.ok("op", "list")[0]["status"] == "shredded"
