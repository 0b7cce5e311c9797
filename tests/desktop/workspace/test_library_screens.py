"""Screenshots of the library room in English and Arabic (right to left)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.workspace.library import LibraryRoom
from tests.desktop.screens import SCREEN_LANGUAGES
from tests.desktop.workspace.rooms_support import (  # noqa: F401 - fixture
    Rooms,
    interface_language,
    save_screen,
    solo,
)
from tests.desktop.workspace.test_library import make_pdf, make_png


@pytest.mark.parametrize("language", SCREEN_LANGUAGES)
def test_library_room_screens(qtbot, solo: Rooms, tmp_path: Path, language: str) -> None:  # noqa: F811
    files = [
        make_png(tmp_path / "concealment-reefer.png"),
        make_pdf(tmp_path / "bill-of-lading-MSCU1234565.pdf"),
        make_png(tmp_path / "passport-page.png"),
    ]
    with interface_language(language):
        room = LibraryRoom(solo.session, solo.operation)
        qtbot.addWidget(room)
        room.resize(1100, 640)
        with qtbot.waitSignal(room.loaded, timeout=10_000):
            room.show()
        qtbot.waitExposed(room)
        save_screen(room, "rooms-library-empty", language)
        with qtbot.waitSignal(room.added, timeout=20_000):
            room.add_paths([str(p) for p in files])
        qtbot.waitUntil(lambda: len(room.thumbnails) == 2, timeout=10_000)
        image = next(i for i in room.items if i.title == "concealment-reefer.png")
        with qtbot.waitSignal(room.previewed, timeout=10_000):
            room.select(image.item_id)
        save_screen(room, "rooms-library-image", language)
        document = next(i for i in room.items if i.is_pdf)
        room.apply_tags(document.item_id, ("BL", "Lagos"))
        with qtbot.waitSignal(room.previewed, timeout=10_000):
            room.select(document.item_id)
        qtbot.waitUntil(lambda: room.item(document.item_id).tags == ("BL", "Lagos"))
        save_screen(room, "rooms-library-pdf", language)
