"""Every control can be reached and named: accessible names, unique mnemonics, tab order,
window geometry remembered, the bare `cordon` opening the right window."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

import locales
from desktop.qt import Qt, QtWidgets
from tests.desktop.conftest import create_profile_through_window

_MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic_collisions(texts: list[str]) -> dict[str, list[str]]:
    """The mnemonic keys used by more than one of ``texts``, with the texts that use them."""
    users: dict[str, list[str]] = {}
    for text in texts:
        for key in _MNEMONIC.findall(text):
            users.setdefault(key.lower(), []).append(text)
    return {key: found for key, found in users.items() if len(found) > 1}


def _windows(qtbot, make_app, home, language="en"):
    application = make_app(home, language)
    first = application.controller.first_start
    yield "first start", first
    create_profile_through_window(qtbot, application)
    yield "fingerprint", first
    qtbot.mouseClick(first.continue_button, Qt.MouseButton.LeftButton)
    yield "main", application.controller.main_window
    application.controller.open_settings()
    yield "settings", application.controller.settings_dialog
    application.controller.lock()
    yield "unlock", application.controller.unlock_window


def _interactive(window):
    for widget in window.findChildren(QtWidgets.QWidget):
        if widget.isVisibleTo(window) and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
            if isinstance(widget.parent(), (QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox)):
                continue  # the inner line edit of a combo or spin box is named by its owner
            if widget.objectName().startswith("qt_"):
                continue  # Qt's own internals (scroll areas, viewports)
            yield widget


@pytest.mark.parametrize("language", [lang.code for lang in locales.LANGUAGES])
def test_every_control_has_a_name_and_mnemonics_are_unique(qtbot, make_app, home, language):
    """In every language: a translator's mnemonic that collides makes a key do the wrong thing."""
    for title, window in _windows(qtbot, make_app, home, language):
        qtbot.waitExposed(window)
        for widget in _interactive(window):
            name = widget.accessibleName()
            if not name and isinstance(widget, QtWidgets.QAbstractButton):
                name = widget.text().replace("&", "")
            assert name, f"{title}: {type(widget).__name__} has no accessible name"
        shown = [
            *window.findChildren(QtWidgets.QLabel),
            *window.findChildren(QtWidgets.QAbstractButton),
        ]
        texts = [w.text() for w in shown if w.isVisibleTo(window)]
        if isinstance(window, QtWidgets.QMainWindow):
            texts += [a.text() for a in window.menuBar().actions()]
        assert not mnemonic_collisions(texts), f"{title} ({language}): {mnemonic_collisions(texts)}"


def test_tab_order_on_first_start(qtbot, make_app, home):
    window = make_app(home).controller.first_start
    window.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is window)
    window.language.setFocus()
    order = [
        window.language,
        window.name,
        window.agency,
        window.country,
        window.passphrase,
        window.repeat,
    ]
    for current, following in zip(order, order[1:], strict=False):
        assert QtWidgets.QApplication.focusWidget() is current
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        assert QtWidgets.QApplication.focusWidget() is following, type(following).__name__


def test_main_window_geometry_is_remembered(qtbot, make_app, home):
    application = make_app(home)
    first = create_profile_through_window(qtbot, application)
    qtbot.mouseClick(first.continue_button, Qt.MouseButton.LeftButton)
    main = application.controller.main_window
    main.resize(720, 520)  # within the offscreen screen (800 x 600)
    application.controller.lock()  # closing the window saves its geometry
    application.controller.unlock_window.passphrase.insert("correct horse battery staple 42")
    application.controller.unlock_window._submit()
    qtbot.waitUntil(lambda: application.controller.main_window is not None, timeout=20_000)
    assert application.controller.main_window.size().toTuple() == (720, 520)


def test_bare_cordon_opens_first_start_then_unlock(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CORDON_STARTUP_PROBE="1")
    home = tmp_path / "profile"
    run = subprocess.run(
        [sys.executable, "-m", "desktop.main", "--home", str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "cordon-window-shown" in run.stdout
    assert not (home / "cordon.key").exists()


def test_bare_cordon_without_display_says_so(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    run = subprocess.run(
        [sys.executable, "-m", "desktop.main", "--home", str(tmp_path / "p")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert run.stderr.strip() == (
        "cordon: No display was found to open the window; use the command line instead."
    )
