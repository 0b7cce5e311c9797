"""Catalog maintenance: extract ``cordon.pot``, update every ``.po``, and check them.

    python -m locales.tools extract   # write locales/cordon.pot from the sources
    python -m locales.tools update    # extract, then merge the template into every catalog
    python -m locales.tools check     # exit 1 if the .pot is stale or a catalog is incomplete

``make translations`` runs ``update``; the test suite runs the same checks as ``check``.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from locales import CATALOG_DIR, DOMAIN, LANGUAGES, SOURCE_LANGUAGE

ROOT = CATALOG_DIR.parent
POT_PATH = CATALOG_DIR / f"{DOMAIN}.pot"
SOURCE_PACKAGES = ("desktop", "forms", "locales", "sync")
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
COMMENT_TAGS = ("Translators:",)
TEMPLATE_EXTRACTOR = "forms.babel_extract:extract"
_BRACE = re.compile(r"\{([^{}]*)\}")
_PERCENT = re.compile(r"%\(([a-z_]+)\)[sd]|%[sd]")


def method_map() -> list[tuple[str, str]]:
    """Python sources everywhere; template files through the forms extractor once it exists."""
    methods = [("**.py", "python")]
    if importlib.util.find_spec("forms.babel_extract") is not None:
        methods.insert(0, ("forms/templates/**.json", TEMPLATE_EXTRACTOR))
        methods.insert(0, ("forms/templates/**.toml", TEMPLATE_EXTRACTOR))
    return methods


def extract(root: Path = ROOT, packages: Iterable[str] = SOURCE_PACKAGES) -> Catalog:
    """Every translatable string of the given packages, as a catalog template."""
    catalog = Catalog(
        project="Cordon", domain=DOMAIN, fuzzy=False, copyright_holder="The Cordon developers"
    )
    for package in packages:
        base = root / package
        if not base.is_dir():
            continue
        # Patterns are matched against paths relative to the package folder.
        methods = [(pattern.removeprefix(f"{package}/"), how) for pattern, how in method_map()]
        found = extract_from_dir(
            base,
            methods,
            keywords=KEYWORDS,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
            directory_filter=lambda path: "__pycache__" not in path,
        )
        for filename, lineno, message, comments, context in found:
            location = (f"{package}/{filename}", lineno)
            catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def render_pot(catalog: Catalog) -> bytes:
    """Deterministic bytes: sorted, no line numbers, no dates, so the file only changes with
    the strings themselves."""
    catalog.creation_date = catalog.revision_date = _EPOCH
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False)
    return buffer.getvalue()


def _keys(catalog: Catalog) -> set[tuple[str | None, object]]:
    return {(m.context, m.id) for m in catalog if m.id}


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def check_template(root: Path = ROOT, pot_path: Path = POT_PATH) -> list[Problem]:
    """The committed template must hold exactly the strings the sources use."""
    if not pot_path.is_file():
        return [Problem(str(pot_path), "missing; run `make translations`")]
    with pot_path.open("rb") as fh:
        committed = _keys(read_po(fh))
    current = _keys(extract(root))
    problems = [
        Problem(str(pot_path), f"missing string {msgid!r}; run `make translations`")
        for _ctx, msgid in sorted(current - committed, key=str)
    ]
    problems += [
        Problem(str(pot_path), f"stale string {msgid!r}; run `make translations`")
        for _ctx, msgid in sorted(committed - current, key=str)
    ]
    return problems


def placeholders(text: str) -> set[str]:
    return set(_BRACE.findall(text)) | set(_PERCENT.findall(text))


def check_catalog(path: Path, template: Catalog) -> list[Problem]:
    """Complete, not fuzzy, and with the same placeholders as the source."""
    where = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    if not path.is_file():
        return [Problem(where, "missing catalog")]
    with path.open("rb") as fh:
        catalog = read_po(fh)
    problems: list[Problem] = []
    translated = {(m.context, m.id): m for m in catalog if m.id}
    for message in template:
        if not message.id:
            continue
        found = translated.get((message.context, message.id))
        label = message.id[0] if isinstance(message.id, tuple) else message.id
        if found is None or not _complete(found):
            problems.append(Problem(where, f"untranslated {label!r}"))
            continue
        if found.fuzzy:
            problems.append(Problem(where, f"fuzzy {label!r}"))
        problems += [Problem(where, f"{label!r}: {err}") for err in _placeholder_errors(found)]
    return problems


def _complete(message: Message) -> bool:
    if isinstance(message.string, tuple):
        return all(message.string)
    return bool(message.string)


def _placeholder_errors(message: Message) -> list[str]:
    sources = [str(s) for s in message.id] if isinstance(message.id, tuple) else [str(message.id)]
    targets = (
        [str(t) for t in message.string]
        if isinstance(message.string, tuple)
        else [str(message.string)]
    )
    expected: set[str] = set().union(*(placeholders(s) for s in sources))
    errors = []
    for target in targets:
        got = placeholders(target or "")
        # A plural form may drop the count (Arabic "one" forms), never invent a placeholder.
        if got - expected:
            errors.append(f"unknown placeholders {sorted(got - expected)}")
        if len(sources) == 1 and got != expected:
            errors.append(f"placeholders {sorted(got)} differ from {sorted(expected)}")
    return errors


def catalog_path(code: str) -> Path:
    return CATALOG_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def translated_languages() -> list[str]:
    return [lang.code for lang in LANGUAGES if lang.code != SOURCE_LANGUAGE]


def update(root: Path = ROOT) -> Catalog:
    """Write the template and merge it into every catalog (new strings start untranslated)."""
    template = extract(root)
    POT_PATH.write_bytes(render_pot(template))
    for code in translated_languages():
        path = catalog_path(code)
        if path.is_file():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=code)
        else:
            catalog = Catalog(locale=code, domain=DOMAIN, project="Cordon", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        catalog.creation_date = catalog.revision_date = _EPOCH
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False)
        path.write_bytes(buffer.getvalue())
    return template


def check_all(root: Path = ROOT) -> list[Problem]:
    problems = check_template(root)
    if POT_PATH.is_file():
        with POT_PATH.open("rb") as fh:
            template = read_po(fh)
        for code in translated_languages():
            problems += check_catalog(catalog_path(code), template)
    return problems


# A fixed date in the headers, so the files change only when their strings change.
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m locales.tools")
    parser.add_argument("action", choices=("extract", "update", "check"))
    args = parser.parse_args(argv)
    if args.action == "extract":
        POT_PATH.write_bytes(render_pot(extract()))
        return 0
    if args.action == "update":
        template = update()
        print(f"{len([m for m in template if m.id])} strings; catalogs updated")
        return 0
    problems = check_all()
    for problem in problems[:200]:
        print(problem, file=sys.stderr)
    if len(problems) > 200:
        print(f"... and {len(problems) - 200} more", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
