"""The live language switch re-translates every open window; Arabic turns every window
right-to-left; Qt's own catalog follows the language."""

from __future__ import annotations

import locales
from desktop.controller import State
from desktop.qt import Qt, QtWidgets
from tests.desktop.conftest import PASSPHRASE, create_profile_through_window
from tests.desktop.helpers import visible_texts

PROFILE_DATA = {"Ana Silva", "Customs", "Portugal"}


def _is_data(text: str, fingerprint: str) -> bool:
    """Texts that are the user's own data, not interface strings."""
    return (
        text in PROFILE_DATA
        or text in fingerprint.split()
        or (len(text) == 32 and all(c in "0123456789abcdef" for c in text))
        or "Ana Silva" in text
        or text.startswith("https://relay.example")  # an example URL, not a sentence
        or text in {name for _code, name in _native_names()}
    )


def _native_names():
    from desktop.widgets.language_combo import available_languages

    return available_languages(include_pseudo=True)


def _assert_all_translated(before: dict[str, str], after: dict[str, str], fingerprint: str):
    untranslated = {
        key: text
        for key, text in before.items()
        if not _is_data(text, fingerprint) and after.get(key) == text
    }
    assert not untranslated, f"left in English: {untranslated}"
    for key, text in after.items():
        if not _is_data(text, fingerprint) and key in before:
            assert text.startswith("[") and text.endswith("]"), (key, text)


def _unlocked(qtbot, make_app, home):
    application = make_app(home)
    window = create_profile_through_window(qtbot, application)
    fingerprint = window.fingerprint_view.fingerprint
    qtbot.mouseClick(window.continue_button, Qt.MouseButton.LeftButton)
    assert application.controller.state is State.UNLOCKED
    return application, fingerprint


def test_settings_language_switch_retranslates_the_visible_windows(qtbot, make_app, home):
    application, fingerprint = _unlocked(qtbot, make_app, home)
    controller = application.controller
    main = controller.main_window
    controller.open_settings()
    dialog = controller.settings_dialog
    qtbot.waitExposed(dialog)
    main_before, dialog_before = visible_texts(main), visible_texts(dialog)
    assert "No operations yet" in main_before.values()

    dialog.language.set_code(locales.PSEUDO_LANGUAGE)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)

    assert locales.current_language() == locales.PSEUDO_LANGUAGE
    _assert_all_translated(main_before, visible_texts(main), fingerprint)
    _assert_all_translated(dialog_before, visible_texts(dialog), fingerprint)
    # The choice is kept for the next start.
    assert application.settings.load().language == locales.PSEUDO_LANGUAGE


def test_first_start_and_unlock_windows_retranslate(qtbot, make_app, home):
    application = make_app(home)
    window = application.controller.first_start
    before = visible_texts(window)
    window.language.set_code(locales.PSEUDO_LANGUAGE)  # the picker on the first page
    _assert_all_translated(before, visible_texts(window), "")
    window.language.set_code("en")  # also saved: the next start speaks English again
    assert visible_texts(window) == before

    create_profile_through_window(qtbot, application)
    application.close()
    controller = make_app(home).controller
    unlock = controller.unlock_window
    before = visible_texts(unlock)
    controller.apply_preferences(controller.prefs.with_changes(language=locales.PSEUDO_LANGUAGE))
    _assert_all_translated(before, visible_texts(unlock), "")


def test_arabic_turns_every_window_right_to_left(qtbot, make_app, home):
    application, _fp = _unlocked(qtbot, make_app, home)
    controller = application.controller
    controller.open_settings()
    controller.apply_preferences(controller.prefs.with_changes(language="ar"))
    app = QtWidgets.QApplication.instance()
    assert app.layoutDirection() == Qt.LayoutDirection.RightToLeft
    for window in controller.open_windows():
        assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft, window
    # Qt's own strings (standard buttons, dialogs, context menus) come from its Arabic catalog.
    assert application.language.qt_translator is not None
    ok = controller.settings_dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
    qtbot.waitUntil(lambda: ok.text() not in {"OK", "&OK"})
    assert any("\u0600" <= ch <= "\u06ff" for ch in ok.text())
    assert controller.main_window.summary_view.fingerprint.digits.layoutDirection() == (
        Qt.LayoutDirection.LeftToRight
    )
    controller.lock()
    assert controller.unlock_window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    controller.apply_preferences(controller.prefs.with_changes(language="en"))
    assert controller.unlock_window.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_country_names_follow_the_interface_language(qtbot, make_app, home):
    window = make_app(home).controller.first_start
    index = window.country.findData("DE")
    assert window.country.itemText(index) == "Germany"
    window.language.set_code("fr")
    assert window.country.itemText(window.country.findData("DE")) == "Allemagne"
    assert PASSPHRASE  # the module shares the conftest constants
