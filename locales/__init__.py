"""Translation runtime shared by every layer: ``_``, ``ngettext`` and the language switch.

Catalogs live beside this file as ``<lang>/LC_MESSAGES/cordon.po``; the ``.po`` file is the
source of truth and is read directly at run time, so a stale compiled ``.mo`` can never be used.
This package imports nothing from ``sync``, ``forms`` or ``desktop``; all three import it.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent
DOMAIN = "cordon"
SOURCE_LANGUAGE = "en"
PSEUDO_LANGUAGE = "en_XA"


@dataclass(frozen=True)
class Language:
    code: str  # gettext catalog folder and Babel locale identifier
    native_name: str
    rtl: bool = False


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English"),
    Language("fr", "Français"),
    Language("es", "Español"),
    Language("pt", "Português"),
    Language("de", "Deutsch"),
    Language("ru", "Русский"),
    Language("tr", "Türkçe"),
    Language("ar", "العربية", rtl=True),
    Language("zh_CN", "简体中文"),
)
_BY_CODE = {lang.code: lang for lang in LANGUAGES}

_lock = threading.Lock()
_current = SOURCE_LANGUAGE
_catalogs: dict[str, dict[object, str]] = {}
_plural_exprs: dict[str, str] = {}
_listeners: list[Callable[[str], None]] = []


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction without translating it yet (translate where it is shown)."""
    return message


def _load(code: str) -> dict[object, str]:
    """Read one language's ``.po`` into a lookup table; missing or fuzzy entries fall back."""
    if code in _catalogs:
        return _catalogs[code]
    table: dict[object, str] = {}
    if code == PSEUDO_LANGUAGE:
        table = _pseudo_table()
    else:
        path = CATALOG_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            from babel.messages.pofile import read_po

            with path.open("rb") as fh:
                catalog = read_po(fh, locale=code)
            _plural_exprs[code] = catalog.plural_expr
            for message in catalog:
                if not message.id or message.fuzzy:
                    continue
                if isinstance(message.id, tuple):
                    strings = message.string if isinstance(message.string, tuple) else ()
                    for index, text in enumerate(strings):
                        if text:
                            table[(message.id[0], index)] = text
                elif message.string:
                    key: object = (message.context, message.id) if message.context else message.id
                    table[key] = str(message.string)
    _catalogs[code] = table
    return table


_PLACEHOLDER = re.compile(r"(\{[^{}]*\}|%\([a-z_]+\)[sd]|%[sd])")
_ACCENTS = str.maketrans(
    "abcdeghiklmnoprstuwyzABCDEGHIKLMNOPRSTUWYZ",
    "àƀçđéĝĥíķĺɱñöƥŕšţüŵýžÀƁÇĐÉĜĤÍĶĹМÑÖƤŔŠŢÜŴÝŽ",
)


def pseudo(text: str) -> str:
    """Accent and lengthen ``text`` (placeholders untouched) to expose untranslated strings."""
    parts = _PLACEHOLDER.split(text)
    out = [part if _PLACEHOLDER.fullmatch(part) else part.translate(_ACCENTS) for part in parts]
    padding = "~" * max(1, len(text) // 3)
    return f"[{''.join(out)}{padding}]"


def _pseudo_table() -> dict[object, str]:
    return _PseudoTable()


class _PseudoTable(dict[object, str]):
    """Translates every message id on demand, so the pseudo-locale needs no catalog file."""

    def get(self, key: object, default: object = None) -> str:  # type: ignore[override,unused-ignore]
        if isinstance(key, tuple):
            if isinstance(key[0], str) and isinstance(key[1], str):
                return pseudo(key[1])
            return pseudo(str(key[0]))
        return pseudo(str(key))


def set_language(code: str) -> None:
    """Switch the interface language for every layer and tell the listeners (open windows)."""
    global _current
    if code not in _BY_CODE and code != PSEUDO_LANGUAGE:
        raise ValueError(f"unknown language {code!r}")
    with _lock:
        _load(code)
        _current = code
        listeners = list(_listeners)
    for listener in listeners:
        listener(code)


def current_language() -> str:
    return _current


def is_rtl(code: str | None = None) -> bool:
    lang = _BY_CODE.get(code or _current)
    return bool(lang and lang.rtl)


def babel_locale(code: str | None = None) -> str:
    """The Babel/CLDR locale identifier for a language code (the pseudo-locale formats as en)."""
    code = code or _current
    return "en" if code == PSEUDO_LANGUAGE else code


def on_language_changed(listener: Callable[[str], None]) -> Callable[[], None]:
    """Register ``listener(code)``; returns a function that unregisters it."""
    with _lock:
        _listeners.append(listener)

    def remove() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return remove


def gettext(message: str) -> str:
    if _current == SOURCE_LANGUAGE:
        return message
    return _load(_current).get(message) or message


def pgettext(context: str, message: str) -> str:
    if _current == SOURCE_LANGUAGE:
        return message
    return _load(_current).get((context, message)) or message


def ngettext(singular: str, plural: str, n: int) -> str:
    if _current != SOURCE_LANGUAGE:
        table = _load(_current)
        index = _plural_index(_current, n)
        found = table.get((singular, index))
        if found:
            return found
    return singular if n == 1 else plural


def _plural_index(code: str, n: int) -> int:
    """Which plural form to use, by the catalog's own Plural-Forms header."""
    expr = _plural_exprs.get(code)
    if expr is None:
        return 0 if n == 1 else 1
    return _evaluate_plural(expr, n)


_plural_cache: dict[str, Callable[[int], int]] = {}


def _evaluate_plural(expr: str, n: int) -> int:
    """Evaluate a gettext plural expression such as ``(n != 1)`` safely (C syntax, n only)."""
    func = _plural_cache.get(expr)
    if func is None:
        from gettext import c2py

        func = c2py(expr)
        _plural_cache[expr] = func
    return int(func(n))


_ = gettext

__all__ = [
    "LANGUAGES",
    "Language",
    "N_",
    "PSEUDO_LANGUAGE",
    "SOURCE_LANGUAGE",
    "babel_locale",
    "current_language",
    "gettext",
    "is_rtl",
    "ngettext",
    "on_language_changed",
    "pgettext",
    "pseudo",
    "set_language",
    "_",
]


def match_language(names: Iterable[str]) -> str:
    """The first of ``names`` (``fr_FR.UTF-8``, ``pt-BR``, ``zh_CN`` ...) that Cordon speaks,
    by exact code, then by base language; English when none matches."""
    for raw in names:
        name = raw.split(".")[0].split("@")[0].replace("-", "_")
        if name in _BY_CODE or name == PSEUDO_LANGUAGE:
            return name
        base = name.split("_")[0]
        if base == "zh" and name not in ("zh_TW", "zh_HK", "zh_Hant"):
            return "zh_CN"
        if base in _BY_CODE:
            return base
    return SOURCE_LANGUAGE


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The command line's language: ``CORDON_LANGUAGE``, else the POSIX locale variables in
    their order of precedence (``LANGUAGE`` may list several, separated by colons)."""
    env = os.environ if environ is None else environ
    names: list[str] = []
    for variable in ("CORDON_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        if value and value not in ("C", "POSIX"):
            names.extend(part for part in value.split(":") if part)
    return match_language(names)
