"""Full-text search over record field values, message subjects and bodies, library titles.

Two FTS5 indexes over one content table (migration 0002):

* terms of 3 characters or more go to the trigram index: substring search that works for
  Chinese (no spaces between words), Arabic (prefixes attached to words), accents removed;
* a query made only of shorter terms goes to the unicode61 index as word prefixes, then, if
  that found too little, to a scan of the operation's content (``instr``), since a trigram
  index cannot answer fewer than 3 characters.

All terms must match (AND). Hits come newest first (rowid order, which lets FTS5 stop after
``limit`` hits instead of ranking every match, so common terms stay fast over 100,000 records).

Triggers keep the indexes in step with the content row by row, except inside a write
transaction that called ``defer_indexing`` (a bulk writer: the sync engine applying a batch of
packages): there they only note the changed rows, and ``index_pending`` indexes them all at
once, before the transaction commits (migration 0007).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.store.db import Store

MIN_TRIGRAM = 3
DEFAULT_LIMIT = 50
SNIPPET_WORDS = 12  # unicode61 tokens are words
SNIPPET_TRIGRAMS = 48  # trigram tokens are about one character each
MARK = ("[", "]")
ELLIPSIS = "…"


@dataclass(frozen=True)
class SearchHit:
    kind: str  # record, message, library
    id: str
    operation_id: str
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "operation_id": self.operation_id,
            "snippet": self.snippet,
        }


def terms_of(query: str) -> list[str]:
    """The query's terms: whitespace-separated, NFC-normalised, without double quotes or
    control characters or lone surrogates (FTS5 cannot quote a NUL)."""
    text = "".join(
        " " if c == '"' or unicodedata.category(c) in ("Cc", "Cs") else c
        for c in unicodedata.normalize("NFC", query)
    )
    return [t for t in text.split() if t]


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, as SQLite's lower() does (so both sides agree)."""
    return "".join(c.lower() if c.isascii() else c for c in text)


def _scope(operation_id: str | None) -> tuple[str, tuple[Any, ...]]:
    if operation_id is None:
        return "", ()
    return " AND c.operation_id = ?", (operation_id,)


# For each noted row, the indexes hold ``indexed`` (when not NULL): take it out of both, then
# put in what search_content holds now (nothing if the row is gone). Every removal goes before
# every addition, so a content id reused after a deletion is handled too.
_INDEX_PENDING = (
    *(
        f"INSERT INTO {fts} ({fts}, rowid, body) "  # noqa: S608 - constant table names
        "SELECT 'delete', id, indexed FROM search_pending WHERE indexed IS NOT NULL ORDER BY id"
        for fts in ("search_words", "search_trigram")
    ),
    *(
        f"INSERT INTO {fts} (rowid, body) "  # noqa: S608 - constant table names
        "SELECT c.id, c.body FROM search_pending p JOIN search_content c ON c.id = p.id "
        "ORDER BY p.id"
        for fts in ("search_words", "search_trigram")
    ),
    "DELETE FROM search_pending",
)


def has_pending(store: Store) -> bool:
    return store.query_one("SELECT 1 FROM search_pending LIMIT 1") is not None


def defer_indexing(store: Store) -> None:
    """From now until ``index_pending`` (at the latest, just before the open transaction
    commits), note changed content rows instead of indexing each at once."""
    if not store.conn.in_transaction:
        raise RuntimeError("defer_indexing needs an open write transaction")
    store.execute("INSERT INTO search_deferred (id) VALUES (1) ON CONFLICT DO NOTHING")


def index_pending(store: Store) -> None:
    """End any deferral and bring both FTS5 indexes up to date with ``search_content`` (in
    the caller's transaction, or in one of its own)."""
    with store.transaction():
        store.execute("DELETE FROM search_deferred")
        if not has_pending(store):
            return
        for sql in _INDEX_PENDING:
            store.execute(sql)


