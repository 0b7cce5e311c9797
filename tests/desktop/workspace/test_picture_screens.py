"""Screenshots of the operation picture in English and Arabic (right to left), and the PDF
summary beside them."""

from __future__ import annotations

import shutil

import pytest

from desktop.workspace.picture import PictureRoom
from tests.desktop.screens import SCREEN_LANGUAGES
from tests.desktop.workspace.rooms_support import (  # noqa: F401 - fixture
    ARTIFACTS,
    Rooms,
    interface_language,
    save_screen,
    solo,
)
from tests.desktop.workspace.test_picture import fill, seizures


@pytest.mark.parametrize("language", SCREEN_LANGUAGES)
def test_picture_room_screens(qtbot, solo: Rooms, tmp_path, language: str) -> None:  # noqa: F811
    fill(solo, seizures(80))
    with interface_language(language):
        room = PictureRoom(solo.session, solo.operation)
        qtbot.addWidget(room)
        room.resize(1200, 800)
        with qtbot.waitSignal(room.loaded, timeout=20_000):
            room.show()
        qtbot.waitExposed(room)
        save_screen(room, "rooms-picture", language)
        target = tmp_path / "summary.pdf"
        with qtbot.waitSignal(room.exported, timeout=30_000):
            room.export_pdf(str(target))
        (ARTIFACTS / language).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, ARTIFACTS / language / "rooms-picture-summary.pdf")
