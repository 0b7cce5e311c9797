"""Text folding shared by lookups and header matching: case, accents, punctuation, spaces."""

from __future__ import annotations

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
