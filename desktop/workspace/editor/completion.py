"""Type-ahead over the reference lists (UN/LOCODE, HS codes, airports) for the record editor.

Lookups run on the task runner's general pool (the UN/LOCODE index holds 115,000 entries and
loads once); each answer carries the text it was asked for, and an answer for text the person
has since changed is dropped. The completer shows "Name (CODE)" lines, as the field keeps
them after a pick; validation reads the code in the brackets (``forms.reference.places``).
Places in the officer's own country (the profile's) come first.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.qt import Qt, QtCore, QtWidgets, Signal
from desktop.tasks import TaskRunner
from forms.model import FieldType

LIMIT = 20
Lookup = Callable[[str, "str | None"], list[tuple[str, str]]]  # (text, country) -> (code, line)


def _unlocode(text: str, country: str | None) -> list[tuple[str, str]]:
    from forms.reference.places import search_places

    return [(place.code, place.label) for place in search_places(text, LIMIT, country)]


def _hs(text: str, country: str | None) -> list[tuple[str, str]]:
    from forms.reference.hs import hs_index

    return [(row.code, f"{row.code}  {row.description}") for row in hs_index().search(text, LIMIT)]


def _airport(text: str, country: str | None) -> list[tuple[str, str]]:
    from forms.reference.airports import search_airports
    from forms.reference.places import airport_name

    found = search_airports(text, LIMIT)
    if country:
        found.sort(key=lambda a: a.country != country)
    return [(a.iata or a.icao, f"{airport_name(a)} ({a.iata or a.icao})") for a in found]


def display_text(field_type: FieldType, value: object) -> str:
    """A stored code as the field shows it: "Paris-Charles de Gaulle (FRCDG)"."""
    if not isinstance(value, str) or not value:
        return "" if value is None else str(value)
    if field_type is FieldType.UNLOCODE:
        from forms.reference.places import place_label

        return place_label(value)
    if field_type is FieldType.AIRPORT:
        from forms.reference.places import airport_label

        return airport_label(value)
    return value


def _profile_country(widget: QtWidgets.QWidget) -> str | None:
    """The country of the open profile, from the form that holds ``widget``."""
    parent: QtCore.QObject | None = widget
    while parent is not None:
        session = getattr(parent, "session", None)
        summary = getattr(session, "summary", None)
        if summary is not None:
            country = getattr(summary, "country", None)
            return country if isinstance(country, str) and country else None
        parent = parent.parent()
    return None


LOOKUPS: dict[FieldType, Lookup] = {
    FieldType.UNLOCODE: _unlocode,
    FieldType.HS_CODE: _hs,
    FieldType.AIRPORT: _airport,
}


class ReferenceCompleter(QtCore.QObject):
    """Attach to a line edit: asks ``lookup`` off the UI thread as the person types."""

    updated = Signal(int)  # number of suggestions now shown

    def __init__(self, edit: QtWidgets.QLineEdit, lookup: Lookup, runner: TaskRunner) -> None:
        super().__init__(edit)
        self.edit = edit
        self.lookup = lookup
        self.runner = runner
        self.model = QtCore.QStringListModel(self)
        self.completer = QtWidgets.QCompleter(self.model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(
            QtWidgets.QCompleter.CompletionMode.UnfilteredPopupCompletion
        )
        self.completer.activated[str].connect(self._picked)  # type: ignore[index]
        edit.setCompleter(self.completer)
        edit.textEdited.connect(self._asked)
        self._asking = ""
        self._codes: dict[str, str] = {}

    def _asked(self, text: str) -> None:
        text = text.strip()
        self._asking = text
        if len(text) < 2:
            self.model.setStringList([])
            return
        lookup = self.lookup
        country = _profile_country(self.edit)
        self.runner.op(lambda _progress: lookup(text, country)).success(
            lambda rows: self._answered(text, rows)
        ).run()

    def _answered(self, text: str, rows: list[tuple[str, str]]) -> None:
        if text != self._asking:
            return  # the person typed on; a newer answer is coming
        lines = [line for _code, line in rows]
        self._codes = {line: code for code, line in rows}
        self.model.setStringList(lines)
        if lines and self.edit.hasFocus():
            self.completer.complete()
        self.updated.emit(len(lines))

    def _picked(self, line: str) -> None:
        code = self._codes.get(line, line)
        shown = line if line.endswith(f"({code})") else code  # HS lines: the code alone
        # After QCompleter writes the whole line, put what the field keeps.
        QtCore.QTimer.singleShot(0, lambda: self._set(shown))
        self._set(shown)

    def _set(self, text: str) -> None:
        if self.edit.text() != text:
            self._asking = text  # no new lookup for the place just picked
            self.edit.setText(text)

    def suggestions(self) -> list[str]:
        return self.model.stringList()
