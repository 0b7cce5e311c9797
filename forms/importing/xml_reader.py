"""XML import through defusedxml (DTDs, entities and external references forbidden), streamed
with iterparse: each child of the root is one record, cleared once read.

Two shapes are read: Cordon's own export (``<record><field name=..>``, ``<list>``, ``<link>``,
``<group><item>``) and plain national-system files (``<row><Date>..</Date>...</row>``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from forms.importing.errors import ImportFileError
from locales import N_

from .table import MAX_COLUMNS, Table

HEADER_SCAN_RECORDS = 50


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(elem: Element) -> str:
    return (elem.text or "").strip()


def element_to_values(elem: Element) -> dict[str, Any]:
    """One record element as {name: value}; lists and groups nest."""
    out: dict[str, Any] = {}
    for child in elem:
        tag = _local(child.tag)
        name = child.get("name") if tag in ("field", "list", "link", "group") else None
        key = name or tag
        children = list(child)
        if tag == "group":
            out[key] = [element_to_values(item) for item in children]
        elif tag == "link":
            out[key] = [
                {"template": ref.get("template", ""), "record_id": ref.get("record", "")}
                for ref in children
            ]
        elif tag == "list" or (children and all(_local(c.tag) == "value" for c in children)):
            out[key] = [_text(c) for c in children]
        elif children:
            out[key] = [element_to_values(item) for item in children]
        else:
            text = _text(child)
            if text:
                out[key] = text
        if len(out) > MAX_COLUMNS:
            raise ImportFileError(N_("A record has more than {limit} fields."), limit=MAX_COLUMNS)
    return out


def read_xml(path: Path) -> Table:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    def events() -> Iterator[tuple[int, dict[str, Any]]]:
        depth = 0
        root: Element | None = None
        count = 0
        try:
            for event, elem in iterparse(
                str(path), events=("start", "end"),
                forbid_dtd=True, forbid_entities=True, forbid_external=True,
            ):
                if event == "start":
                    depth += 1
                    if depth == 1:
                        root = elem
                    continue
                depth -= 1
                if depth == 1:
                    count += 1
                    yield count, element_to_values(elem)
                    if root is not None:
                        root.clear()  # keep memory flat: drop the records already read
        except DefusedXmlException:
            raise ImportFileError(
                N_("The XML file declares a DTD or entities, which are refused for safety.")
            ) from None
        except ParseError as exc:
            raise ImportFileError(
                N_("The XML file is malformed near line {line}."),
                line=getattr(exc, "position", (0,))[0],
            ) from None

    stream = events()
    head: list[tuple[int, dict[str, Any]]] = []
    for item in stream:
        head.append(item)
        if len(head) >= HEADER_SCAN_RECORDS:
            break
    headers: list[str] = []
    for _, values in head:
        for key in values:
            if key not in headers:
                headers.append(key)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        yield from head
        yield from stream

    return Table(headers, rows(), "xml")
