"""ISO 3166-1 countries from pycountry, named in the interface language through Babel (CLDR)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from locales import babel_locale


@dataclass(frozen=True)
class Country:
    alpha2: str
    alpha3: str
    name: str  # in the language asked for


@functools.cache
def _alpha2_codes() -> tuple[tuple[str, str, str], ...]:
    import pycountry

    return tuple(
        sorted((c.alpha_2, c.alpha_3, c.name) for c in pycountry.countries)
    )


@functools.cache
def _alpha3_to_2() -> dict[str, str]:
    return {a3: a2 for a2, a3, _ in _alpha2_codes()}


@functools.cache
def _territory_names(locale: str) -> dict[str, str]:
    from babel import Locale, UnknownLocaleError

    try:
        return dict(Locale.parse(locale).territories)
    except (UnknownLocaleError, ValueError):
        return {}


@functools.cache
def _alpha2_set() -> frozenset[str]:
    return frozenset(a2 for a2, _, _ in _alpha2_codes())


def is_country(code: str) -> bool:
    return code in _alpha2_set()


def to_alpha2(code: str) -> str | None:
    """Normalise an ISO alpha-2 or alpha-3 code (any case) to alpha-2, or None."""
    code = code.strip().upper()
    if len(code) == 2 and is_country(code):
        return code
    if len(code) == 3:
        return _alpha3_to_2().get(code)
    return None


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in ``language`` (default: the interface language)."""
    names = _territory_names(babel_locale(language))
    if code in names:
        return names[code]
    for a2, _, name in _alpha2_codes():
        if a2 == code:
            return name
    return code


def countries(language: str | None = None) -> list[Country]:
    """Every country, sorted by its name in ``language``."""
    names = _territory_names(babel_locale(language))
    rows = [Country(a2, a3, names.get(a2, name)) for a2, a3, name in _alpha2_codes()]
    return sorted(rows, key=lambda c: c.name.casefold())


@functools.cache
def _name_lookup() -> dict[str, str]:
    """Country names in every interface language (folded) -> alpha-2, for imports."""
    from forms.text import fold
    from locales import LANGUAGES

    table: dict[str, str] = {}
    for a2, a3, name in _alpha2_codes():
        table[fold(name)] = a2
        table[fold(a3)] = a2
        table[fold(a2)] = a2
    for lang in LANGUAGES:
        for a2, name in _territory_names(babel_locale(lang.code)).items():
            if len(a2) == 2 and a2.isalpha() and is_country(a2):
                table.setdefault(fold(name), a2)
    return table


def lookup_country(text: str) -> str | None:
    """An alpha-2 code for a code or a country name in any interface language, or None."""
    from forms.text import fold

    code = to_alpha2(text)
    if code:
        return code
    return _name_lookup().get(fold(text))
