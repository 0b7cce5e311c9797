"""The record editor rendered offscreen in English and Arabic (right to left) into
test-artifacts/desktop/: a seizure with its courier linked by name, and a refused Submit with
the first field to fix selected and the counter shown."""

from __future__ import annotations

import pytest

from desktop.qt import Qt
from tests.desktop.screens import qt_language, save_screen
from tests.desktop.workspace.test_editor import create_person_from, fill_seizure, open_editor


@pytest.mark.parametrize("language", ["en", "ar"])
def test_editor_screens(qtbot, qapp, bench, language):
    with qt_language(language):
        dialog = open_editor(qtbot, bench, "seizure-short")
        dialog.resize(720, 700)
        fill_seizure(qtbot, dialog.form)
        create_person_from(qtbot, dialog, "Okafor")
        persons = dialog.form.field("persons")
        qtbot.waitUntil(lambda: persons.list.count() == 1)
        qtbot.waitUntil(lambda: dialog.form.up_to_date, timeout=10_000)
        dialog.scroller.ensureWidgetVisible(persons)
        save_screen(dialog, "editor-01-seizure-with-courier", language, check_size=False)
        dialog._closing = True
        dialog.close()

        refused = open_editor(qtbot, bench, "seizure-short")
        refused.resize(720, 700)
        qtbot.mouseClick(refused.submit_button, Qt.MouseButton.LeftButton)
        place = refused.form.field("place")
        qtbot.waitUntil(lambda: place.edit.hasFocus(), timeout=10_000)
        save_screen(refused, "editor-02-refused-submit", language, check_size=False)
        refused._closing = True
        refused.close()
