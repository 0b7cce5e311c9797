"""Type-ahead over the reference lists (UN/LOCODE, HS codes, airports) for the record editor.

Lookups run on the task runner's general pool (the UN/LOCODE index holds 115,000 entries and
loads once); each answer carries the text it was asked for, and an answer for text the person
has since changed is dropped. The completer shows "CODE  Name" lines; picking one puts the
code alone into the field.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.qt import Qt, QtCore, QtWidgets, Signal
from desktop.tasks import TaskRunner
from forms.model import FieldType

LIMIT = 20
Lookup = Callable[[str], list[tuple[str, str]]]


def _unlocode(text: str) -> list[tuple[str, str]]:
    from forms.reference.unlocode import unlocode_index

    return [
        (loc.code, f"{loc.name} ({loc.country})") for loc in unlocode_index().search(text, LIMIT)
    ]


def _hs(text: str) -> list[tuple[str, str]]:
    from forms.reference.hs import hs_index

    return [(row.code, row.description) for row in hs_index().search(text, LIMIT)]


def _airport(text: str) -> list[tuple[str, str]]:
    from forms.reference.airports import search_airports

    return [(a.iata, f"{a.name}, {a.city} ({a.country})") for a in search_airports(text, LIMIT)]


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
        self.runner.op(lambda _progress: lookup(text)).success(
            lambda rows: self._answered(text, rows)
        ).run()

    def _answered(self, text: str, rows: list[tuple[str, str]]) -> None:
        if text != self._asking:
            return  # the person typed on; a newer answer is coming
        lines = [f"{code}  {name}" for code, name in rows]
        self._codes = {line: code for line, (code, _name) in zip(lines, rows, strict=True)}
        self.model.setStringList(lines)
        if lines and self.edit.hasFocus():
            self.completer.complete()
        self.updated.emit(len(lines))

    def _picked(self, line: str) -> None:
        code = self._codes.get(line, line.split("  ", 1)[0])
        # After QCompleter writes the whole line, put the code alone.
        QtCore.QTimer.singleShot(0, lambda: self._set(code))
        self._set(code)

    def _set(self, code: str) -> None:
        if self.edit.text() != code:
            self._asking = code  # no new lookup for the code just picked
            self.edit.setText(code)

    def suggestions(self) -> list[str]:
        return self.model.stringList()
