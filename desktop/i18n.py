"""Translations in Qt: the live language switch, Qt's own ``qtbase`` catalog for built-in dialogs,
``QLocale`` and the layout direction, and Babel formatting of dates and numbers.

``locales`` owns the language; :class:`LanguageBridge` listens to it and turns a change into
a Qt signal that every open view connects its ``retranslate`` method to, so a switch re-translates
every window without a restart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import locales
from desktop.qt import Qt, QtCore, QtWidgets, Signal


def qt_locale_name(code: str) -> str:
    """The Qt locale for a Cordon language code (the pseudo-locale formats as English)."""
    return locales.babel_locale(code)


def collator_key() -> Callable[[str], object]:
    """A sort key in the interface language's collation (Qt's ICU-backed collator), for lists
    sorted by name: countries, members."""
    collator = QtCore.QCollator(QtCore.QLocale())
    collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return collator.sortKey


class LanguageBridge(QtCore.QObject):
    """Applies a language to the Qt application and tells every view (``changed(code)``)."""

    changed = Signal(str)

    def __init__(self, app: QtWidgets.QApplication) -> None:
        super().__init__()
        self._app = app
        self._qt_translator: QtCore.QTranslator | None = None
        self._unsubscribe: Callable[[], None] | None = locales.on_language_changed(self._apply)

    @property
    def language(self) -> str:
        return locales.current_language()

    def set_language(self, code: str) -> None:
        """Switch the whole interface to ``code`` (for every layer, through ``locales``)."""
        locales.set_language(code)

    def apply_current(self) -> None:
        """Apply the language already chosen in ``locales`` (at start-up)."""
        self._apply(locales.current_language())

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._qt_translator is not None:
            self._app.removeTranslator(self._qt_translator)
            self._qt_translator = None

    def connect_view(self, retranslate: Callable[[], None]) -> None:
        """Connect a view's ``retranslate`` to the language change."""
        self.changed.connect(retranslate)

    def _apply(self, code: str) -> None:
        qlocale = QtCore.QLocale(qt_locale_name(code))
        QtCore.QLocale.setDefault(qlocale)
        self._install_qtbase(qlocale)
        direction = (
            Qt.LayoutDirection.RightToLeft
            if locales.is_rtl(code)
            else Qt.LayoutDirection.LeftToRight
        )
        self._app.setLayoutDirection(direction)
        self.changed.emit(code)

    def _install_qtbase(self, qlocale: QtCore.QLocale) -> None:
        if self._qt_translator is not None:
            self._app.removeTranslator(self._qt_translator)
            self._qt_translator = None
        folder = QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.LibraryPath.TranslationsPath)
        translator = QtCore.QTranslator(self)
        if translator.load(qlocale, "qtbase", "_", folder):
            self._app.installTranslator(translator)
            self._qt_translator = translator

    @property
    def qt_translator(self) -> QtCore.QTranslator | None:
        """The installed ``qtbase`` translator (None for languages Qt does not ship)."""
        return self._qt_translator


def system_language() -> str:
    """The first of the user's system UI languages that Cordon speaks, else English."""
    codes = {lang.code for lang in locales.LANGUAGES}
    for name in QtCore.QLocale.system().uiLanguages():
        name = name.replace("-", "_")
        if name in codes:
            return name
        base = name.split("_")[0]
        if base == "zh":
            return "zh_CN"
        if base in codes:
            return base
    return locales.SOURCE_LANGUAGE


def format_datetime(value: dt.datetime, fmt: str = "medium") -> str:
    """A date and time in the interface language (Babel, local time zone)."""
    from babel.dates import format_datetime as babel_format

    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return babel_format(value.astimezone(), fmt, locale=locales.babel_locale())


def format_time(value: dt.datetime, fmt: str = "short") -> str:
    """A time of day in the interface language (Babel, local time zone)."""
    from babel.dates import format_time as babel_format

    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return babel_format(value.astimezone(), fmt, locale=locales.babel_locale())


def format_number(value: int | float) -> str:
    """A number in the interface language (Babel)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locales.babel_locale())


def isolate_ltr(text: str) -> str:
    """Keep a Latin identifier or digit string left-to-right inside right-to-left text."""
    return f"\u2066{text}\u2069"
