"""Countries for pickers: ISO 3166-1 codes (pycountry) with names in the interface language
(Babel's CLDR territory names), sorted by the caller's collation. No Qt here."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import locales


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # in the interface language


@lru_cache(maxsize=1)
def _codes() -> tuple[tuple[str, str], ...]:
    import pycountry

    return tuple((c.alpha_2, c.name) for c in pycountry.countries)


@lru_cache(maxsize=16)
def _territory_names(babel_code: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale.parse(babel_code).territories)


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in ``language`` (default: the interface language)."""
    names = _territory_names(locales.babel_locale(language))
    if code in names:
        return names[code]
    fallback = dict(_codes()).get(code)
    return fallback or code


def countries(
    language: str | None = None, sort_key: Callable[[str], object] | None = None
) -> list[Country]:
    """Every ISO 3166-1 country, named in ``language`` and sorted with ``sort_key`` (a collator's
    key function; Python's order when none is given)."""
    names = _territory_names(locales.babel_locale(language))
    result = [Country(code, names.get(code, fallback)) for code, fallback in _codes()]
    key = sort_key or _plain_key
    result.sort(key=lambda c: key(c.name))  # type: ignore[arg-type,return-value]
    return result


def _plain_key(name: str) -> str:
    """Without a locale collator: accents sort as their base letter (É with E, Å with A)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
