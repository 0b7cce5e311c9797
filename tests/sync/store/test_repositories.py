"""Records, messages, library, operations, epochs, outbox and inbox: what the sync engine uses."""

from __future__ import annotations

import pytest

from sync.store.chain import Chain, ChainEntry, RosterEntry
from sync.store.clock import HybridClock, parse_hlc
from sync.store.db import IntegrityError, Store
from sync.store.operations import Member, Operation


def test_record_round_trip_and_history(store: Store) -> None:
    rec = store.records.create(
        "op1", "seizure", 2, {"commodity": "cocaine", "kg": 12.5}, "dev-a", "0001"
    )
    got = store.records.get("op1", rec.record_id)
    assert got is not None
    assert got.fields == {"commodity": "cocaine", "kg": 12.5}
    assert (got.template_id, got.template_version, got.status, got.revision) == (
        "seizure",
        2,
        "draft",
        1,
    )
    rev = store.records.apply(
        "op1",
        rec.record_id,
        {"kg": 13},
        "dev-a",
        "0002",
        status="submitted",
        comment="weighed again",
    )
    assert rev is not None and rev.revision == 2
    got = store.records.get("op1", rec.record_id)
    assert got is not None and got.fields["kg"] == 13 and got.status == "submitted"
    history = store.records.history("op1", rec.record_id)
    assert [h.revision for h in history] == [1, 2]
    assert history[1].changes == {"kg": 13} and history[1].comment == "weighed again"


def test_concurrent_edits_merge_per_field_by_hlc(store: Store) -> None:
    rec = store.records.create("op1", "seizure", 1, {"a": 1, "b": 1}, "dev-a", "0001")
    # Two devices edited concurrently; the later clock wins per field, whatever the order.
    store.records.apply("op1", rec.record_id, {"a": "late", "b": "late"}, "dev-b", "0003")
    store.records.apply("op1", rec.record_id, {"a": "early", "c": "new"}, "dev-c", "0002")
    got = store.records.get("op1", rec.record_id)
    assert got is not None
    assert got.fields == {"a": "late", "b": "late", "c": "new"}
    assert got.updated_hlc == "0003"
    assert len(store.records.history("op1", rec.record_id)) == 3  # the loser is kept


def test_applying_a_revision_twice_is_a_no_op(store: Store) -> None:
    rec = store.records.create("op1", "seizure", 1, {"a": 1}, "dev-a", "0001")
    assert store.records.apply("op1", rec.record_id, {"a": 2}, "d", "0002", revision_id="r2")
    assert (
        store.records.apply("op1", rec.record_id, {"a": 3}, "d", "0003", revision_id="r2") is None
    )
    got = store.records.get("op1", rec.record_id)
    assert got is not None and got.fields["a"] == 2 and got.revision == 2


def test_record_list_count_filters_and_erase(store: Store) -> None:
    for i in range(5):
        store.records.create(
            "op1",
            "seizure" if i % 2 else "person",
            1,
            {"i": i},
            "d",
            f"{i:04d}",
            status="submitted" if i < 2 else "draft",
        )
    assert store.records.count("op1") == 5
    assert store.records.count("op1", template_id="seizure") == 2
    assert store.records.count("op1", status="submitted") == 2
    listed = store.records.list("op1", limit=2)
    assert [r.fields["i"] for r in listed] == [4, 3]
    assert [r.fields["i"] for r in store.records.list("op1", limit=2, offset=2)] == [2, 1]
    assert store.records.erase("op1", listed[0].record_id)
    assert store.records.get("op1", listed[0].record_id) is None
    assert store.records.history("op1", listed[0].record_id) == []
    with pytest.raises(KeyError):
        store.records.apply("op1", listed[0].record_id, {}, "d", "9")


