"""Full-text search in English, French (accents), Arabic and Chinese, scoped by operation."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.store import search
from sync.store.db import Store

RECORDS = {
    "en": "Cocaine found in the false bottom of a suitcase, flight BOG-CDG",
    "fr": "L'État a saisi 12 kg de résine de cannabis à la frontière de Hendaye",
    "ar": "ضبطت الجمارك كمية من المخدرات في ميناء جدة الإسلامي",
    "zh": "上海海关在洋山港查获走私可卡因二十公斤",
}


@pytest.fixture
def ids(store: Store) -> dict[str, str]:
    out = {}
    for lang, text in RECORDS.items():
        rec = store.records.create("op1", "seizure", 1, {"description": text, "qty": 12}, "d", "h")
        out[lang] = rec.record_id
    store.records.create("op2", "seizure", 1, {"description": RECORDS["en"]}, "d", "h")
    return out


def found(store: Store, query: str, op: str | None = "op1") -> set[str]:
    return {hit.id for hit in store.search(query, op)}


def test_english_words_prefixes_substrings_and_case(store: Store, ids: dict[str, str]) -> None:
    assert found(store, "cocaine") == {ids["en"]}
    assert found(store, "COCAINE suitcase") == {ids["en"]}
    assert found(store, "suitc") == {ids["en"]}
    assert found(store, "BOG") == {ids["en"]}
    assert found(store, "cocaine heroin") == set()


def test_french_accents_either_way(store: Store, ids: dict[str, str]) -> None:
    assert found(store, "etat") == {ids["fr"]}
    assert found(store, "État") == {ids["fr"]}
    assert found(store, "resine") == {ids["fr"]}
    assert found(store, "frontiere hendaye") == {ids["fr"]}


def test_arabic_words_and_attached_prefixes(store: Store, ids: dict[str, str]) -> None:
    assert found(store, "المخدرات") == {ids["ar"]}
    assert found(store, "مخدرات") == {ids["ar"]}  # without the article, inside the word
    assert found(store, "جمارك") == {ids["ar"]}
    assert found(store, "ميناء جدة") == {ids["ar"]}


def test_chinese_substrings_including_two_characters(store: Store, ids: dict[str, str]) -> None:
    assert found(store, "可卡因") == {ids["zh"]}
    assert found(store, "洋山港") == {ids["zh"]}
    assert found(store, "海关") == {ids["zh"]}  # two characters: below the trigram size
    assert found(store, "走私") == {ids["zh"]}


def test_short_and_numeric_terms(store: Store, ids: dict[str, str]) -> None:
    assert found(store, "kg") == {ids["fr"]}
    assert ids["fr"] in found(store, "12")


def test_scoped_by_operation(store: Store, ids: dict[str, str]) -> None:
    assert len(found(store, "cocaine", None)) == 2
    assert found(store, "cocaine", "op2") != found(store, "cocaine", "op1")
    assert found(store, "cocaine", "nope") == set()


def test_hits_carry_kind_id_and_marked_snippet(store: Store, ids: dict[str, str]) -> None:
    store.messages.add("op1", "d", "Alerte cocaïne", "Surveiller les vols BOG-CDG", "h")
    store.library.add("op1", "Photo de la valise (cocaïne)", 10, "ab", "d", "h")
    hits = store.search("cocaine", "op1")
    assert sorted(h.kind for h in hits) == ["library", "message", "record"]
    for hit in hits:
        assert "[" in hit.snippet and "]" in hit.snippet
        assert "\n" not in hit.snippet
    short = store.search("海关", "op1")
    assert short[0].snippet.count("[") == 1


def test_index_follows_edits_and_erasure(store: Store, ids: dict[str, str]) -> None:
    store.records.apply("op1", ids["en"], {"description": "Heroin in a backpack"}, "d", "h2")
    assert found(store, "cocaine") == set()
    assert found(store, "heroin") == {ids["en"]}
    store.records.erase("op1", ids["en"])
    assert found(store, "heroin") == set()


def test_query_syntax_is_never_interpreted(store: Store, ids: dict[str, str]) -> None:
    for query in ['"', "AND", "OR NOT", "col:val", "a*", "(((", "NEAR(a b)", "'; DROP", "  "]:
        store.search(query, "op1")  # no exception
    assert found(store, '"cocaine"') == {ids["en"]}


def test_limit(store: Store) -> None:
    for i in range(30):
        store.messages.add("op1", "d", f"routine {i}", "body", f"h{i:03d}")
    hits = store.search("routine", "op1", limit=10)
    assert len(hits) == 10
    assert hits[0].snippet.startswith("[routine] 29")  # newest first


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(st.characters(codec=None), max_size=20))
def test_any_query_text_is_safe(store: Store, query: str) -> None:
    """Queries are outside input: any text runs as a plain search, never as FTS5 syntax."""
    hits = store.search(query, "op1")
    assert isinstance(hits, list)


def test_control_characters_and_surrogates_are_ignored(store: Store, ids: dict[str, str]) -> None:
    assert found(store, "coca\x00ine") == {ids["en"]}  # two terms, "coca" and "ine"
    assert found(store, "\x00cocaine\udcff") == {ids["en"]}


# -- deferred, bulk indexing (migration 0007) ---------------------------------------------


def assert_indexes_match_content(store: Store) -> None:
    """FTS5's own check of both indexes against search_content (rank 1: compare content)."""
    for fts in ("search_words", "search_trigram"):
        store.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
    assert store.query("SELECT * FROM search_pending") == []
    assert store.query("SELECT * FROM search_deferred") == []


