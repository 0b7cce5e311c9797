"""Threads by subject and attachment lines: parsers of other participants' text, fuzzed."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.workspace.messages_data import (
    MessageView,
    build_threads,
    hlc_time,
    join_body,
    reply_subject,
    split_body,
    strip_reply,
    thread_key,
)

ids = st.text("0123456789abcdef", min_size=32, max_size=32)
titles = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_split_body_never_raises_and_keeps_plain_text(body: str) -> None:
    text, refs = split_body(body)
    assert len(refs) <= 20
    if not refs:
        assert text == body


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.lists(st.tuples(ids, titles), max_size=5))
def test_join_then_split_round_trips(text: str, refs: list[tuple[str, str]]) -> None:
    body = join_body(text, refs)
    got_text, got_refs = split_body(body)
    assert [i for i, _t in got_refs] == [i for i, _t in refs] or not refs and got_refs == []
    assert [t for _i, t in got_refs] == [" ".join(t.split()) for _i, t in refs]
    if refs:
        assert got_text == text.rstrip("\n").rstrip() or got_text.strip() == text.strip()


def test_reference_lines_in_the_middle_stay_text() -> None:
    body = "[library:" + "a" * 32 + "] quoted\nand more text"
    assert split_body(body) == (body, [])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100))
def test_reply_subjects_thread_together(subject: str) -> None:
    assert thread_key(reply_subject(subject)) == thread_key(subject)
    assert thread_key(reply_subject(reply_subject(subject))) == thread_key(subject)


def test_strip_reply_prefixes() -> None:
    assert strip_reply("RE: Fw: re[2]: Container") == "Container"
    assert strip_reply("رد: شحنة") == "شحنة"
    assert strip_reply("Re:" * 10_000 + "x") != ""  # bounded work, no error


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_hlc_time_never_raises(value: str) -> None:
    hlc_time(value)


def test_threads_are_ordered_by_last_activity() -> None:
    def view(subject: str, minute: int, read: bool = True) -> MessageView:
        sent = dt.datetime(2026, 11, 22, 8, minute, tzinfo=dt.UTC)
        return MessageView(
            f"{minute:032x}", "operation", "a", "A", None, "", subject, "t", (), sent, read, False
        )

    threads = build_threads([view("Lagos", 1), view("Re: Lagos", 5, read=False), view("Santos", 3)])
    assert [t.subject for t in threads] == ["Lagos", "Santos"]
    assert threads[0].unread == 1 and len(threads[0].messages) == 2
