"""The screen checks themselves: they find a source string that reached the screen untranslated,
and stay quiet when everything went through gettext."""

from __future__ import annotations

import locales
from desktop.qt import QtWidgets
from tests.desktop.screens import untranslated


def _window(qtbot) -> QtWidgets.QWidget:  # type: ignore[no-untyped-def]
    window = QtWidgets.QWidget()
    qtbot.addWidget(window)
    layout = QtWidgets.QVBoxLayout(window)
    layout.addWidget(QtWidgets.QLabel(locales._("Place of seizure")))
    layout.addWidget(QtWidgets.QPushButton(locales._("&Library")))
    edit = QtWidgets.QLineEdit()
    edit.setPlaceholderText("Ana Silva")  # data, not a source string
    layout.addWidget(edit)
    window.show()
    return window


def test_english_source_strings_are_found_on_screen(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    assert untranslated(window) == ["Library", "Place of seizure"]


def test_pseudo_locale_screen_has_no_leak(qtbot) -> None:  # type: ignore[no-untyped-def]
    locales.set_language(locales.PSEUDO_LANGUAGE)
    window = _window(qtbot)
    assert untranslated(window) == []


def test_a_formatted_source_string_is_found(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = QtWidgets.QLabel("Attachment manifest.pdf")  # "Attachment {title}" never translated
    qtbot.addWidget(label)
    label.show()
    assert untranslated(label) == ["Attachment manifest.pdf"]
