"""Screenshots of the messages room in English and Arabic (right to left)."""

from __future__ import annotations

import pytest

from desktop.qt import Qt
from desktop.workspace.messages import MessagesRoom
from desktop.workspace.messages_data import thread_key
from locales import ngettext
from sync.client.local import LocalChanges
from sync.store.operations import Member
from tests.desktop.screens import SCREEN_LANGUAGES
from tests.desktop.workspace.rooms_support import (  # noqa: F401 - fixture
    Rooms,
    interface_language,
    save_screen,
    solo,
)

OTHER = "5e" * 16


def seed(rooms: Rooms) -> None:
    op = rooms.op

    def write(profile) -> None:
        store = profile.store
        store.operations.save_member(
            Member(op, OTHER, b"", "Ade Okafor", "participant", "active", "NCS", "NG")
        )
        LocalChanges(profile, op).send_message(
            "Watch flights BOG-CDG",
            "Couriers on AF 423 tonight. Check passengers who bought tickets in cash.",
            alert=True,
            to=None,
        )
        store.messages.add(
            op,
            OTHER,
            "Container MSCU1234565 at Lagos",
            "Found 12 kg in the reefer, concealed behind the evaporator.\n<b>not bold</b>",
            "1795330000000.0000." + OTHER,
            read=True,
        )
        store.messages.add(
            op,
            OTHER,
            "Re: Container MSCU1234565 at Lagos",
            "Photos are in the library.\n\n[library:" + "ab" * 16 + "] concealment.jpg",
            "1795330600000.0000." + OTHER,
        )
        store.messages.add(
            op,
            OTHER,
            "Weekly figures",
            "Eight seizures this week, all on the air route.",
            "1795320000000.0000." + OTHER,
            kind="direct",
            recipient=profile.device_id,
        )

    rooms.on_writer(write)


@pytest.mark.parametrize("language", SCREEN_LANGUAGES)
def test_messages_room_screens(qtbot, solo: Rooms, language: str) -> None:  # noqa: F811
    seed(solo)
    with interface_language(language):
        room = MessagesRoom(solo.session, solo.operation)
        qtbot.addWidget(room)
        room.resize(1000, 640)
        with qtbot.waitSignal(room.loaded, timeout=10_000):
            room.show()
        qtbot.waitExposed(room)
        assert room.layoutDirection() == (
            Qt.LayoutDirection.RightToLeft if language == "ar" else Qt.LayoutDirection.LeftToRight
        )
        save_screen(room, "rooms-messages-list", language)
        key = thread_key("Container MSCU1234565 at Lagos")
        assert room.open_thread(key)
        one_unread = ngettext("{count} unread", "{count} unread", 1).format(count=1)
        qtbot.waitUntil(lambda: room.summary.text() == one_unread, timeout=10_000)
        assert room.find_thread(key).unread == 0
        assert room.conversation.cards[0].body.text().endswith("<b>not bold</b>")
        assert [b.text() for b in room.conversation.cards[1].attachment_buttons] == [
            "concealment.jpg"
        ]
        save_screen(room, "rooms-messages-thread", language)
        dialog = room.compose()
        assert dialog is not None
        dialog.subject.setText("Santos route")
        dialog.text.setPlainText("Please share the bills of lading.")
        dialog.alert.setChecked(True)
        dialog.add_file("/tmp/manifest.pdf")
        dialog.resize(560, 460)
        qtbot.waitExposed(dialog)
        save_screen(dialog, "rooms-messages-compose", language)
        dialog.reject()