def test_messages(store: Store) -> None:
    m = store.messages.add("op1", "dev-a", "Alert", "Watch BOG-CDG", "0001", kind="alert")
    assert m is not None
    assert store.messages.add("op1", "dev-a", "Alert", "x", "0001", message_id=m.message_id) is None
    d = store.messages.add(
        "op1", "dev-a", "Hi", "Only you", "0002", kind="direct", recipient="dev-b"
    )
    assert d is not None
    assert [x.message_id for x in store.messages.list("op1")] == [d.message_id, m.message_id]
    assert [x.kind for x in store.messages.list("op1", kind="alert")] == ["alert"]
    assert store.messages.unread_count("op1") == 2
    store.messages.mark_read("op1", m.message_id)
    assert store.messages.unread_count("op1") == 1
    with pytest.raises(ValueError):
        store.messages.add("op1", "a", "s", "b", "1", kind="direct")


def test_library(store: Store) -> None:
    item = store.library.add(
        "op1",
        "Manifest",
        2048,
        "ab" * 32,
        "dev-a",
        "0001",
        file_name="manifest.pdf",
        media_type="application/pdf",
    )
    assert item is not None and not item.available
    store.library.set_blob("op1", item.item_id, "blob-ref", b"k" * 32)
    store.execute(
        "INSERT INTO attachments (attachment_id, file_name, file_key, size, sha256, "
        "cipher_size, cipher_sha256, created_at) VALUES ('att', 'f', x'00', 1, 'a', 1, 'b', 'n')"
    )
    store.library.set_attachment("op1", item.item_id, "att")
    got = store.library.get("op1", item.item_id)
    assert got is not None and got.available and got.blob_key == b"k" * 32
    assert [i.item_id for i in store.library.list("op1")] == [item.item_id]


def test_operations_members_epochs(store: Store) -> None:
    op = store.operations.get("op1")
    assert op is not None and op.role == "coordinator"
    store.operations.save(
        Operation(
            "op3", "Third", "observer", "pending", templates=["seizure"], invited_by="ab" * 16
        )
    )
    assert store.operations.get("op3").templates == ["seizure"]  # type: ignore[union-attr]
    store.operations.save_member(
        Member("op1", "dev-b", b"pk", "Bola", "participant", "active", agency="NDLEA", country="NG")
    )
    assert [m.name for m in store.operations.members("op1")] == ["Bola"]
    assert store.operations.members("op1", status="removed") == []
    chain = Chain(store)
    bola = RosterEntry("dev-b", b"pk", "Bola", "coordinator", "NDLEA", "NG")
    ada = RosterEntry("dev-a", b"pk-a", "Ada", "participant", "EFCC", "NG")

    def commit(epoch: int, secret: bytes | None, roster: list[RosterEntry]) -> ChainEntry:
        return ChainEntry(
            "op1", epoch, secret, b"h%d" % epoch, b"c%d" % epoch, roster, "First", None,
            ["seizure"], "dev-b", "coordinator",
        )  # fmt: skip

    assert chain.add(commit(1, b"s" * 32, [bola, ada]))
    assert chain.add(commit(2, None, [bola]))  # Ada removed; this device got no secret
    latest = store.operations.latest_epoch("op1")
    assert latest is not None and latest.epoch == 2 and latest.commit_blob == b"c2"
    assert store.operations.get("op1").current_epoch == 2  # type: ignore[union-attr]
    assert [(h.epoch, h.secret) for h in chain.commits("op1")] == [(1, b"s" * 32), (2, None)]
    assert store.operations.members("op1", status="removed")[0].name == "Ada"
    assert not chain.add(commit(2, b"t" * 32, [bola]))  # kept once: the secret stays as it was
    assert chain.commits("op1")[1].secret is None
    store.operations.delete("op1")  # cascades
    assert store.operations.members("op1") == [] and store.operations.epochs("op1") == []