def search(
    store: Store,
    query: str,
    operation_id: str | None = None,
    *,
    limit: int = DEFAULT_LIMIT,
    kinds: tuple[str, ...] | None = None,
) -> list[SearchHit]:
    """Hits for ``query`` (all terms), in ``operation_id`` or everywhere, newest first."""
    terms = terms_of(query)
    if not terms or limit <= 0:
        return []
    if has_pending(store):  # deferred in this open transaction (or left by a raw COMMIT)
        index_pending(store)
    long_terms = [t for t in terms if len(t) >= MIN_TRIGRAM]
    short_terms = [t for t in terms if len(t) < MIN_TRIGRAM]
    scope_sql, scope_params = _scope(operation_id)
    if kinds:
        scope_sql += f" AND c.kind IN ({', '.join('?' for _ in kinds)})"
        scope_params += tuple(kinds)
    short_sql = "".join(" AND instr(lower(c.body), ?) > 0" for _ in short_terms)
    short_params = tuple(_ascii_lower(t) for t in short_terms)
    if long_terms:
        match = " AND ".join(_quoted(t) for t in long_terms)
        sql = "".join(  # only placeholders and constants are joined in
            (
                "SELECT c.kind, c.object_id, c.operation_id, ",
                f"snippet(search_trigram, 0, ?, ?, ?, {SNIPPET_TRIGRAMS}) ",
                "FROM search_trigram JOIN search_content c ON c.id = search_trigram.rowid ",
                "WHERE search_trigram MATCH ?",
                scope_sql,
                short_sql,
                " ORDER BY search_trigram.rowid DESC LIMIT ?",
            )
        )
        rows = store.query(sql, (*MARK, ELLIPSIS, match, *scope_params, *short_params, limit))
        return [SearchHit(r[0], r[1], r[2], _one_line(r[3])) for r in rows]
    # Only short terms: word prefixes first, then a scan for substrings inside words.
    match = " AND ".join(_quoted(t) + "*" for t in short_terms)
    sql = "".join(
        (
            "SELECT c.id, c.kind, c.object_id, c.operation_id, ",
            f"snippet(search_words, 0, ?, ?, ?, {SNIPPET_WORDS}) ",
            "FROM search_words JOIN search_content c ON c.id = search_words.rowid ",
            "WHERE search_words MATCH ?",
            scope_sql,
            " ORDER BY search_words.rowid DESC LIMIT ?",
        )
    )
    rows = store.query(sql, (*MARK, ELLIPSIS, match, *scope_params, limit))
    hits = [SearchHit(r[1], r[2], r[3], _one_line(r[4])) for r in rows]
    if len(hits) < limit:
        seen = {int(r[0]) for r in rows}
        sql = "".join(
            (
                "SELECT c.id, c.kind, c.object_id, c.operation_id, c.body FROM search_content c ",
                "WHERE 1",
                scope_sql,
                short_sql,
                " ORDER BY c.id DESC LIMIT ?",
            )
        )
        scan = store.query(sql, (*scope_params, *short_params, limit + len(seen)))
        for row in scan:
            if int(row[0]) in seen:
                continue
            hits.append(SearchHit(row[1], row[2], row[3], make_snippet(row[4], short_terms)))
            if len(hits) >= limit:
                break
    return hits


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))


def make_snippet(body: str, terms: list[str], width: int = 60) -> str:
    """A window of ``body`` around the first term found, the terms marked as FTS5 does."""
    lowered = _ascii_lower(body)
    positions = [(lowered.find(_ascii_lower(t)), t) for t in terms]
    found = sorted((p, t) for p, t in positions if p >= 0)
    if not found:
        return body[:width] + (ELLIPSIS if len(body) > width else "")
    start = max(0, found[0][0] - width // 3)
    end = min(len(body), start + width)
    window = body[start:end]
    for term in sorted({t for _, t in found}, key=len, reverse=True):
        low = _ascii_lower(window)
        at = low.find(_ascii_lower(term))
        if at >= 0:
            window = (
                window[:at]
                + MARK[0]
                + window[at : at + len(term)]
                + MARK[1]
                + window[at + len(term) :]
            )
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(body) else ""
    return (prefix + window + suffix).replace("\n", " ")
