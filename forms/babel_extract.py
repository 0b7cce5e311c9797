"""A Babel extractor for template files, so ``pybabel extract`` collects their labels, help
texts, section titles and choice labels as message ids (registered in pyproject.toml under
``babel.extractors`` as ``cordon_template``)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

Message = tuple[int, str, str, list[str]]


def _line_of(text: str, needle: str, start: int) -> tuple[int, int]:
    """Line number (1-based) where the JSON string ``needle`` occurs at or after ``start``."""
    encoded = json.dumps(needle, ensure_ascii=False)
    at = text.find(encoded, start)
    if at < 0:
        at = text.find(json.dumps(needle), start)
    if at < 0:
        return 0, start
    return text.count("\n", 0, at) + 1, at


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """(message id, comment) pairs in document order."""
    if isinstance(node, dict):
        name = node.get("id") or node.get("value") or node.get("field") or ""
        here = f"{where}/{name}" if name else where
        for key in ("title", "description", "label", "help", "message"):
            value = node.get(key)
            if isinstance(value, str) and value:
                yield value, f"{here} {key}"
        for key in ("sections", "fields", "choices", "rules"):
            children = node.get(key)
            if isinstance(children, list):
                for child in children:
                    yield from _strings(child, here)


def extract(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Message]:
    """Babel extractor protocol: yield (lineno, funcname, message, comments)."""
    text = fileobj.read().decode("utf-8")
    raw = json.loads(text)
    position = 0
    for message, comment in _strings(raw, "template"):
        lineno, position = _line_of(text, message, position)
        yield lineno or 1, "_", message, [f"Translators: {comment.strip()}"]
