"""Helpers for desktop tests: reading every visible text of a window."""

from __future__ import annotations

from desktop.qt import QtWidgets


def visible_texts(window: QtWidgets.QWidget) -> dict[str, str]:
    """Every user-visible text in ``window``: labels, buttons, group titles, placeholders,
    menus and actions, keyed by a stable description of where it appears."""
    texts: dict[str, str] = {"window title": window.windowTitle()}
    widgets = [window, *window.findChildren(QtWidgets.QWidget)]
    for index, widget in enumerate(widgets):
        if not widget.isVisibleTo(window) and widget is not window:
            continue
        key = f"{type(widget).__name__}#{index}:{widget.objectName()}"
        if isinstance(widget, QtWidgets.QLabel):
            texts[key] = widget.text()
        elif isinstance(widget, QtWidgets.QAbstractButton):
            if isinstance(widget.parent(), QtWidgets.QDialogButtonBox):
                continue  # standard buttons: Qt's own catalog translates them (see test_language)
            texts[key] = widget.text()
        elif isinstance(widget, QtWidgets.QGroupBox):
            texts[key] = widget.title()
        elif isinstance(widget, (QtWidgets.QLineEdit, QtWidgets.QComboBox)):
            texts[key + " placeholder"] = widget.placeholderText()
        elif isinstance(widget, QtWidgets.QSpinBox):
            texts[key + " suffix"] = widget.suffix()
            texts[key + " special"] = widget.specialValueText()
        if isinstance(widget, QtWidgets.QMenuBar):
            for action in widget.actions():
                texts[f"menu {action.menu().objectName()}#{index}"] = action.text()
                for sub_index, sub in enumerate(action.menu().actions()):
                    if not sub.isSeparator():
                        texts[f"action {index}.{sub_index}"] = sub.text()
        if widget.accessibleName():
            texts[key + " accessible"] = widget.accessibleName()
    return {key: text for key, text in texts.items() if text}
