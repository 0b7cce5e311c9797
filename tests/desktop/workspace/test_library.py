"""The library room: files dropped in are encrypted and listed; images get thumbnails; images
and PDFs preview inside the app from memory; tags and record links; no plaintext left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.qt import Qt, QtCore, QtGui
from desktop.workspace.library import LibraryRoom
from desktop.workspace.library_data import MAX_TAGS, PrivateTempFiles, parse_tags
from desktop.workspace.library_preview import PreviewPane
from sync.client.local import LocalChanges
from tests.desktop.workspace.rooms_support import Rooms, pair, solo  # noqa: F401 - fixtures


def make_png(path: Path) -> Path:
    image = QtGui.QImage(320, 200, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("#2a6f97"))
    painter = QtGui.QPainter(image)
    painter.fillRect(40, 40, 120, 80, QtGui.QColor("#f4a261"))
    painter.end()
    assert image.save(str(path), "PNG")
    return path


def make_pdf(path: Path, pages: int = 2) -> Path:
    writer = QtGui.QPdfWriter(str(path))
    painter = QtGui.QPainter(writer)
    for page in range(pages):
        if page:
            writer.newPage()
        painter.drawText(200, 400, f"Bill of lading, page {page + 1}")
    painter.end()
    return path


def drop(room: LibraryRoom, paths: list[Path]) -> None:
    """What a drag from the file manager delivers: a drop with file URLs."""
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(p)) for p in paths])
    where = QtCore.QPointF(room.list.geometry().center())
    enter = QtGui.QDragEnterEvent(
        where.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    room.dragEnterEvent(enter)
    assert enter.isAccepted()
    event = QtGui.QDropEvent(
        where,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    room.dropEvent(event)
    assert event.isAccepted()


def open_room(qtbot, rooms: Rooms) -> LibraryRoom:
    room = LibraryRoom(rooms.session, rooms.operation)
    qtbot.addWidget(room)
    room.resize(1000, 640)
    with qtbot.waitSignal(room.loaded, timeout=10_000):
        room.show()  # the first load answers once the event loop runs
    return room


def test_drop_preview_tag_and_link(qtbot, solo: Rooms, tmp_path: Path) -> None:  # noqa: F811
    rooms = solo
    room = open_room(qtbot, rooms)
    png = make_png(tmp_path / "concealment.png")
    pdf = make_pdf(tmp_path / "bill-of-lading.pdf")
    with qtbot.waitSignal(room.added, timeout=20_000) as added:
        drop(room, [png, pdf])
    assert len(added.args[0]) == 2
    qtbot.waitUntil(lambda: len(room.items) == 2, timeout=10_000)
    by_title = {i.title: i for i in room.items}
    image, document = by_title["concealment.png"], by_title["bill-of-lading.pdf"]
    assert image.is_image and image.available and image.waiting_upload
    assert document.is_pdf and document.size == pdf.stat().st_size

    # a thumbnail is made for the image (off the UI thread)
    qtbot.waitUntil(lambda: image.item_id in room.thumbnails, timeout=10_000)
    assert max(room.thumbnails[image.item_id].width(), 1) <= 64

    # the image previews inside the app
    with qtbot.waitSignal(room.previewed, timeout=10_000):
        room.select(image.item_id)
    assert room.preview.currentIndex() == PreviewPane.IMAGE
    assert room.preview.image.image.size() == QtCore.QSize(320, 200)

    # and so does the PDF (QtPdf over an in-memory buffer)
    with qtbot.waitSignal(room.previewed, timeout=10_000):
        room.select(document.item_id)
    assert room.preview.currentIndex() == PreviewPane.PDF
    assert room.preview.pdf_pages == 2

    # tags (trimmed, unique) and a link to a record
    room.apply_tags(document.item_id, parse_tags(" BL , bl, Lagos "))
    qtbot.waitUntil(
        lambda: (
            room.item(document.item_id) is not None
            and room.item(document.item_id).tags == ("BL", "Lagos")
        ),
        timeout=10_000,
    )
    (record_id,) = rooms.on_writer(
        lambda p: LocalChanges(p, rooms.op).add_records(
            "person", 1, [{"family_name": "Okafor"}], "draft"
        )
    )
    room.apply_link(document.item_id, record_id)
    qtbot.waitUntil(lambda: room.item(document.item_id).records == (record_id,), timeout=10_000)
    room.filter.setText("lagos")
    assert room.list.topLevelItemCount() == 1

    # nothing was decrypted to disk; the profile folder holds only ciphertext
    assert room.temp.folder is None
    home = tmp_path / "me"
    for path in home.rglob("*"):
        if path.is_file():
            assert b"Bill of lading" not in path.read_bytes()


def test_a_file_that_is_not_an_image_is_not_previewed(
    qtbot,
    solo: Rooms,  # noqa: F811
    tmp_path: Path,
) -> None:
    rooms = solo
    room = open_room(qtbot, rooms)
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"\x89PNG not really")
    with qtbot.waitSignal(room.added, timeout=20_000):
        room.add_paths([str(fake)])
    qtbot.waitUntil(lambda: len(room.items) == 1, timeout=10_000)
    room.select(room.items[0].item_id)
    qtbot.waitUntil(lambda: "cannot be previewed" in room.preview.message.text(), timeout=10_000)


def test_open_with_copies_go_to_a_private_folder_that_is_removed(tmp_path: Path) -> None:
    temp = PrivateTempFiles()
    first = temp.path_for("../../etc/passwd")
    assert first.parent == temp.folder and first.name == "passwd"
    assert temp.folder is not None and (temp.folder.stat().st_mode & 0o777) == 0o700
    first.write_bytes(b"x")
    assert temp.path_for("passwd").name == "passwd-1"
    folder = temp.folder
    temp.clear()
    assert not folder.exists()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parse_tags_is_bounded(text: str) -> None:
    tags = parse_tags(text)
    assert len(tags) <= MAX_TAGS
    assert all(0 < len(t) <= 40 and t == t.strip() for t in tags)
    assert len({t.casefold() for t in tags}) == len(tags)


def test_download_from_the_relay_with_progress_then_preview(
    qtbot,
    pair: Rooms,  # noqa: F811
    tmp_path: Path,
) -> None:
    from sync.client import files

    rooms = pair
    assert rooms.other is not None and rooms.other_engine is not None
    # the coordinator shares a 3 MB PDF: it stays on the relay until A asks for it
    pdf = make_pdf(tmp_path / "manifest.pdf", pages=3)
    big = tmp_path / "big-manifest.pdf"
    big.write_bytes(pdf.read_bytes() + b"\n%" + b"0" * (3 * 1024 * 1024) + b"\n")
    item_id = files.add_item(rooms.other, rooms.op, str(big), "Manifest MV Santa Rosa", None)
    rooms.other_engine.sync_once(rooms.op)

    room = open_room(qtbot, rooms)
    with qtbot.waitSignal(room.loaded, timeout=20_000):
        rooms.sync_mine()
    item = room.item(item_id)
    assert item is not None and not item.available and item.on_relay
    room.select(item_id)
    assert "Download it" in room.preview.message.text()
    assert room.download_button.isEnabled()
    seen: list[int] = []
    room.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(room.loaded, timeout=30_000):
        qtbot.mouseClick(room.download_button, Qt.MouseButton.LeftButton)
        assert room.progress.isVisible()
    assert seen and max(seen) == 1000
    assert room.item(item_id).available and not room.progress.isVisible()
    with qtbot.waitSignal(room.previewed, timeout=10_000):
        room.select(item_id)
    assert room.preview.pdf_pages == 3


def test_attachments_under_the_limit_download_by_themselves(
    qtbot,
    pair: Rooms,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Settings > automatic download limit: the sync thread fetches what fits after a round,
    so an officer who goes offline later still has the photos; larger files wait."""
    import os

    from desktop.engine_thread import SyncThread
    from sync.client import files

    rooms = pair
    assert rooms.other is not None and rooms.other_engine is not None
    small = files.add_item(
        rooms.other, rooms.op, str(make_png(tmp_path / "seal.png")), "Seal", None
    )
    large_file = tmp_path / "scan.bin"
    large_file.write_bytes(os.urandom(2 * 1024 * 1024))
    large = files.add_item(rooms.other, rooms.op, str(large_file), "Scan", None)
    rooms.other_engine.sync_once(rooms.op)

    def available(item_id: str) -> bool:
        op = rooms.op

        def look(profile: Any) -> bool:
            item = profile.store.library.get(op, item_id)  # None until the first round
            return item is not None and item.available

        return bool(rooms.on_writer(look))

    thread = SyncThread(rooms.session._profile, rooms.runner, interval=3600, initial_delay=0)
    thread.auto_download_mb = 1
    # A list, not qtbot.waitSignal: the signal comes from the sync thread, queued, and more
    # than once; a blocker gone before a queued emission arrives is a crash in PySide.
    changed: list[str] = []
    thread.operation_changed.connect(changed.append)
    try:
        thread.start()
        qtbot.waitUntil(lambda: available(small), timeout=60_000)
        assert not available(large)
        qtbot.waitUntil(lambda: rooms.op in changed, timeout=10_000)
    finally:
        thread.stop()
        QtCore.QCoreApplication.processEvents()  # deliver what the thread queued


def test_size_column_sorts_by_bytes(qtbot) -> None:
    from desktop.qt import QtWidgets
    from desktop.workspace.library import COL_SIZE, _Row, human_size

    tree = QtWidgets.QTreeWidget()
    qtbot.addWidget(tree)
    tree.setColumnCount(COL_SIZE + 1)
    for size in (9 * 1024, 10 * 1024, 2 * 1024 * 1024, 300):
        row = _Row(["x"] * COL_SIZE + [human_size(size)])
        row.setData(COL_SIZE, Qt.ItemDataRole.UserRole + 1, size)
        tree.addTopLevelItem(row)
    tree.sortItems(COL_SIZE, Qt.SortOrder.AscendingOrder)
    sizes = [tree.topLevelItem(i).data(COL_SIZE, Qt.ItemDataRole.UserRole + 1) for i in range(4)]
    assert sizes == [300, 9 * 1024, 10 * 1024, 2 * 1024 * 1024]
