"""The printable PDF summary of the operation picture (QPdfWriter via QTextDocument), laid out
right to left for right-to-left languages. Every text is escaped before it enters the
document; only our own markup is interpreted."""

from __future__ import annotations

import datetime as dt
import html
import os
from dataclasses import dataclass

import locales
from desktop.i18n import format_datetime, format_number
from desktop.qt import QtCore, QtGui
from desktop.workspace.messages_data import isolate
from desktop.workspace.picture_charts import commodity_label, country_label
from desktop.workspace.picture_data import Picture
from locales import _, ngettext


@dataclass(frozen=True)
class SummaryInput:
    """Everything the summary needs, prepared on the UI thread (charts already drawn)."""

    operation_name: str
    picture: Picture
    charts: tuple[QtGui.QImage, ...]
    rtl: bool
    scope_text: str


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(headers: list[str], rows: list[list[str]], align: str) -> str:
    head = "".join(f"<th align='{align}'>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td align='{align}'>{_e(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return (
        "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
        f"<tr>{head}</tr>{body}</table>"
    )


def status_count(status: str, count: int) -> str:
    """'12 drafts', '1 validated': a count of reports in one workflow status."""
    forms = {
        "draft": ("{count} draft", "{count} drafts"),
        "submitted": ("{count} submitted", "{count} submitted"),
        "validated": ("{count} validated", "{count} validated"),
        "returned": ("{count} returned for correction", "{count} returned for correction"),
    }
    if status not in forms:
        return f"{format_number(count)} {status}"
    singular, plural = forms[status]
    return ngettext(singular, plural, count).format(count=format_number(count))


def summary_html(data: SummaryInput, image_width: int = 480) -> str:
    """The summary as a small HTML document of our own (all data escaped)."""
    p = data.picture
    align = "right" if data.rtl else "left"
    direction = "rtl" if data.rtl else "ltr"
    now = format_datetime(dt.datetime.now(dt.UTC), "medium")
    printed = _("Printed {when}").format(when=isolate(now))
    total = _("Seizure reports: {count}").format(count=format_number(p.total))
    heading = _("Operation picture: {name}").format(name=data.operation_name)
    by_commodity, by_country = _("By commodity"), _("By country")
    top_routes, per_week = _("Top routes"), _("Seizures per week")
    no_routes = _("No report names both ends of its route.")
    parts = [
        f"<html><body dir='{direction}'>",
        f"<h1 align='{align}'>{_e(heading)}</h1>",
        f"<p align='{align}'>{_e(printed)} · {_e(data.scope_text)}</p>",
        f"<p align='{align}'><b>{_e(total)}</b>",
    ]
    shown = [status_count(s, n) for s, n in sorted(p.by_status.items()) if n]
    if shown:
        parts.append(" (" + _e(", ".join(shown)) + ")")
    parts.append("</p>")
    for index in range(len(data.charts)):
        parts.append(f"<p align='center'><img src='chart:{index}' width='{image_width}'></p>")
    parts.append(f"<h2 align='{align}'>{_e(by_commodity)}</h2>")
    parts.append(
        _table(
            [_("Commodity"), _("Seizures"), _("Kilograms")],
            [
                [
                    commodity_label(c),
                    format_number(n),
                    format_number(round(p.kilograms[c], 3)) if c in p.kilograms else "",
                ]
                for c, n in p.by_commodity
            ],
            align,
        )
    )
    parts.append(f"<h2 align='{align}'>{_e(by_country)}</h2>")
    parts.append(
        _table(
            [_("Country"), _("Seizures")],
            [[country_label(c), format_number(n)] for c, n in p.by_country],
            align,
        )
    )
    parts.append(f"<h2 align='{align}'>{_e(top_routes)}</h2>")
    if p.routes:
        parts.append(
            _table(
                [_("Departure"), _("Destination"), _("Seizures")],
                [
                    [
                        f"{r.departure_name} ({r.departure})",
                        f"{r.destination_name} ({r.destination})",
                        format_number(r.count),
                    ]
                    for r in p.routes
                ],
                align,
            )
        )
    else:
        parts.append(f"<p align='{align}'>{_e(no_routes)}</p>")
    parts.append(f"<h2 align='{align}'>{_e(per_week)}</h2>")
    parts.append(
        _table(
            [_("Week starting"), _("Seizures")],
            [[w.isoformat(), format_number(n)] for w, n in p.by_week],
            align,
        )
    )
    if p.undated:
        parts.append(
            f"<p align='{align}'>"
            + _e(
                ngettext(
                    "{count} report has no date of seizure.",
                    "{count} reports have no date of seizure.",
                    p.undated,
                ).format(count=format_number(p.undated))
            )
            + "</p>"
        )
    parts.append(
        f"<p align='{align}'><i>"
        + _e(_("Restricted: operation data. Do not pass on without the coordinator's consent."))
        + "</i></p></body></html>"
    )
    return "".join(parts)


def write_summary(path: str, data: SummaryInput) -> str:
    """Write the PDF (any thread: QPainter on a QPdfWriter is thread-safe); atomic replace."""
    part = f"{path}.part"
    writer = QtGui.QPdfWriter(part)
    writer.setTitle(_("Operation picture: {name}").format(name=data.operation_name))
    writer.setCreator("Cordon")
    writer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4))
    writer.setPageMargins(QtCore.QMarginsF(15, 15, 15, 15), QtGui.QPageLayout.Unit.Millimeter)
    writer.setResolution(150)
    document = QtGui.QTextDocument()
    option = document.defaultTextOption()
    option.setTextDirection(
        QtCore.Qt.LayoutDirection.RightToLeft if data.rtl else QtCore.Qt.LayoutDirection.LeftToRight
    )
    document.setDefaultTextOption(option)
    for index, image in enumerate(data.charts):
        document.addResource(
            QtGui.QTextDocument.ResourceType.ImageResource, QtCore.QUrl(f"chart:{index}"), image
        )
    # Lay the document out in points on the printable area, so the charts fit its width.
    area = writer.pageLayout().paintRect(QtGui.QPageLayout.Unit.Point)
    document.setPageSize(QtCore.QSizeF(area.width(), area.height()))
    document.setHtml(summary_html(data, int(area.width() * 0.95)))
    document.print_(writer)
    del writer  # flushes and closes the file
    os.replace(part, path)
    return path


def current_rtl() -> bool:
    return locales.is_rtl()
