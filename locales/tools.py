"""Catalog maintenance: extract ``cordon.pot``, update every ``.po``, and check them.

    python -m locales.tools extract   # write locales/cordon.pot from the sources
    python -m locales.tools update    # extract, then merge the template into every catalog
    python -m locales.tools check     # exit 1 if the .pot is stale or a catalog is incomplete
    python -m locales.tools todo fr   # the untranslated and fuzzy entries of one catalog, as JSON
    python -m locales.tools fill fr fr.json   # merge translations given as JSON into one catalog

``make translations`` runs ``update``; the test suite runs the same checks as ``check``.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
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
# A Qt mnemonic: one "&" before the letter to underline ("&&" is a literal ampersand).
_MNEMONIC = re.compile(r"(?<!&)&(?=[^&\s])")


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
        errors = _placeholder_errors(found) + _mnemonic_errors(found)
        problems += [Problem(where, f"{label!r}: {err}") for err in errors]
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


def _mnemonic_errors(message: Message) -> list[str]:
    """A source with a keyboard mnemonic keeps exactly one in every translation (and vice versa)."""
    sources = [str(s) for s in message.id] if isinstance(message.id, tuple) else [str(message.id)]
    targets = (
        [str(t) for t in message.string]
        if isinstance(message.string, tuple)
        else [str(message.string)]
    )
    wanted = 1 if any(mnemonics(s) for s in sources) else 0
    if any(mnemonics(t or "") != wanted for t in targets if t):
        return [f"needs {wanted} keyboard mnemonic(s) (&), like the source"]
    return []


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
        write_catalog(path, catalog)
    return template


def write_catalog(path: Path, catalog: Catalog) -> None:
    """Write a catalog deterministically (sorted, no line numbers, fixed dates)."""
    catalog.creation_date = catalog.revision_date = _EPOCH
    catalog.project = "Cordon"
    catalog.version = "1"
    catalog.copyright_holder = "The Cordon developers"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "The Cordon developers"
    catalog.language_team = catalog.locale_identifier or ""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False)
    path.write_bytes(buffer.getvalue())


def read_catalog(code: str, path: Path | None = None) -> Catalog:
    """One language's catalog (raises FillError when it does not exist yet)."""
    path = path or catalog_path(code)
    if not path.is_file():
        raise FillError(f"{path}: no catalog for {code!r}; run `make translations` first")
    with path.open("rb") as fh:
        return read_po(fh, locale=code)


def _label(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, tuple) else message.id)


def todo(code: str, path: Path | None = None) -> list[dict[str, object]]:
    """The entries of one catalog still to translate (untranslated or fuzzy), in catalog order.

    Each entry: ``id``, ``plural`` (the plural source or None), ``context`` (or None),
    ``locations`` (["file", ...]) and ``comments`` (notes for translators from the source).
    """
    catalog = read_catalog(code, path)
    entries: list[dict[str, object]] = []
    for message in catalog:
        if not message.id or (_complete(message) and not message.fuzzy):
            continue
        entries.append(
            {
                "id": _label(message),
                "plural": str(message.id[1]) if isinstance(message.id, tuple) else None,
                "context": message.context,
                "locations": sorted({filename for filename, _line in message.locations}),
                "comments": list(message.auto_comments),
            }
        )
    return entries


class FillError(ValueError):
    """Translations that cannot be merged; the message says which entry and why."""


def mnemonics(text: str) -> int:
    """How many Qt mnemonic markers (``&x``) ``text`` holds."""
    return len(_MNEMONIC.findall(text))


def _validate_entry(
    index: int, raw: object, catalog: Catalog
) -> tuple[Message, str | tuple[str, ...]]:
    where = f"entry {index}"
    if not isinstance(raw, dict):
        raise FillError(f'{where}: expected an object with "id" and "str"')
    msgid, context, string = raw.get("id"), raw.get("context"), raw.get("str")
    if not isinstance(msgid, str) or not msgid:
        raise FillError(f'{where}: "id" must be a non-empty string')
    where = f"entry {index} ({msgid!r})"
    if context is not None and not isinstance(context, str):
        raise FillError(f'{where}: "context" must be a string or null')
    message = catalog.get(msgid, context=context or None)
    if message is None:
        raise FillError(f"{where}: not in the {catalog.locale_identifier} catalog")
    value: str | tuple[str, ...]
    if isinstance(message.id, tuple):
        forms = catalog.num_plurals
        if (
            not isinstance(string, list)
            or len(string) != forms
            or not all(isinstance(s, str) and s for s in string)
        ):
            raise FillError(
                f'{where}: a plural entry needs "str" as a list of {forms} non-empty strings '
                f"({catalog.plural_forms})"
            )
        value = tuple(string)
    else:
        if not isinstance(string, str) or not string:
            raise FillError(f'{where}: "str" must be a non-empty string')
        value = string
    candidate = Message(message.id, value, context=message.context)
    errors = _placeholder_errors(candidate) + _mnemonic_errors(candidate)
    if errors:
        raise FillError(f"{where}: {'; '.join(errors)}")
    return message, value


def fill(code: str, entries: object, path: Path | None = None) -> int:
    """Merge translations into one catalog; all or nothing. Returns how many entries changed.

    ``entries`` is a list of ``{"id", "context", "str"}`` (``str`` a list of forms for plural
    entries). Merging the same translations twice changes nothing (idempotent).
    """
    path = path or catalog_path(code)
    catalog = read_catalog(code, path)
    if not isinstance(entries, list):
        raise FillError('expected a JSON list of {"id", "context", "str"} objects')
    validated = [_validate_entry(i, raw, catalog) for i, raw in enumerate(entries)]
    changed = 0
    for message, value in validated:
        if message.string != value or message.fuzzy:
            changed += 1
        message.string = value
        message.flags.discard("fuzzy")
    write_catalog(path, catalog)
    return changed


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
    parser.add_argument("action", choices=("extract", "update", "check", "todo", "fill"))
    parser.add_argument("language", nargs="?", help="todo/fill: the catalog's language code")
    parser.add_argument("file", nargs="?", help="fill: the JSON file of translations (- for stdin)")
    args = parser.parse_args(argv)
    if args.action in ("todo", "fill"):
        return _todo_or_fill(parser, args)
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


def _todo_or_fill(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.language not in translated_languages():
        parser.error(f"give a language: one of {', '.join(translated_languages())}")
    try:
        if args.action == "todo":
            json.dump(todo(args.language), sys.stdout, ensure_ascii=False, indent=1)
            print()
            return 0
        if not args.file:
            parser.error("fill needs a JSON file of translations (- for stdin)")
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
        try:
            entries = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FillError(f"{args.file}: not valid JSON ({exc})") from exc
        changed = fill(args.language, entries)
    except FillError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    left = len(todo(args.language))
    print(f"{args.language}: {changed} entries changed, {left} still to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