def fts_pages(store: Store) -> list[tuple[int, ...]]:
    return store.query("SELECT count(*), max(id) FROM search_trigram_data")


def test_deferred_rows_are_indexed_once_before_commit(store: Store) -> None:
    with store.transaction():
        search.defer_indexing(store)
        before = fts_pages(store)
        recs = [
            store.records.create("op1", "seizure", 1, {"note": f"pangolin {i}"}, "d", "h")
            for i in range(5)
        ]
        assert fts_pages(store) == before  # nothing indexed yet, only noted
        assert len(store.query("SELECT id FROM search_pending")) == 5
    assert_indexes_match_content(store)
    # A reader on another connection finds what was committed, without writing anything.
    reader = store.reopen()
    try:
        assert {hit.id for hit in reader.search("pangolin", "op1")} == {r.record_id for r in recs}
        assert not reader.conn.in_transaction
    finally:
        reader.close()
    # The deferral ended with the transaction: the next write is indexed at once.
    with store.transaction():
        store.records.create("op1", "seizure", 1, {"note": "okapi"}, "d", "h")
        assert store.query("SELECT id FROM search_pending") == []


def test_search_inside_a_deferred_transaction_sees_its_writes(store: Store) -> None:
    with store.transaction():
        search.defer_indexing(store)
        rec = store.records.create("op1", "seizure", 1, {"note": "pangolin scales"}, "d", "h")
        assert found(store, "pangolin") == {rec.record_id}
        store.records.apply("op1", rec.record_id, {"note": "ivory tusks"}, "d", "h2")
        assert found(store, "pangolin") == set()
        assert found(store, "ivory") == {rec.record_id}
    assert found(store, "ivory") == {rec.record_id}
    assert_indexes_match_content(store)


def test_defer_indexing_needs_a_transaction(store: Store) -> None:
    with pytest.raises(RuntimeError):
        search.defer_indexing(store)


def test_rolled_back_deferred_writes_leave_the_indexes_alone(
    store: Store, ids: dict[str, str]
) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        search.defer_indexing(store)
        store.records.create("op1", "seizure", 1, {"note": "pangolin"}, "d", "h")
        store.records.erase("op1", ids["en"])
        raise RuntimeError
    assert found(store, "pangolin") == set()
    assert found(store, "suitcase") == {ids["en"]}
    assert_indexes_match_content(store)


@pytest.mark.parametrize("defer_from", [0, 1, 3, 99])
def test_every_mix_of_changes_indexes_the_final_text(store: Store, defer_from: int) -> None:
    """Insert, edit, delete and re-insert (reusing the deleted row's content id) before one
    commit, over rows indexed earlier and rows not indexed yet, deferring from some step on
    (99: never): the indexes end up exactly as the content, and search finds the final text."""
    kept = store.records.create("op1", "seizure", 1, {"note": "alpha one"}, "d", "h1")
    gone = store.records.create("op1", "seizure", 1, {"note": "bravo two"}, "d", "h1")
    records = store.records
    content_id = "SELECT id FROM search_content WHERE object_id = ?"
    gone_id = store.query_one(content_id, (gone.record_id,))
    with store.transaction():
        steps = [
            lambda: records.apply("op1", kept.record_id, {"note": "charlie three"}, "d", "h2"),
            lambda: records.apply("op1", kept.record_id, {"note": "delta four"}, "d", "h3"),
            lambda: records.erase("op1", gone.record_id),  # the newest row: its id is reused
            lambda: records.create("op1", "seizure", 1, {"note": "echo five"}, "d", "h4"),
            lambda: records.create("op1", "seizure", 1, {"note": "foxtrot six"}, "d", "h4"),
        ]
        made = []
        for n, step in enumerate(steps):
            if n == defer_from:
                search.defer_indexing(store)
            made.append(step())
        fresh, brief = made[3], made[4]
        assert store.query_one(content_id, (fresh.record_id,)) == gone_id
        records.apply("op1", brief.record_id, {"note": "golf seven"}, "d", "h5")
        records.erase("op1", brief.record_id)
        records.apply("op1", fresh.record_id, {}, "d", "h6", status="submitted")
    assert_indexes_match_content(store)
    for gone_text in ("alpha", "bravo", "charlie", "foxtrot", "golf"):
        assert found(store, gone_text) == set(), gone_text
    assert found(store, "delta") == {kept.record_id}
    assert found(store, "echo five") == {fresh.record_id}
    assert found(store, "fi") == {fresh.record_id}  # the unicode61 index (short terms)


def test_a_status_change_leaves_the_indexes_untouched(store: Store, ids: dict[str, str]) -> None:
    before = fts_pages(store)
    store.records.apply("op1", ids["fr"], {}, "d", "h2", status="submitted")
    assert fts_pages(store) == before
    assert found(store, "Hendaye") == {ids["fr"]}
