"""Screens rendered for people to look at, and checked while they are rendered.

Every screenshot test renders its screens in the nine interface languages and in the
pseudo-locale into ``test-artifacts/desktop/<language>/``. While saving, each screen is checked:

- in the pseudo-locale, no visible text (labels, buttons, titles, tabs, headers, menus, place
  holders, tool tips, accessible names, the first rows of views) is an untranslated source string
  of ``locales/cordon.pot``: a string that reaches the screen without going through gettext;
- in a right-to-left language, the window is laid out right to left;
- nothing is clipped: the window is at least its layout's minimum size.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from babel.messages.pofile import read_po

import locales
from desktop.qt import Qt, QtCore, QtGui, QtWidgets

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "desktop"
POT = Path(locales.__file__).resolve().parent / "cordon.pot"

# Every interface language, then the pseudo-locale that exposes strings gettext never saw.
SCREEN_LANGUAGES = [lang.code for lang in locales.LANGUAGES] + [locales.PSEUDO_LANGUAGE]

_MNEMONIC = re.compile(r"&(?=[^&\s])")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sd]|%[sd]")
_ROWS_CHECKED = 30
_WIZARD_BUTTONS = (
    QtWidgets.QWizard.WizardButton.BackButton,
    QtWidgets.QWizard.WizardButton.NextButton,
    QtWidgets.QWizard.WizardButton.CommitButton,
    QtWidgets.QWizard.WizardButton.FinishButton,
    QtWidgets.QWizard.WizardButton.CancelButton,
    QtWidgets.QWizard.WizardButton.HelpButton,
)


@contextlib.contextmanager
def qt_language(code: str) -> Iterator[None]:
    """The interface language as the application applies it (desktop.i18n.LanguageBridge):
    Cordon's catalog, QLocale, the layout direction and Qt's own qtbase catalog (the wizard's
    Back/Next/Cancel); all put back afterwards."""
    from desktop.i18n import qt_locale_name

    app = QtWidgets.QApplication.instance()
    assert isinstance(app, QtWidgets.QApplication)
    previous = QtCore.QLocale()
    qlocale = QtCore.QLocale(qt_locale_name(code))
    QtCore.QLocale.setDefault(qlocale)
    translator = QtCore.QTranslator(app)
    folder = QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.LibraryPath.TranslationsPath)
    installed = translator.load(qlocale, "qtbase", "_", folder) and app.installTranslator(
        translator
    )
    locales.set_language(code)
    app.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if locales.is_rtl(code) else Qt.LayoutDirection.LeftToRight
    )
    try:
        yield
    finally:
        locales.set_language(locales.SOURCE_LANGUAGE)
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        QtCore.QLocale.setDefault(previous)
        if installed:
            app.removeTranslator(translator)


def save_screen(
    widget: QtWidgets.QWidget,
    name: str,
    language: str,
    *,
    check_size: bool = True,
    data: Iterable[str] = (),
) -> Path:
    """Render ``widget`` into the artifacts folder and check it for ``language``.

    ``data``: texts on screen that come from outside (a file's column headers, say) and may
    happen to equal a source string."""
    QtWidgets.QApplication.processEvents()
    if check_size and widget.layout() is not None:
        hint = widget.minimumSizeHint()
        assert widget.width() >= hint.width() and widget.height() >= hint.height(), (
            f"{name}: {widget.size()} is smaller than its minimum {hint}"
        )
    if locales.is_rtl(language):
        assert widget.layoutDirection() == Qt.LayoutDirection.RightToLeft, (
            f"{name}: not laid out right to left in {language}"
        )
    if language == locales.PSEUDO_LANGUAGE:
        leaks = sorted(set(untranslated(widget)) - set(data))
        assert not leaks, f"{name}: untranslated text on screen: {leaks}"
    folder = ARTIFACTS / language
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path)), path
    return path


def untranslated(widget: QtWidgets.QWidget) -> list[str]:
    """The visible texts of ``widget`` that are source strings left untranslated."""
    exact, patterns = _source_strings()
    found = []
    for text in visible_texts(widget):
        plain = _MNEMONIC.sub("", text).replace("&&", "&").strip()
        if not plain:
            continue
        if plain in exact or any(p.fullmatch(plain) for p in patterns):
            found.append(plain)
    return sorted(set(found))


@functools.cache
def _source_strings() -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """The template's message ids, without mnemonics; ids with placeholders as patterns.

    Ids that could as well be data (no letter, or shorter than three characters, like "H0" or
    "OK") are left out: they cannot tell a leak from a value."""
    with POT.open("rb") as fh:
        catalog = read_po(fh)
    exact: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            plain = _MNEMONIC.sub("", str(msgid)).replace("&&", "&").strip()
            if len(plain) < 3 or not any(c.isalpha() for c in plain):
                continue
            if _PLACEHOLDER.search(plain):
                parts = _PLACEHOLDER.split(plain)
                literal = "".join(parts)
                if sum(c.isalpha() for c in literal) < 4:
                    continue  # "{name} ({code})": nothing of the source shows
                patterns.append(re.compile(".+?".join(re.escape(p) for p in parts), re.DOTALL))
            else:
                exact.add(plain)
    return frozenset(exact), tuple(patterns)


def visible_texts(root: QtWidgets.QWidget) -> Iterator[str]:
    """Every text a person can see or hear (screen reader) on ``root`` and its visible children."""
    yield root.windowTitle()
    widgets = [root, *root.findChildren(QtWidgets.QWidget)]
    for widget in widgets:
        if widget is not root and not widget.isVisibleTo(root):
            continue
        yield widget.toolTip()
        yield widget.accessibleName()
        yield widget.accessibleDescription()
        yield from _own_texts(widget)
    if isinstance(root, QtWidgets.QMainWindow):
        yield from _menu_texts(root.menuBar().actions())


def _own_texts(widget: QtWidgets.QWidget) -> Iterator[str]:
    if isinstance(widget, QtWidgets.QLabel):
        yield widget.text()
    elif isinstance(widget, QtWidgets.QAbstractButton):
        if not _is_qt_standard_button(widget):
            yield widget.text()
    elif isinstance(widget, QtWidgets.QGroupBox):
        yield widget.title()
    elif isinstance(widget, (QtWidgets.QLineEdit, QtWidgets.QPlainTextEdit, QtWidgets.QTextEdit)):
        yield widget.placeholderText()
    elif isinstance(widget, QtWidgets.QComboBox):
        yield from (widget.itemText(i) for i in range(min(widget.count(), _ROWS_CHECKED)))
    elif isinstance(widget, QtWidgets.QTabBar):
        for index in range(widget.count()):
            yield widget.tabText(index)
            yield widget.tabToolTip(index)
    elif isinstance(widget, QtWidgets.QAbstractItemView):
        yield from _view_texts(widget)
    elif isinstance(widget, QtWidgets.QProgressBar):
        yield widget.format()
    if isinstance(widget, QtWidgets.QWidget):
        yield from _menu_texts(widget.actions())


def _menu_texts(actions: list[QtGui.QAction]) -> Iterator[str]:
    for action in actions:
        yield action.text()
        yield action.toolTip() if action.toolTip() != action.text().replace("&", "") else ""
        menu = action.menu()
        if menu is not None:
            yield menu.title()
            yield from _menu_texts(menu.actions())


def _view_texts(view: QtWidgets.QAbstractItemView) -> Iterator[str]:
    model = view.model()
    if model is None:
        return
    try:
        columns = model.columnCount(QtCore.QModelIndex())
    except TypeError:  # a list model keeps columnCount private: one column
        columns = 1
    header = view.header() if isinstance(view, QtWidgets.QTreeView) else None
    if isinstance(view, QtWidgets.QTableView):
        header = view.horizontalHeader()
    for column in range(columns):
        if header is not None and header.isSectionHidden(column):
            continue
        if header is None or header.isVisible():
            yield _as_text(model.headerData(column, Qt.Orientation.Horizontal))
    tree = isinstance(view, QtWidgets.QTreeView)
    yield from _rows(model, QtCore.QModelIndex(), columns, [_ROWS_CHECKED], tree)


def _rows(model, parent, columns: int, budget: list[int], tree: bool) -> Iterator[str]:  # type: ignore[no-untyped-def]
    for row in range(model.rowCount(parent)):
        if budget[0] <= 0:
            return
        budget[0] -= 1
        for column in range(max(columns, 1)):
            index = model.index(row, column, parent)
            yield _as_text(model.data(index, Qt.ItemDataRole.DisplayRole))
            yield _as_text(model.data(index, Qt.ItemDataRole.ToolTipRole))
        first = model.index(row, 0, parent)
        if tree and model.rowCount(first) > 0:
            yield from _rows(model, first, columns, budget, tree)


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _is_qt_standard_button(button: QtWidgets.QAbstractButton) -> bool:
    """A standard button of a QDialogButtonBox or a QWizard: Qt's own ``qtbase`` catalog names
    it, which the pseudo-locale has no version of."""
    wizard = button.window()
    if isinstance(wizard, QtWidgets.QWizard):
        return any(wizard.button(which) is button for which in _WIZARD_BUTTONS)
    parent = button.parent()
    while parent is not None and not isinstance(parent, QtWidgets.QDialogButtonBox):
        parent = parent.parent()
    if not isinstance(parent, QtWidgets.QDialogButtonBox) or not isinstance(
        button, QtWidgets.QPushButton
    ):
        return False
    return parent.standardButton(button) != QtWidgets.QDialogButtonBox.StandardButton.NoButton
