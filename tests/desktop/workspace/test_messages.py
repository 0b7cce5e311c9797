"""The messages room over a real relay: A sends a message and the coordinator's alert comes
back; the text stays plain; read state moves."""

from __future__ import annotations

from desktop.qt import Qt
from desktop.workspace.messages import FILTER_ALERTS, MessagesRoom
from desktop.workspace.messages_data import thread_key
from sync.client.local import LocalChanges
from tests.desktop.workspace.rooms_support import Rooms, pair  # noqa: F401 - fixture


def _room(qtbot, rooms: Rooms) -> MessagesRoom:
    room = MessagesRoom(rooms.session, rooms.operation)
    qtbot.addWidget(room)
    room.resize(900, 600)
    room.show()
    qtbot.waitUntil(lambda: room.snapshot is not None, timeout=10_000)
    return room


def test_send_and_receive_over_a_real_relay(qtbot, pair: Rooms) -> None:  # noqa: F811
    rooms = pair
    room = _room(qtbot, rooms)
    assert room.threads.count() == 0
    dialog = room.compose()
    assert dialog is not None
    # the coordinator is in the roster: one entry besides "the whole operation"
    assert dialog.to.count() == 2
    qtbot.keyClicks(dialog.subject, "Container MSCU1234565 at Lagos")
    qtbot.keyClicks(dialog.text, "Found <b>12 kg</b> in the reefer.")
    with qtbot.waitSignal(room.sent, timeout=20_000):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: room.threads.count() == 1, timeout=10_000)

    # push to the relay; the coordinator pulls it
    assert rooms.sync_mine().sent >= 1
    assert rooms.other_engine is not None and rooms.other is not None
    rooms.other_engine.sync_once(rooms.op)
    got = rooms.other.store.messages.list(rooms.op)
    assert [m.subject for m in got] == ["Container MSCU1234565 at Lagos"]
    assert got[0].body == "Found <b>12 kg</b> in the reefer."

    # the coordinator answers with an alert and a direct reply
    LocalChanges(rooms.other, rooms.op).send_message(
        "Watch flights BOG-CDG", "<i>Courier</i> on AF 423 tonight", alert=True, to=None
    )
    LocalChanges(rooms.other, rooms.op).send_message(
        "Re: Container MSCU1234565 at Lagos",
        "Thank you, send photos.",
        alert=False,
        to=rooms.session.device_id,
    )
    rooms.other_engine.sync_once(rooms.op)
    with qtbot.waitSignal(room.loaded, timeout=20_000):
        rooms.sync_mine()
    qtbot.waitUntil(lambda: room.threads.count() == 2, timeout=10_000)
    # the open conversation shows the direct reply at once (so it counts as read); the alert
    # in the other thread is new
    qtbot.waitUntil(lambda: len(room.conversation.cards) == 2, timeout=10_000)
    assert room.conversation.cards[1].body.text() == "Thank you, send photos."
    qtbot.waitUntil(lambda: room.summary.text() == "1 unread", timeout=10_000)

    # the alert filter shows the alert alone, in red
    room.filter.setCurrentIndex(FILTER_ALERTS)
    assert room.threads.count() == 1
    assert "Alert" in room.threads.item(0).text()
    room.filter.setCurrentIndex(0)

    # opening the alert shows its text as plain text and marks it read
    assert room.open_thread(thread_key("Watch flights BOG-CDG"))
    card = room.conversation.cards[0]
    assert card.alert_mark.isVisibleTo(card)
    assert card.body.textFormat() == Qt.TextFormat.PlainText
    assert card.body.text() == "<i>Courier</i> on AF 423 tonight"
    qtbot.waitUntil(lambda: room.summary.text() == "", timeout=10_000)
    assert rooms.on_writer(lambda p: p.store.messages.unread_count(rooms.op)) == 0

    # back to the reply, threaded with the original message
    assert room.open_thread(thread_key("Container MSCU1234565 at Lagos"))
    assert len(room.conversation.cards) == 2

    # replying in a direct thread goes to that one participant only
    qtbot.keyClicks(room.reply_text, "Photos follow.")
    with qtbot.waitSignal(room.sent, timeout=20_000):
        qtbot.mouseClick(room.reply_button, Qt.MouseButton.LeftButton)
    rooms.sync_mine()
    rooms.other_engine.sync_once(rooms.op)
    last = rooms.other.store.messages.list(rooms.op)[0]
    assert (last.kind, last.body) == ("direct", "Photos follow.")
    assert last.recipient == rooms.other.device_id
