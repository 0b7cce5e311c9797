"""Opening the encrypted store: damage is refused and left untouched; one store per thread."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from sync.errors import CordonError, CorruptProfile
from sync.store import migrations
from sync.store.db import Store

KEY = os.urandom(32)


def make(path: Path, rows: int = 200) -> None:
    with Store.create(path, KEY) as s:
        from sync.store.operations import Operation

        s.operations.save(Operation("op", "Op", "coordinator", "active"))
        with s.transaction():
            for i in range(rows):
                s.records.create(
                    "op", "seizure", 1, {"text": f"record {i} " + "x" * 400}, "d", f"h{i:05d}"
                )
        s.checkpoint()


def test_create_open_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    make(path, rows=3)
    with Store.open(path, KEY) as s:
        assert s.records.count("op") == 3
        assert s.schema_version() == migrations.LATEST_VERSION
        assert s.integrity_check()


def test_database_is_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    make(path, rows=3)
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert b"record 1" not in path.read_bytes()


def test_truncated_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    make(path)
    data = path.read_bytes()
    for cut in (len(data) // 2 // 4096 * 4096, len(data) - 4096, len(data) - 100, 100):
        path.write_bytes(data[:cut])
        before = path.read_bytes()
        with pytest.raises(CorruptProfile) as info:
            Store.open(path, KEY)
        assert "damaged or truncated" in str(info.value)
        assert path.read_bytes() == before
        assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def test_wrong_key_or_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    make(path, rows=1)
    with pytest.raises(CorruptProfile):
        Store.open(path, os.urandom(32))
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(8192))
    with pytest.raises(CorruptProfile):
        Store.open(garbage, KEY)


def test_flipped_page_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    make(path)
    data = bytearray(path.read_bytes())
    data[5 * 4096 + 100] ^= 0xFF
    path.write_bytes(bytes(data))
    try:
        s = Store.open(path, KEY)
    except CorruptProfile:
        return
    with s:
        assert not s.integrity_check()


def test_missing_database(tmp_path: Path) -> None:
    with pytest.raises(CordonError):
        Store.open(tmp_path / "none.db", KEY)


def test_store_per_thread(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    make(path, rows=2)
    main = Store.open(path, KEY)
    counts: list[int] = []

    def worker() -> None:
        with main.reopen() as mine:
            mine.settings.set("from-thread", True)
            counts.append(mine.records.count("op"))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert counts == [2]
    assert main.settings.get("from-thread") is True
    main.close()


def test_transaction_rolls_back(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.settings.set("a", 1)
        raise RuntimeError
    assert store.settings.get("a") is None
    with store.transaction(), store.transaction():  # nested joins the outer
        store.settings.set("b", [1, "é"])
    assert store.settings.get("b") == [1, "é"]


def test_reader_thread_reads_while_writer_writes(tmp_path: Path) -> None:
    """WAL: a reader on its own connection sees committed rows while a writer keeps writing."""
    path = tmp_path / "store.db"
    make(path, rows=1)
    errors: list[BaseException] = []
    done = threading.Event()

    def writer() -> None:
        try:
            with Store.open(path, KEY) as mine:
                for i in range(200):
                    with mine.transaction():
                        mine.records.create("op", "seizure", 1, {"i": i}, "d", f"w{i:05d}")
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    seen = []
    with Store.open(path, KEY) as reader:
        while not done.is_set():
            seen.append(reader.records.count("op"))
        seen.append(reader.records.count("op"))
    thread.join()
    assert not errors
    assert seen == sorted(seen) and seen[-1] == 201
