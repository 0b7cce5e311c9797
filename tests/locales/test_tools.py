"""Catalog maintenance: extraction, the stale-template check and the catalog checks."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

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
