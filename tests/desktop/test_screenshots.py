"""Renders every screen offscreen, in English and in Arabic (right to left), into
test-artifacts/desktop/ for people to look at. Also checks nothing is clipped: each window's
size is at least its layout's minimum."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.qt import Qt, QtWidgets
from tests.desktop.conftest import PASSPHRASE, create_profile_through_window, type_text
from tests.desktop.screens import SCREEN_LANGUAGES, save_screen


def _save(widget: QtWidgets.QWidget, name: str, language: str) -> Path:
    return save_screen(widget, name, language)


@pytest.mark.parametrize("language", SCREEN_LANGUAGES)
def test_screens(qtbot, make_app, tmp_path, language):
    home = tmp_path / "profile"
    application = make_app(home, language)
    controller = application.controller
    first = controller.first_start
    qtbot.waitExposed(first)
    _save(first, "01-first-start-empty", language)
    qtbot.keyClicks(first.name, "Ana Silva")
    type_text(qtbot, first.agency, "Autoridade Tributária e Aduaneira")
    first.country.setCurrentIndex(first.country.findData("PT"))
    qtbot.keyClicks(first.passphrase, "short")
    _save(first, "02-first-start-weak-passphrase", language)
    first.passphrase.clear()
    first.show_busy()
    _save(first, "03-first-start-busy", language)
    first.show_error("")
    application.close()

    application = make_app(home, language)
    first = create_profile_through_window(
        qtbot, application, agency="Autoridade Tributária e Aduaneira"
    )
    _save(first, "04-first-start-fingerprint", language)
    qtbot.mouseClick(first.continue_button, Qt.MouseButton.LeftButton)
    main = application.controller.main_window
    qtbot.waitExposed(main)
    _save(main, "05-main-window", language)
    application.controller.open_settings()
    dialog = application.controller.settings_dialog
    qtbot.waitExposed(dialog)
    _save(dialog, "06-settings", language)
    application.controller.lock()
    unlock = application.controller.unlock_window
    qtbot.waitExposed(unlock)
    _save(unlock, "07-unlock", language)
    qtbot.keyClicks(unlock.passphrase, "wrong passphrase")
    unlock._submit()
    qtbot.waitUntil(lambda: unlock.error.isVisible(), timeout=20_000)
    _save(unlock, "08-unlock-wrong-passphrase", language)
    unlock.passphrase.clear()
    qtbot.keyClicks(unlock.passphrase, PASSPHRASE)
    unlock._submit()
    qtbot.waitUntil(lambda: application.controller.main_window is not None, timeout=20_000)
