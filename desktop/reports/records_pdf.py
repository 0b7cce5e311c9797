"""The records report: ``cordon export --format pdf`` and the export wizard's PDF choice.

Each record is a titled table of its filled fields, labels in the interface language, in the
template's order; repeated groups are numbered. Values from the store are escaped (they are
other people's text) and isolated from the surrounding direction, so a container number or a
plate stays left to right inside an Arabic report. Qt renders and shapes the text; the PDF
embeds the fonts it used.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import locales
from forms.exporting import ExportRecord
from forms.model import Field, FieldType
from locales import _, ngettext

FSI, PDI = "\u2068", "\u2069"  # first-strong isolate: a value keeps its own direction


def _isolated(text: str) -> str:
    return FSI + html.escape(text) + PDI


def _value_text(field: Field, value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Mapping) and set(value) == {"template", "record_id"}:
        return f"{value['template']}:{value['record_id']}"
    if isinstance(value, list):
        return "; ".join(_value_text(field, item) for item in value)
    if field.type is FieldType.COUNTRY and isinstance(value, str):
        from babel import Locale

        name = Locale.parse(locales.babel_locale()).territories.get(value.upper())
        return f"{name} ({value})" if name else value
    if field.type is FieldType.DATE and isinstance(value, str):
        from babel.dates import format_date

        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return format_date(day, "medium", locale=locales.babel_locale())
    if field.choices:
        for choice in field.choices:
            if choice.value == value:
                return _(choice.label)
    if isinstance(value, float):
        from babel.numbers import format_decimal

        return format_decimal(value, locale=locales.babel_locale())
    return str(value)


def _rows(fields: Iterable[Field], values: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for field in fields:
        value = values.get(field.id)
        if value in (None, "", []):
            continue
        if field.type is FieldType.GROUP and isinstance(value, list):
            for number, item in enumerate(value, start=1):
                if not isinstance(item, Mapping):
                    continue
                for label, text in _rows(field.fields, item):
                    rows.append((f"{_(field.label)} {number} · {label}", text))
        else:
            rows.append((_(field.label), _value_text(field, value)))
    return rows


def records_html(
    records: Sequence[ExportRecord], title: str, generated: dt.datetime, left_out: int
) -> str:
    """The report as the HTML subset Qt's rich text renders."""
    from babel.dates import format_datetime

    direction = "rtl" if locales.is_rtl() else "ltr"
    align = "right" if direction == "rtl" else "left"
    when = format_datetime(generated, "medium", locale=locales.babel_locale())
    parts = [
        f'<html dir="{direction}"><body style="font-size:9pt">',
        f"<h1>{_isolated(title)}</h1>",
        "<p>"
        + html.escape(
            ngettext("{count} record", "{count} records", len(records)).format(count=len(records))
        )
        + " · "
        + html.escape(_("generated {when}").format(when=FSI + when + PDI))
        + "</p>",
    ]
    if left_out:
        parts.append(
            "<p><b>"
            + html.escape(
                ngettext(
                    "{count} record with handling code H2 or H3 was left out.",
                    "{count} records with handling code H2 or H3 were left out.",
                    left_out,
                ).format(count=left_out)
            )
            + "</b></p>"
        )
    for record in records:
        heading = f"{_(record.template.title)} · {record.record_id}"
        parts.append(f"<h2>{_isolated(heading)}</h2>")
        meta = " · ".join(
            f"{html.escape(str(key))}: {_isolated(str(value))}"
            for key, value in record.meta.items()
            if value
        )
        if meta:
            parts.append(f'<p style="color:#555">{meta}</p>')
        parts.append(
            f'<table border="1" cellspacing="0" cellpadding="3" width="100%" align="{align}">'
        )
        for label, text in _rows(record.template.fields(), record.values):
            cells = [
                f'<td width="30%"><b>{html.escape(label)}</b></td>',
                f"<td>{_isolated(text)}</td>",
            ]
            if direction == "rtl":  # Qt lays table cells out left to right: mirror by hand
                cells.reverse()
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def _ensure_gui() -> Any:
    """A QGuiApplication for rendering; offscreen when the command line has none."""
    from PySide6 import QtGui

    app = QtGui.QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QtGui.QGuiApplication([])
    return app


def write_records_pdf(
    records: Sequence[ExportRecord], path: Path, *, title: str, left_out: int = 0
) -> Path:
    """Render ``records`` into a PDF at ``path`` (A4, the interface language's direction)."""
    from PySide6 import QtCore, QtGui

    _ensure_gui()
    document = QtGui.QTextDocument()
    option = document.defaultTextOption()
    option.setTextDirection(
        QtCore.Qt.LayoutDirection.RightToLeft
        if locales.is_rtl()
        else QtCore.Qt.LayoutDirection.LeftToRight
    )
    document.setDefaultTextOption(option)
    document.setHtml(records_html(records, title, dt.datetime.now().astimezone(), left_out))
    writer = QtGui.QPdfWriter(str(path))
    writer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4))
    writer.setPageMargins(QtCore.QMarginsF(15, 15, 15, 15), QtGui.QPageLayout.Unit.Millimeter)
    writer.setTitle(title)
    writer.setCreator("Cordon")
    document.print_(writer)
    del writer  # finishes the file
    return path
