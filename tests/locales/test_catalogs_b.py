"""The ru, tr, ar and zh_CN catalogs: plural rules, and every translation that is there keeps the
source's placeholders and keyboard mnemonic. Completeness is the suite-wide check's job, so a
new source string never turns these tests red on its own."""

from __future__ import annotations

import re
import unicodedata

import pytest
from babel.messages.catalog import Message

import locales
from locales import tools

PLURALS = {"ru": 3, "tr": 2, "ar": 6, "zh_CN": 1}
WAITING = ("{count} change waiting to send", "{count} changes waiting to send")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    locales.set_language(locales.SOURCE_LANGUAGE)


@pytest.mark.parametrize("code", sorted(PLURALS))
def test_plural_forms_header(code: str) -> None:
    assert tools.read_catalog(code).num_plurals == PLURALS[code]


@pytest.mark.parametrize("code", sorted(PLURALS))
def test_translations_keep_placeholders_and_mnemonics(code: str) -> None:
    problems = []
    for message in tools.read_catalog(code):
        if not message.id or not tools._complete(message):
            continue
        candidate = Message(message.id, message.string, context=message.context)
        errors = tools._placeholder_errors(candidate) + tools._mnemonic_errors(candidate)
        problems += [f"{message.id!r}: {error}" for error in errors]
    assert problems == []


@pytest.mark.parametrize(
    ("code", "count", "expected"),
    [
        ("ru", 1, "1 изменение ждёт отправки"),
        ("ru", 3, "3 изменения ждут отправки"),
        ("ru", 11, "11 изменений ждут отправки"),
        ("ru", 21, "21 изменение ждёт отправки"),
        ("tr", 1, "1 değişiklik gönderilmeyi bekliyor"),
        ("tr", 5, "5 değişiklik gönderilmeyi bekliyor"),
        ("ar", 0, "لا توجد تغييرات بانتظار الإرسال"),
        ("ar", 1, "تغيير واحد بانتظار الإرسال"),
        ("ar", 2, "تغييران بانتظار الإرسال"),
        ("ar", 7, "\u200f7 تغييرات بانتظار الإرسال"),
        ("ar", 12, "\u200f12 تغييرًا بانتظار الإرسال"),
        ("zh_CN", 4, "4 项更改等待发送"),
    ],
)
def test_plural_choice_at_run_time(code: str, count: int, expected: str) -> None:
    locales.set_language(code)
    assert locales.ngettext(*WAITING, count).format(count=count) == expected


def _starts_left_to_right(text: str) -> bool:
    """Qt picks a label's direction from its first strong character; a placeholder is
    usually filled with Latin (paths, names, codes), so it counts as Latin."""
    probe = re.sub(r"\{[^{}]*\}", "A", text)
    if not any(unicodedata.bidirectional(c) == "AL" for c in probe):
        return False  # no Arabic in it: nothing to lay out right to left
    for char in probe:
        if unicodedata.bidirectional(char) == "L":
            return True
        if unicodedata.bidirectional(char) in ("R", "AL", "RLM"):
            return False
    return False


def test_arabic_interface_text_opens_right_to_left() -> None:
    """Arabic text that would begin with Latin (H1, a code, a placeholder) starts with U+200F
    RIGHT-TO-LEFT MARK, so Qt lays it out right to left; the command line is left alone."""
    problems = []
    for message in tools.read_catalog("ar"):
        if not message.id or not tools._complete(message):
            continue
        places = {filename for filename, _line in message.locations}
        if all(p.startswith(("sync/cli/", "sync/relay/")) for p in places):
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        problems += [s for s in strings if _starts_left_to_right(s)]
    assert problems == []
