"""Text folding shared by lookups and header matching: case, accents, punctuation, spaces."""

from __future__ import annotations

import functools
import unicodedata

_DROP = str.maketrans("", "", " \t\r\n_-./:;,()[]'\"*#°№")


def fold(text: str) -> str:
    """Casefold, strip accents (not letters of other scripts) and punctuation: ``N° de série``
    and ``no de serie`` fold alike, while Cyrillic, Arabic and Chinese stay themselves."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).translate(_DROP)


def fold_name(text: str) -> str:
    """Like ``fold`` but keeps single spaces between words (for name prefix search)."""
    if text.isascii():  # most place names: no accents to strip
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


@functools.cache
def translated_labels(label: str) -> tuple[str, ...]:
    """A label (a gettext message id) and its translation in every interface language, so a
    spreadsheet written in French or Arabic is understood whatever the interface language."""
    from locales import LANGUAGES, _load  # the runtime's own catalog reader

    names = [label]
    for lang in LANGUAGES:
        try:
            table = _load(lang.code)
        except Exception:  # noqa: S112 - a broken catalog only costs a match
            continue
        found = table.get(label)
        if isinstance(found, str) and found and found not in names:
            names.append(found)
    return tuple(names)


@functools.cache
def folded_labels(label: str) -> frozenset[str]:
    """``translated_labels`` folded for matching, mnemonic markers and empties dropped."""
    return frozenset(f for f in (fold(n.replace("&", "")) for n in translated_labels(label)) if f)
