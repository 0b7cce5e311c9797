"""Catalog maintenance: extraction, the stale-template check and the catalog checks."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from hypothesis import given, settings
from hypothesis import strategies as st

from locales import tools


def _project(root: Path) -> None:
    pkg = root / "sync"
    pkg.mkdir()
    (pkg / "mod.py").write_text(
        "from locales import _, N_, ngettext\n"
        "LABEL = N_('Vessel')\n"
        "def f(n):\n"
        "    # Translators: shown after saving\n"
        "    return _('Saved {name}').format(name='x'), ngettext('{n} case', '{n} cases', n)\n",
        encoding="utf-8",
    )


def test_extract_finds_gettext_marker_and_plural_with_comments(tmp_path: Path) -> None:
    _project(tmp_path)
    catalog = tools.extract(tmp_path, packages=("sync",))
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert ids == {"Vessel", "Saved {name}", "{n} case"}
    saved = catalog.get("Saved {name}")
    assert saved is not None and saved.auto_comments == ["shown after saving"]


def test_rendered_template_is_deterministic(tmp_path: Path) -> None:
    _project(tmp_path)
    first = tools.render_pot(tools.extract(tmp_path, packages=("sync",)))
    second = tools.render_pot(tools.extract(tmp_path, packages=("sync",)))
    assert first == second


def _po(path: Path, entries: list[tuple[str, str, bool]]) -> None:
    catalog = Catalog(locale="fr")
    for msgid, msgstr, fuzzy in entries:
        catalog.add(msgid, msgstr, flags=("fuzzy",) if fuzzy else ())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)


def test_catalog_check_reports_untranslated_fuzzy_and_placeholder_mistakes(tmp_path: Path) -> None:
    template = Catalog()
    for msgid in ("Vessel", "Saved {name}", "Container", "Route {route}"):
        template.add(msgid)
    po = tmp_path / "fr.po"
    _po(
        po,
        [
            ("Vessel", "Navire", False),
            ("Saved {name}", "Enregistré {nom}", False),
            ("Container", "Conteneur", True),
        ],
    )
    problems = [str(p) for p in tools.check_catalog(po, template)]
    assert any("untranslated 'Route {route}'" in p for p in problems)
    assert any("fuzzy 'Container'" in p for p in problems)
    assert any("'Saved {name}'" in p and "placeholders" in p for p in problems)
    assert not any("'Vessel'" in p for p in problems)


def test_placeholders_cover_brace_and_percent_styles() -> None:
    assert tools.placeholders("{count} of %(total)s, %s") == {"count", "total", ""}


# --- todo and fill -------------------------------------------------------------------------------


def _ru_catalog(path: Path) -> None:
    """A small Russian catalog (three plural forms) with every kind of entry."""
    catalog = Catalog(locale="ru")
    catalog.add("Vessel", locations=[("sync/a.py", 3)])
    catalog.add("Saved {name}", locations=[("sync/a.py", 4)], auto_comments=["after saving"])
    catalog.add("&Open", "&Открыть", locations=[("desktop/b.py", 1)])
    catalog.add("Seal", "Печать", flags=("fuzzy",), locations=[("desktop/b.py", 2)])
    catalog.add(("{n} case", "{n} cases"), locations=[("sync/a.py", 9)])
    catalog.add("Open", context="verb", locations=[("desktop/b.py", 5)])
    tools.write_catalog(path, catalog)


def test_todo_lists_untranslated_and_fuzzy_entries(tmp_path: Path) -> None:
    po = tmp_path / "ru.po"
    _ru_catalog(po)
    entries = {(e["context"], e["id"]): e for e in tools.todo("ru", po)}
    assert set(entries) == {
        (None, "Vessel"),
        (None, "Saved {name}"),
        (None, "Seal"),
        (None, "{n} case"),
        ("verb", "Open"),
    }
    assert entries[(None, "{n} case")]["plural"] == "{n} cases"
    assert entries[(None, "Vessel")]["plural"] is None
    assert entries[(None, "Saved {name}")]["locations"] == ["sync/a.py"]
    assert entries[(None, "Saved {name}")]["comments"] == ["after saving"]
    json.dumps(list(entries.values()))  # plain JSON


def test_fill_merges_translations_and_is_idempotent(tmp_path: Path) -> None:
    po = tmp_path / "ru.po"
    _ru_catalog(po)
    translations = [
        {"id": "Vessel", "context": None, "str": "Судно"},
        {"id": "Saved {name}", "str": "Сохранено: {name}"},
        {"id": "Seal", "context": None, "str": "Пломба"},
        {"id": "{n} case", "context": None, "str": ["{n} дело", "{n} дела", "{n} дел"]},
        {"id": "Open", "context": "verb", "str": "Открыть"},
    ]
    assert tools.fill("ru", translations, po) == 5
    first = po.read_bytes()
    assert tools.todo("ru", po) == []
    assert tools.fill("ru", translations, po) == 0
    assert po.read_bytes() == first
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="ru")
    plural = catalog.get("{n} case")
    assert plural is not None and plural.string == ("{n} дело", "{n} дела", "{n} дел")
    seal = catalog.get("Seal")
    assert seal is not None and not seal.fuzzy
    verb = catalog.get("Open", context="verb")
    assert verb is not None and verb.string == "Открыть"
    # Sorted, deterministic output: the entries appear in msgid order.
    text = first.decode("utf-8")
    assert text.index('msgid "&Open"') < text.index('msgid "Saved {name}"')
    assert text.index('msgid "Saved {name}"') < text.index('msgid "Vessel"')


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ({"id": "Saved {name}", "str": "Сохранено: {nom}"}, "placeholders"),
        ({"id": "Vessel", "str": "Судно {x}"}, "placeholders"),
        ({"id": "{n} case", "str": ["{n} дело", "{n} дела"]}, "list of 3"),
        ({"id": "{n} case", "str": "{n} дел"}, "list of 3"),
        ({"id": "{n} case", "str": ["{n} дело", "{n} дела", "{count} дел"]}, "placeholders"),
        ({"id": "&Open", "str": "Открыть"}, "mnemonic"),
        ({"id": "Vessel", "str": "&Судно"}, "mnemonic"),
        ({"id": "Vessel", "str": ""}, "non-empty"),
        ({"id": "Nowhere", "str": "x"}, "not in the ru catalog"),
        ({"id": "Open", "str": "x"}, "not in the ru catalog"),
        ({"str": "x"}, '"id"'),
        ("Vessel", "expected an object"),
    ],
)
def test_fill_refuses_mistakes_and_writes_nothing(
    tmp_path: Path, entry: object, complaint: str
) -> None:
    po = tmp_path / "ru.po"
    _ru_catalog(po)
    before = po.read_bytes()
    good = {"id": "Vessel", "context": None, "str": "Судно"}
    with pytest.raises(tools.FillError, match=re.escape(complaint)):
        tools.fill("ru", [good, entry], po)
    assert po.read_bytes() == before


def test_fill_and_todo_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    po = tools.catalog_path("fr").relative_to(tools.CATALOG_DIR)
    monkeypatch.setattr(tools, "CATALOG_DIR", tmp_path)
    catalog = Catalog(locale="fr")
    catalog.add("Vessel")
    tools.write_catalog(tmp_path / po, catalog)
    assert tools.main(["todo", "fr"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == "Vessel"
    good = tmp_path / "fr.json"
    good.write_text(json.dumps([{"id": "Vessel", "context": None, "str": "Navire"}]), "utf-8")
    assert tools.main(["fill", "fr", str(good)]) == 0
    assert "0 still to translate" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("[{", "utf-8")
    assert tools.main(["fill", "fr", str(bad)]) == 1
    assert "not valid JSON" in capsys.readouterr().err


def test_mnemonics_ignore_escaped_ampersands() -> None:
    assert tools.mnemonics("&Open") == 1
    assert tools.mnemonics("Save && close") == 0
    assert tools.mnemonics("R & D") == 0
    assert tools.mnemonics("文件(&F)") == 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.dictionaries(
                st.sampled_from(["id", "context", "str", "x"]),
                st.one_of(
                    st.none(), st.text(max_size=12), st.lists(st.text(max_size=6), max_size=4)
                ),
            ),
            st.text(max_size=5),
            st.integers(),
        ),
        max_size=4,
    )
)
def test_fill_either_merges_or_refuses_cleanly(entries: list[object]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        po = Path(folder) / "ru.po"
        _ru_catalog(po)
        before = po.read_bytes()
        try:
            tools.fill("ru", entries, po)
        except tools.FillError:
            assert po.read_bytes() == before
