"""One input widget per template field type, all with the same small interface:
``value()`` (what validation receives), ``set_value(v)``, the ``changed`` signal, and
``set_issue(text, warning)`` showing an error (red) or a quality warning (amber) under it.

Widgets are built from the field definition alone (:func:`make_field`), so any template renders.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from desktop.qt import QtCore, QtGui, QtWidgets, Signal
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace.editor.completion import LOOKUPS, ReferenceCompleter, display_text
from desktop.workspace.editor.dates import MAX_TEXT, read_date
from forms.issues import Issue
from forms.model import Field, FieldType
from locales import _

PLACEHOLDERS = {
    FieldType.PHONE: "+33 6 12 34 56 78",
    FieldType.EMAIL: "name@example.org",
    FieldType.IMO: "IMO 9074729",
    FieldType.CONTAINER: "CSQU3054383",
    FieldType.CAS: "50-36-2",
    FieldType.FLIGHT: "AF1234",
    FieldType.VIN: "1HGCM82633A004352",
    FieldType.COORDINATES: "51.92, 4.48",
    FieldType.TIME: "14:30",
    FieldType.DATETIME: "2026-11-02 14:30",
    FieldType.UNLOCODE: "NLRTM",
    FieldType.HS_CODE: "2939.71",
    FieldType.AIRPORT: "CDG",
}


class FieldWidget(QtWidgets.QWidget):
    """The common frame: the input, then one line for its error or warning."""

    changed = Signal()

    def __init__(self, spec: Field, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.has_error = False
        self.issue = PlainLabel(parent=self)
        self.issue.setWordWrap(True)
        self.issue.hide()
        self._layout = QtWidgets.QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)

    def _finish(self, widget: QtWidgets.QWidget) -> None:
        self.input = widget
        self._layout.addWidget(widget)
        self._layout.addWidget(self.issue)
        self.setFocusProxy(widget)

    def set_accessible(self, name: str) -> None:
        self.input.setAccessibleName(name)
        if self.spec.help:
            self.input.setToolTip(_(self.spec.help))
            self.input.setAccessibleDescription(_(self.spec.help))

    def focus_chain(self) -> list[QtWidgets.QWidget]:
        """The widgets Tab visits in this field, in reading order."""
        return [self.input]

    def leaves(self) -> list[FieldWidget]:
        """This field and the fields inside it, in reading order (where issues show)."""
        return [self]

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_issue(self, text: str, *, warning: bool = False) -> None:
        self.has_error = bool(text) and not warning
        if not text:
            self.issue.clear()
            self.issue.hide()
            self.input.setStyleSheet("")
            return
        mark = "⚠ " if warning else "✖ "
        self.issue.setText(mark + text)
        colour = "#8a4b00" if warning else "#a4262c"
        self.issue.setStyleSheet(f"color: {colour};")
        self.issue.setObjectName("warning" if warning else "error")
        self.issue.show()
        if isinstance(self.input, QtWidgets.QComboBox):
            return  # a style sheet would draw a drop-down in another style, a few pixels wide
        # Scoped to the input itself: a group's box must not frame every field inside it.
        name = f"field-input-{id(self):x}"
        self.input.setObjectName(name)
        self.input.setStyleSheet(f"#{name} {{ border: 1px solid {colour}; }}")


class LineField(FieldWidget):
    def __init__(self, spec: Field, runner: Any, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.edit = QtWidgets.QLineEdit(self)
        example = PLACEHOLDERS.get(spec.type, "")
        if spec.type in LOOKUPS:
            # Translators: placeholder of a field with type-ahead; {example} is a code.
            self.edit.setPlaceholderText(
                _("Type a name or a code, e.g. {example}").format(example=example)
            )
        elif example:
            self.edit.setPlaceholderText(_("e.g. {example}").format(example=example))
        if spec.max_length:
            self.edit.setMaxLength(spec.max_length)
        self.edit.textChanged.connect(lambda _t: self.changed.emit())
        self.completer: ReferenceCompleter | None = None
        if spec.type in LOOKUPS and runner is not None:
            self.completer = ReferenceCompleter(self.edit, LOOKUPS[spec.type], runner)
        self._finish(self.edit)

    def value(self) -> Any:
        text = self.edit.text().strip()
        # A picked place reads "Name (CODE)"; the code is what is stored, as it was picked.
        if text.endswith(")") and "(" in text:
            code = text[text.rindex("(") + 1 : -1]
            if code and display_text(self.spec.type, code) == text:
                return code
        return text or None

    def set_value(self, value: Any) -> None:
        self.edit.setText(display_text(self.spec.type, value))  # "Name (CODE)" for places


class TextAreaField(FieldWidget):
    def __init__(self, spec: Field, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.edit = QtWidgets.QPlainTextEdit(self)
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 4 + 12)
        self.edit.textChanged.connect(self.changed.emit)
        self._finish(self.edit)

    def value(self) -> Any:
        return self.edit.toPlainText().strip() or None

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText("" if value is None else str(value))


class CalmComboBox(QtWidgets.QComboBox):
    """A drop-down the mouse wheel changes only once it has the focus: on a long form the wheel
    scrolls the form, and a report must never say "Precursors" because a wheel passed over."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)  # the wheel gives no focus

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:  # noqa: N802 - Qt's name
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            pass_wheel_on(self, event)