def test_outbox_inbox_and_idempotency(store: Store) -> None:
    a = store.outbox.enqueue("op1", "pkg-a", "records", b"\x01")
    assert store.outbox.enqueue("op1", "pkg-a", "records", b"\x01") == a
    store.outbox.enqueue("op1", "pkg-b", "messages", b"\x02")
    assert [e.package_id for e in store.outbox.pending()] == ["pkg-a", "pkg-b"]
    store.outbox.set_aside("pkg-a", "refused by the relay")
    assert store.outbox.pending("op1")[0].package_id == "pkg-b"
    store.outbox.enqueue("op1", "pkg-c", "records", b"\x03")
    store.outbox.mark_sent("pkg-b")
    assert [e.package_id for e in store.outbox.pending("op1")] == ["pkg-c"]
    assert store.outbox.unsent_count() == 1
    assert store.outbox.prune_sent("op1") == 2
    assert store.outbox.cursor("op1", "https://relay") is None
    store.outbox.set_cursor("op1", "https://relay", "42")
    store.outbox.set_cursor("op1", "https://relay", "43")
    assert store.outbox.cursor("op1", "https://relay") == "43"
    assert store.outbox.mark_applied("op1", "pkg-x", "dev-b", 7)
    assert not store.outbox.mark_applied("op1", "pkg-x", "dev-b", 7)
    assert store.outbox.is_applied("op1", "pkg-x")
    assert store.outbox.last_sender_seq("op1", "dev-b") == 7


def test_settings(store: Store) -> None:
    store.settings.set("language", "ar")
    store.settings.set("language", "fr")
    assert store.settings.get("language") == "fr"
    assert store.settings.all() == {"language": "fr"}
    store.settings.delete("language")
    assert store.settings.get("language", "en") == "en"


def test_hybrid_clock_is_monotonic_and_sortable() -> None:
    clock = HybridClock("dev-a")
    values = [clock.now() for _ in range(2000)]
    assert values == sorted(values) and len(set(values)) == len(values)
    far = "9999999999999.0000.dev-b"
    clock.observe(far)
    assert clock.now() > far
    assert parse_hlc(values[0])[2] == "dev-a"
    with pytest.raises(ValueError):
        parse_hlc("nonsense")


def test_create_many_is_create_for_each_and_all_or_nothing(store: Store) -> None:
    from sync.store.records import NewRecord

    made = store.records.create_many(
        "op1",
        "dev",
        [
            NewRecord("seizure", 1, {"place": "Lomé", "kg": 12}, "h1"),
            NewRecord("person", 2, {"name": "Kofi"}, "h2", "r2", "submitted", "rev2"),
        ],
    )
    alone = store.records.create("op1", "person", 2, {"name": "Kofi"}, "dev", "h2", record_id="r3")
    assert [store.records.get("op1", r.record_id) for r in made] == made
    assert made[1].status == "submitted" and made[1].field_hlc == {"name": "h2", "@status": "h2"}
    assert store.records.history("op1", "r2")[0].revision_id == "rev2"
    assert store.records.history("op1", "r2")[0].changes == {"name": "Kofi"}
    assert store.records.get("op1", "r3") == alone
    assert [e.object for e in store.audit.entries("op1")] == [made[0].record_id, "r2", "r3"]
    before = (store.records.count("op1"), len(store.audit.entries()))
    with pytest.raises(IntegrityError), store.transaction():
        store.records.create_many(
            "op1",
            "dev",
            [
                NewRecord("person", 1, {"name": "Ama"}, "h3", "r4"),
                NewRecord("person", 1, {"name": "Ama"}, "h3", "r2"),
            ],
        )
    assert (store.records.count("op1"), len(store.audit.entries())) == before
    with store.transaction():  # the savepoint undid its own writes; the transaction goes on
        with pytest.raises(IntegrityError):
            store.records.create_many(
                "op1",
                "dev",
                [
                    NewRecord("person", 1, {"name": "Ama"}, "h3", "r4"),
                    NewRecord("person", 1, {"name": "Ama"}, "h3", "r2"),
                ],
            )
        store.records.create("op1", "person", 1, {"name": "Ama"}, "dev", "h3", record_id="r4")
    assert store.records.count("op1") == before[0] + 1
    assert store.audit.verify().ok
