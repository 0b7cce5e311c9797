"""First start, unlock, wrong passphrase and lock, driven through the real windows and store."""

from __future__ import annotations

from desktop.controller import State
from desktop.qt import Qt, QtWidgets
from desktop.views.main_window import MainWindow
from tests.desktop.conftest import PASSPHRASE, create_profile_through_window


def test_first_start_creates_a_profile_and_shows_the_fingerprint(qtbot, make_app, home):
    application = make_app(home)
    controller = application.controller
    assert controller.state is State.FIRST_START
    window = create_profile_through_window(qtbot, application)
    view = window.fingerprint_view
    groups = view.fingerprint.split()
    assert len(groups) == 12 and all(len(g) == 5 and g.isdigit() for g in groups)
    assert not view.qr.pixmap().isNull()
    assert window.passphrase.text() == "" and window.repeat.text() == ""
    qtbot.mouseClick(window.continue_button, Qt.MouseButton.LeftButton)
    assert controller.state is State.UNLOCKED
    main = controller.main_window
    assert main is not None and main.isVisible()
    assert main.summary_view.name.text() == "Ana Silva"
    assert main.summary_view.fingerprint.fingerprint == view.fingerprint
    assert (home / "cordon.key").exists()


def test_weak_or_mismatched_passphrase_keeps_create_disabled(qtbot, make_app, home):
    window = make_app(home).controller.first_start
    qtbot.keyClicks(window.name, "Ana")
    qtbot.keyClicks(window.agency, "Customs")
    window.country.setCurrentIndex(window.country.findData("PT"))
    qtbot.keyClicks(window.passphrase, "password123")
    qtbot.keyClicks(window.repeat, "password123")
    assert not window.create_button.isEnabled()
    assert window.problem.text()
    window.passphrase.clear()
    window.repeat.clear()
    qtbot.keyClicks(window.passphrase, PASSPHRASE)
    qtbot.keyClicks(window.repeat, PASSPHRASE + "x")
    assert not window.create_button.isEnabled()
    window.repeat.backspace()
    assert window.create_button.isEnabled()


def _unlock(qtbot, controller, passphrase):
    window = controller.unlock_window
    window.passphrase.clear()
    qtbot.keyClicks(window.passphrase, passphrase)
    qtbot.keyClick(window.passphrase, Qt.Key.Key_Return)


def _created_profile(qtbot, make_app, home):
    application = make_app(home)
    window = create_profile_through_window(qtbot, application)
    fingerprint = window.fingerprint_view.fingerprint
    application.close()
    return fingerprint


def test_wrong_passphrase_then_unlock(qtbot, make_app, home):
    fingerprint = _created_profile(qtbot, make_app, home)
    key_before = (home / "cordon.key").read_bytes()
    controller = make_app(home).controller
    assert controller.state is State.LOCKED
    window = controller.unlock_window
    assert window.isVisible()

    _unlock(qtbot, controller, "not the passphrase at all")
    qtbot.waitUntil(lambda: window.error.isVisible(), timeout=20_000)
    assert window.error.text()
    assert controller.state is State.LOCKED
    assert (home / "cordon.key").read_bytes() == key_before  # nothing lost or changed

    _unlock(qtbot, controller, PASSPHRASE)
    qtbot.waitUntil(lambda: controller.state is State.UNLOCKED, timeout=20_000)
    assert controller.main_window.summary_view.fingerprint.fingerprint == fingerprint
    assert not window.isVisible()


def test_ctrl_l_locks_and_clears_every_view(qtbot, make_app, home):
    _created_profile(qtbot, make_app, home)
    application = make_app(home)
    controller = application.controller
    _unlock(qtbot, controller, PASSPHRASE)
    qtbot.waitUntil(lambda: controller.state is State.UNLOCKED, timeout=20_000)
    controller.open_settings()
    dialog = controller.settings_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is dialog)
    # Ctrl+L works from any window, the open (window-modal) Settings dialog included.
    qtbot.keyClick(dialog.language, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert controller.state is State.LOCKED
    assert controller.main_window is None and controller.summary is None
    assert controller._profile is None
    assert controller.unlock_window.isVisible()
    assert controller.unlock_window.passphrase.text() == ""
    qtbot.waitUntil(
        lambda: (
            not any(
                isinstance(w, (MainWindow, QtWidgets.QDialog))
                for w in QtWidgets.QApplication.topLevelWidgets()
            )
        )
    )
    # Nothing on screen names the profile any more.
    for widget in QtWidgets.QApplication.allWidgets():
        if isinstance(widget, QtWidgets.QLabel) and widget.isVisible():
            assert "Ana Silva" not in widget.text()


def test_auto_lock_after_idle_time(qtbot, make_app, home):
    _created_profile(qtbot, make_app, home)
    controller = make_app(home).controller
    _unlock(qtbot, controller, PASSPHRASE)
    qtbot.waitUntil(lambda: controller.state is State.UNLOCKED, timeout=20_000)
    assert controller.idle.active  # the preference (10 minutes) armed it
    controller.idle.set_timeout_ms(200)
    with qtbot.waitSignal(controller.idle.idle, timeout=5_000):
        pass
    assert controller.state is State.LOCKED