def pass_wheel_on(widget: QtWidgets.QWidget, event: QtGui.QWheelEvent) -> None:
    """Give a wheel turn to the scroll area around ``widget`` (the form scrolls on). Sent on
    explicitly: Qt passes an ignored wheel event up only when it came from the system."""
    area = widget.parentWidget()
    while area is not None and not isinstance(area, QtWidgets.QAbstractScrollArea):
        area = area.parentWidget()
    if area is None:
        event.ignore()
        return
    viewport = area.viewport()
    position = QtCore.QPointF(widget.mapTo(viewport, event.position().toPoint()))
    passed = QtGui.QWheelEvent(
        position,
        event.globalPosition(),
        event.pixelDelta(),
        event.angleDelta(),
        event.buttons(),
        event.modifiers(),
        event.phase(),
        event.inverted(),
    )
    QtWidgets.QApplication.sendEvent(viewport, passed)
    event.accept()


class CalendarPopup(QtWidgets.QCalendarWidget):
    """The calendar under a date field: Enter or a click picks, Escape closes."""

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == QtCore.Qt.Key.Key_Escape:
            self.hide()
            parent = self.parentWidget()
            if isinstance(parent, DateField):
                parent.edit.setFocus()
            return
        super().keyPressEvent(event)


class DateField(FieldWidget):
    """A date typed as the person writes dates (ISO, or the interface language's order), or
    picked from a calendar that opens on the date shown, or on today. What was understood is
    shown beside it in words; a date that could be read two ways is refused, never guessed."""

    def __init__(self, spec: Field, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(spec, parent)
        box = QtWidgets.QWidget(self)
        row = QtWidgets.QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.edit = QtWidgets.QLineEdit(box)
        self.edit.setMaxLength(MAX_TEXT)
        self.edit.textChanged.connect(self._typed)
        self.edit.editingFinished.connect(self._tidy)
        self.calendar_button = QtWidgets.QToolButton(box)
        self.calendar_button.setArrowType(QtCore.Qt.ArrowType.DownArrow)
        self.calendar_button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.calendar_button.clicked.connect(self.open_calendar)
        self.understood = PlainLabel(parent=box)
        self.understood.setObjectName("understood")
        row.addWidget(self.edit, 1)
        row.addWidget(self.calendar_button)
        row.addWidget(self.understood, 1)
        self.calendar: QtWidgets.QCalendarWidget | None = None
        for keys in ("Alt+Down", "F4"):  # what opens a drop-down from the keyboard
            QtGui.QShortcut(
                QtGui.QKeySequence(keys),
                self.edit,
                self.open_calendar,
                context=QtCore.Qt.ShortcutContext.WidgetShortcut,
            )
        self.reading = read_date("", "en")
        self._finish(box)
        self.setFocusProxy(self.edit)
        self.input = self.edit
        self.retranslate()

    def retranslate(self) -> None:
        # Translators: the shape of a date typed into a form field.
        self.edit.setPlaceholderText(_("YYYY-MM-DD"))
        # Translators: Alt+Down opens it from the keyboard.
        self.calendar_button.setToolTip(_("Choose from a calendar (Alt+Down)"))
        self.calendar_button.setAccessibleName(_("Choose from a calendar"))
        self._read(self.edit.text())

    def _typed(self, text: str) -> None:
        self._read(text)
        self.changed.emit()

    def _read(self, text: str) -> None:
        import locales

        self.reading = read_date(text, locales.babel_locale())
        if self.reading.date is not None:
            from babel.dates import format_date

            self.understood.setText(
                format_date(self.reading.date, "long", locale=locales.babel_locale())
            )
        else:
            self.understood.setText("")

    def _tidy(self) -> None:
        """On leaving the field, show the date read the way the field shows dates."""
        if self.reading.date is not None and self.edit.text() != self.reading.date.isoformat():
            self.edit.setText(self.reading.date.isoformat())

    @property
    def problem(self) -> Issue | None:
        return self.reading.problem

    def date(self) -> dt.date | None:
        return self.reading.date

    def open_calendar(self) -> QtWidgets.QCalendarWidget:
        if self.calendar is None:
            self.calendar = CalendarPopup(self)
            self.calendar.setWindowFlags(QtCore.Qt.WindowType.Popup)
            self.calendar.setGridVisible(True)
            self.calendar.activated.connect(self._picked)
            self.calendar.clicked.connect(self._picked)
        day = self.reading.date or dt.date.today()
        when = QtCore.QDate(day.year, day.month, day.day)
        self.calendar.setSelectedDate(when)
        self.calendar.setCurrentPage(when.year(), when.month())
        self.calendar.adjustSize()
        below = self.edit.mapToGlobal(QtCore.QPoint(0, self.edit.height()))
        self.calendar.move(below)
        self.calendar.show()
        self.calendar.setFocus()
        return self.calendar

    def _picked(self, when: QtCore.QDate) -> None:
        self.edit.setText(when.toString("yyyy-MM-dd"))
        if self.calendar is not None:
            self.calendar.hide()
        self.edit.setFocus()

    def value(self) -> Any:
        if self.reading.date is not None:
            return self.reading.date.isoformat()
        return self.edit.text().strip() or None

    def set_value(self, value: Any) -> None:
        if isinstance(value, str) and value:
            self.edit.setText(value[:10])
        else:
            self.edit.clear()

    def set_default(self) -> None:
        """A new record whose template says so starts on today."""
        if self.spec.default == "today":
            self.edit.setText(dt.date.today().isoformat())


class ChoiceField(FieldWidget):
    """A fixed list: template choices, countries, currencies or units (all small lists)."""

    def __init__(self, spec: Field, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.combo = CalmComboBox(self)
        if spec.type in (FieldType.COUNTRY, FieldType.CURRENCY):
            # Type-ahead over the names, anywhere in the name ("land" finds Netherlands).
            self.combo.setEditable(True)
            self.combo.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
            completer = self.combo.completer()
            assert completer is not None  # an editable combo box always has one
            completer.setFilterMode(QtCore.Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QtWidgets.QCompleter.CompletionMode.PopupCompletion)
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self._finish(self.combo)
        self.fill()

    def items(self) -> list[tuple[str, str]]:
        spec = self.spec
        if spec.type is FieldType.COUNTRY:
            from desktop.countries import countries
            from desktop.i18n import collator_key

            return [(c.code, c.name) for c in countries(sort_key=collator_key())]
        if spec.type is FieldType.CURRENCY:
            from forms.reference.currencies import currencies

            return [(c.code, f"{c.code} {c.name}") for c in currencies()]
        if spec.type is FieldType.UNIT:
            from forms.reference.units import UNITS

            return [(u.code, f"{u.code} ({_(u.label)})") for u in UNITS]
        if spec.type is FieldType.BOOLEAN:
            return [("true", _("yes")), ("false", _("no"))]
        return [(c.value, _(c.label)) for c in spec.choices]

    def fill(self) -> None:
        current = self.value()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("", None)
        for value, text in self.items():
            self.combo.addItem(text, value)
        self.combo.blockSignals(False)
        self.set_value(current)

    def value(self) -> Any:
        data = self.combo.currentData()
        if self.spec.type is FieldType.BOOLEAN and data is not None:
            return data == "true"
        return data

    def set_value(self, value: Any) -> None:
        if isinstance(value, bool):
            value = "true" if value else "false"
        index = self.combo.findData(value) if value is not None else 0
        self.combo.setCurrentIndex(max(0, index))


class ListField(FieldWidget):
    """A field with ``multiple``: a row per value, an add button, a remove button per row."""

    def __init__(self, spec: Field, runner: Any, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.runner = runner
        box = QtWidgets.QWidget(self)
        self.rows_layout = QtWidgets.QVBoxLayout(box)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows: list[FieldWidget] = []
        self.add_button = QtWidgets.QPushButton(self)
        self.add_button.clicked.connect(lambda: self.add_row())
        self.rows_layout.addWidget(self.add_button)
        self._finish(box)
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("Add another"))

    def add_row(self, value: Any = None) -> FieldWidget:
        single = dataclasses.replace(self.spec, multiple=False)
        row = make_field(single, self.runner, self)
        row.set_value(value)
        row.changed.connect(self.changed.emit)
        self.rows.append(row)
        self.rows_layout.insertWidget(len(self.rows) - 1, row)
        self.changed.emit()
        return row

    def focus_chain(self) -> list[QtWidgets.QWidget]:
        return [w for row in self.rows for w in row.focus_chain()] + [self.add_button]

    def leaves(self) -> list[FieldWidget]:
        return [self, *self.rows]

    def value(self) -> Any:
        values = [v for v in (r.value() for r in self.rows) if v not in (None, "")]
        return values or None

    def set_value(self, value: Any) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows.clear()
        for item in value if isinstance(value, list) else [value] if value else []:
            self.add_row(item)
        if not self.rows:
            self.add_row()


def make_field(spec: Field, runner: Any, parent: QtWidgets.QWidget | None = None) -> FieldWidget:
    """The widget for ``spec`` (groups, links and photos are built by the form)."""
    if spec.multiple and spec.type not in (FieldType.LINK, FieldType.PHOTO, FieldType.GROUP):
        return ListField(spec, runner, parent)
    if spec.type is FieldType.TEXTAREA:
        return TextAreaField(spec, parent)
    if spec.type is FieldType.DATE:
        return DateField(spec, parent)
    if spec.type in (
        FieldType.CHOICE,
        FieldType.COUNTRY,
        FieldType.CURRENCY,
        FieldType.UNIT,
        FieldType.BOOLEAN,
    ):
        return ChoiceField(spec, parent)
    return LineField(spec, runner, parent)
