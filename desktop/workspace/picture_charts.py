"""QtCharts views of the operation picture: seizures by commodity, by country, over time."""

from __future__ import annotations

import datetime as dt
from functools import cache

import locales
from desktop.qt import Qt, QtCharts, QtCore, QtGui, QtWidgets
from desktop.workspace.picture_data import Picture
from locales import _

TOP_BARS = 10
BAR_COLOUR = QtGui.QColor("#2a6f97")
LINE_COLOUR = QtGui.QColor("#b3261e")


@cache
def _commodity_labels() -> dict[str, str]:
    """Category value -> gettext message id, from the seizure templates' own choices."""
    from forms.registry import builtin_templates

    labels: dict[str, str] = {}
    for template in builtin_templates().values():
        if template.kind != "seizure":
            continue
        for section in template.sections:
            for group in section.fields:
                for sub in getattr(group, "fields", ()) or ():
                    if sub.id == "category":
                        for choice in sub.choices:
                            labels.setdefault(choice.value, choice.label)
    return labels


def commodity_label(value: str) -> str:
    label = _commodity_labels().get(value)
    return _(label) if label else value


def country_label(code: str) -> str:
    from forms.reference.countries import country_name, is_country

    if not is_country(code):
        return _("Unknown")
    return country_name(code, locales.current_language())


def _bar_chart(title: str, rows: list[tuple[str, int]], axis_title: str) -> QtCharts.QChart:
    chart = QtCharts.QChart()
    chart.setTitle(title)
    chart.legend().hide()
    chart.setAnimationOptions(QtCharts.QChart.AnimationOption.NoAnimation)
    shown = rows[:TOP_BARS][::-1]  # the largest at the top of a horizontal bar chart
    bars = QtCharts.QBarSet(axis_title)
    bars.setColor(BAR_COLOUR)
    for _label, value in shown:
        bars.append(value)
    series = QtCharts.QHorizontalBarSeries()
    series.append(bars)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QtCharts.QAbstractBarSeries.LabelsPosition.LabelsInsideEnd)
    chart.addSeries(series)
    categories = QtCharts.QBarCategoryAxis()
    categories.append([label for label, _v in shown] or [""])
    chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories)
    values = QtCharts.QValueAxis()
    top = max((v for _l, v in shown), default=0)
    values.setRange(0, max(1, top))
    values.setLabelFormat("%d")
    values.setTickCount(min(max(2, top + 1), 6))
    values.applyNiceNumbers()  # whole, even steps: counts are integers
    values.setTitleText(axis_title)
    chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(values)
    return chart


def commodity_chart(picture: Picture) -> QtCharts.QChart:
    rows = [(commodity_label(c), n) for c, n in picture.by_commodity]
    return _bar_chart(_("Seizures by commodity"), rows, _("Seizures"))


def country_chart(picture: Picture) -> QtCharts.QChart:
    rows = [(country_label(c), n) for c, n in picture.by_country]
    return _bar_chart(_("Seizures by country"), rows, _("Seizures"))


def week_label(day: dt.date) -> str:
    """'7 Sep', '9月7日', '7. Sept.': the day and month the way the interface language writes
    them (CLDR skeleton MMMd through Babel, so digits match the rest of the interface)."""
    from babel.dates import format_skeleton

    return format_skeleton("MMMd", day, locale=locales.babel_locale())


def week_axis(weeks: list[dt.date], ticks: int = 6) -> QtCharts.QCategoryAxis:
    """A time axis whose labels Babel writes (Qt's date axis would use its own locale data,
    with other digits and month names than the rest of the interface)."""
    axis = QtCharts.QCategoryAxis()
    axis.setLabelsPosition(QtCharts.QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    axis.setTitleText(_("Week starting"))
    if not weeks:
        axis.setRange(0, 1)
        return axis
    first, last = weeks[0], weeks[-1]
    if first == last:
        last = first + dt.timedelta(weeks=1)
    span = (last - first).days
    step = max(1, -(-span // (7 * (ticks - 1)))) * 7  # whole weeks between labels
    day = first
    while day <= last:
        axis.append(week_label(day), float(_ms(day)))
        day += dt.timedelta(days=step)
    axis.setRange(float(_ms(first)), float(_ms(last)))
    return axis


def _ms(day: dt.date) -> int:
    return int(
        QtCore.QDateTime(
            QtCore.QDate(day.year, day.month, day.day), QtCore.QTime(0, 0), QtCore.QTimeZone.utc()
        ).toMSecsSinceEpoch()
    )


def weekly_chart(picture: Picture) -> QtCharts.QChart:
    chart = QtCharts.QChart()
    chart.setTitle(_("Seizures per week"))
    chart.legend().hide()
    chart.setAnimationOptions(QtCharts.QChart.AnimationOption.NoAnimation)
    series = QtCharts.QLineSeries()
    series.setPointsVisible(True)
    series.setColor(LINE_COLOUR)
    for week, count in picture.by_week:
        series.append(float(_ms(week)), count)
    chart.addSeries(series)
    axis_x = week_axis([week for week, _n in picture.by_week])
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis_x)
    axis_y = QtCharts.QValueAxis()
    top = max((n for _w, n in picture.by_week), default=0)
    axis_y.setRange(0, max(1, top))
    axis_y.setLabelFormat("%d")
    axis_y.setTickCount(min(max(2, top + 1), 6))
    axis_y.applyNiceNumbers()
    axis_y.setTitleText(_("Seizures"))
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_y)
    return chart


class ChartView(QtCharts.QChartView):
    """A chart view that swaps its chart (the old one is deleted with it)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(280, 220)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def show_chart(self, chart: QtCharts.QChart) -> None:
        old = self.chart()
        self.setChart(chart)
        self.setAccessibleName(chart.title())
        if old is not None:
            old.deleteLater()

    def to_image(self, width: int = 1200, height: int = 700) -> QtGui.QImage:
        """The chart drawn at print size, for the PDF summary (UI thread)."""
        image = QtGui.QImage(width, height, QtGui.QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.white)
        painter = QtGui.QPainter(image)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        old_size = self.chart().size()
        self.chart().resize(QtCore.QSizeF(width, height))
        self.chart().scene().render(
            painter, QtCore.QRectF(0, 0, width, height), QtCore.QRectF(0, 0, width, height)
        )
        self.chart().resize(old_size)
        painter.end()
        return image
