"""ISO 4217 currencies from pycountry, named in the interface language through Babel."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from locales import babel_locale


@dataclass(frozen=True)
class Currency:
    code: str
    name: str


@functools.cache
def _codes() -> dict[str, str]:
    import pycountry

    return {c.alpha_3: c.name for c in pycountry.currencies}


def is_currency(code: str) -> bool:
    return code in _codes()


def currencies(language: str | None = None) -> list[Currency]:
    from babel import Locale

    names = Locale.parse(babel_locale(language)).currencies
    rows = [Currency(code, names.get(code, name)) for code, name in _codes().items()]
    return sorted(rows, key=lambda c: c.code)
