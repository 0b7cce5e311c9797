"""The catalogs ship complete: the template matches the sources, every language translates every
string (no fuzzy entry), and placeholders and keyboard mnemonics match the source. `make
translations` refreshes the template; `python -m locales.tools todo LANG` lists what is left."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from locales import tools

ROOT = tools.ROOT


def test_template_matches_the_sources() -> None:
    problems = tools.check_template()
    assert not problems, "\n".join(map(str, problems[:40]))


@pytest.mark.parametrize("code", tools.translated_languages())
def test_catalog_is_complete_and_keeps_placeholders(code: str) -> None:
    with tools.POT_PATH.open("rb") as fh:
        template = read_po(fh)
    problems = tools.check_catalog(tools.catalog_path(code), template)
    assert not problems, "\n".join(map(str, problems[:40]))


_SINGLE = {"_", "gettext", "N_", "ngettext"}  # ngettext: the singular is the key


def _literal_calls(tree: ast.AST) -> list[tuple[str | None, str, int]]:
    """(context, msgid, line) of every gettext call whose message is a literal."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        name = node.func.id
        if name in _SINGLE and args and isinstance(args[0], str):
            found.append((None, args[0], node.lineno))
        elif name == "pgettext" and len(args) > 1 and isinstance(args[1], str):
            found.append((args[0] if isinstance(args[0], str) else None, args[1], node.lineno))
    return found


def test_every_literal_message_in_the_sources_is_in_the_template() -> None:
    """A call the extractor cannot see (inside an f-string, say) would stay English forever."""
    with tools.POT_PATH.open("rb") as fh:
        known = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in read_po(fh)}
    missing = []
    for package in tools.SOURCE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"), str(path))
            for context, msgid, line in _literal_calls(tree):
                if msgid and (context, msgid) not in known:
                    missing.append(f"{Path(path).relative_to(ROOT)}:{line}: {msgid!r}")
    assert not missing, "\n".join(missing)
