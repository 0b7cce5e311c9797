"""A language picker: each language under its own name (so anyone can find theirs)."""

from __future__ import annotations

import locales
from desktop.qt import QtWidgets


def available_languages(include_pseudo: bool = False) -> list[tuple[str, str]]:
    """(code, native name) pairs; the pseudo-locale only for testing translations."""
    items = [(lang.code, lang.native_name) for lang in locales.LANGUAGES]
    if include_pseudo:
        items.append((locales.PSEUDO_LANGUAGE, "Pseudo (en_XA)"))
    return items


class LanguageCombo(QtWidgets.QComboBox):
    def __init__(
        self, languages: list[tuple[str, str]], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        for code, name in languages:
            self.addItem(name, code)

    def code(self) -> str:
        return str(self.currentData())

    def set_code(self, code: str) -> None:
        index = self.findData(code)
        if index >= 0:
            self.setCurrentIndex(index)
