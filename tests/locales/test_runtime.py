"""The translation runtime: language switch, listeners, plurals and the pseudo-locale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import locales
from locales import _, ngettext, pseudo, set_language


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_language("en")
    locales._catalogs.clear()
    locales._plural_exprs.clear()


def _write_catalog(root: Path, code: str, body: str) -> None:
    folder = root / code / "LC_MESSAGES"
    folder.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
    if not body.startswith('"Plural-Forms'):
        header += "\n"
    (folder / "cordon.po").write_text(header + body, encoding="utf-8")


def test_switch_translates_and_tells_listeners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locales, "CATALOG_DIR", tmp_path)
    _write_catalog(tmp_path, "fr", 'msgid "Seizure"\nmsgstr "Saisie"\n')
    heard: list[str] = []
    remove = locales.on_language_changed(heard.append)
    set_language("fr")
    assert _("Seizure") == "Saisie"
    assert _("Not in the catalog") == "Not in the catalog"
    assert heard == ["fr"]
    remove()
    set_language("en")
    assert heard == ["fr"]
    assert _("Seizure") == "Seizure"


def test_fuzzy_entries_are_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locales, "CATALOG_DIR", tmp_path)
    _write_catalog(tmp_path, "de", '#, fuzzy\nmsgid "Vessel"\nmsgstr "Schiff"\n')
    set_language("de")
    assert _("Vessel") == "Vessel"


def test_plural_form_comes_from_the_catalog_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locales, "CATALOG_DIR", tmp_path)
    forms = "".join(f'msgstr[{i}] "form{i} {{count}}"\n' for i in range(6))
    header = (
        '"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : '
        'n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"\n\n'
    )
    _write_catalog(
        tmp_path,
        "ar",
        header + f'msgid "{{count}} record"\nmsgid_plural "{{count}} records"\n{forms}',
    )
    set_language("ar")
    picked = {n: ngettext("{count} record", "{count} records", n) for n in (0, 1, 2, 5, 11, 100)}
    assert picked == {
        0: "form0 {count}",
        1: "form1 {count}",
        2: "form2 {count}",
        5: "form3 {count}",
        11: "form4 {count}",
        100: "form5 {count}",
    }
    assert locales.is_rtl()


def test_pseudo_locale_changes_every_string_but_keeps_placeholders() -> None:
    set_language(locales.PSEUDO_LANGUAGE)
    text = _("{count} seizures on route {route}")
    assert text != "{count} seizures on route {route}"
    assert "{count}" in text and "{route}" in text
    assert text.format(count=3, route="BOG-CDG")
    assert pseudo("Save").startswith("[") and len(pseudo("Save")) > len("Save")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        set_language("xx")
