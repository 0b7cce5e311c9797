"""The library room: the operation's documents and photos. Drop files in (or Add…), see
thumbnails, preview images and PDFs inside the app, download what is still on the relay with
its progress, link items to records, tag them; "Open with…" only when the user asks."""

from __future__ import annotations

from typing import Any

from desktop.errors import user_text
from desktop.i18n import format_datetime
from desktop.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from desktop.session import Session
from desktop.tasks import ProgressUpdate
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace.context import OperationRef
from desktop.workspace.library_data import (
    MAX_PREVIEW_BYTES,
    ItemView,
    PrivateTempFiles,
    RecordChoice,
    add_files,
    fetch,
    link_record,
    load_items,
    open_copy,
    parse_tags,
    read_plaintext,
    record_choices,
    save_copy,
    set_tags,
)
from desktop.workspace.library_preview import PreviewPane, make_thumbnails
from desktop.workspace.messages_data import isolate
from locales import _

COL_TITLE, COL_TYPE, COL_SIZE, COL_STATE, COL_TAGS, COL_RECORDS = range(6)


def human_size(size: int) -> str:
    from babel.numbers import format_decimal

    import locales

    value = float(size)
    for unit in (_("B"), _("KB"), _("MB"), _("GB")):
        if value < 1024 or unit == _("GB"):
            shown = format_decimal(round(value, 1), locale=locales.babel_locale())
            return isolate(_("{size} {unit}").format(size=shown, unit=unit))
        value /= 1024
    return str(size)


def state_text(item: ItemView) -> str:
    if item.waiting_upload:
        return _("Waiting to upload")
    if item.available:
        return _("On this device")
    if item.on_relay:
        return _("On the relay: download to view")
    return _("Not uploaded yet")


def kind_text(item: ItemView) -> str:
    if item.is_image:
        return _("Photo")
    if item.is_pdf:
        return _("PDF document")
    return item.media_type


class _Row(QtWidgets.QTreeWidgetItem):
    """A library row that sorts the Size column by bytes, not by its text ("9 KB" < "10 KB")."""

    def __lt__(self, other: QtWidgets.QTreeWidgetItem) -> bool:
        tree = self.treeWidget()
        column = tree.sortColumn() if tree is not None else 0
        if column == COL_SIZE:
            mine = self.data(COL_SIZE, Qt.ItemDataRole.UserRole + 1)
            theirs = other.data(COL_SIZE, Qt.ItemDataRole.UserRole + 1)
            if isinstance(mine, int) and isinstance(theirs, int):
                return mine < theirs
        return self.text(column).casefold() < other.text(column).casefold()


class LibraryRoom(QtWidgets.QWidget):
    """``loaded`` after each refresh, ``previewed(item_id)`` once a preview is on screen,
    ``added(ids)`` after files were added."""

    loaded = Signal()
    previewed = Signal(str)
    added = Signal(list)

    def __init__(
        self, session: Session, operation: OperationRef, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operation = operation
        self.items: list[ItemView] = []
        self.thumbnails: dict[str, QtGui.QPixmap] = {}
        self._thumbs_asked: set[str] = set()
        self._current: str | None = None
        self._preview_job: Any = None
        self.temp = PrivateTempFiles()
        self.setAcceptDrops(not operation.read_only)

        self.add_button = QtWidgets.QPushButton(self)
        self.add_button.setShortcut(QtGui.QKeySequence("Ctrl+O"))
        self.add_button.clicked.connect(self._pick_files)
        self.add_button.setEnabled(not operation.read_only)
        self.download_button = QtWidgets.QPushButton(self)
        self.download_button.clicked.connect(self.download_current)
        self.open_with_button = QtWidgets.QPushButton(self)
        self.open_with_button.clicked.connect(self._open_with)
        self.save_button = QtWidgets.QPushButton(self)
        self.save_button.clicked.connect(self._save_copy)
        self.link_button = QtWidgets.QPushButton(self)
        self.link_button.clicked.connect(self._link)
        self.tags_button = QtWidgets.QPushButton(self)
        self.tags_button.clicked.connect(self._edit_tags)
        self.filter = QtWidgets.QLineEdit(self)
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._fill)

        self.list = QtWidgets.QTreeWidget(self)
        self.list.setColumnCount(6)
        self.list.setRootIsDecorated(False)
        self.list.setIconSize(QtCore.QSize(48, 48))
        self.list.setUniformRowHeights(True)
        self.list.setSortingEnabled(True)
        self.list.currentItemChanged.connect(self._chosen)
        self.list.itemActivated.connect(lambda *_a: self.download_current())
        self.list.header().setStretchLastSection(True)

        self.drop_hint = PlainLabel(parent=self)
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setStyleSheet("color: palette(mid); padding: 6px;")
        self.progress = QtWidgets.QProgressBar(self)
        self.progress.setVisible(False)
        self.progress_label = PlainLabel(parent=self)
        self.progress_label.setVisible(False)
        self.error = PlainLabel(parent=self)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.details = PlainLabel(parent=self, selectable=True)
        self.details.setWordWrap(True)
        self.preview = PreviewPane(self)
        self.preview.pdf_ready.connect(lambda: self.previewed.emit(self._current or ""))

        buttons = QtWidgets.QHBoxLayout()
        for button in (
            self.add_button,
            self.download_button,
            self.open_with_button,
            self.save_button,
            self.link_button,
            self.tags_button,
        ):
            buttons.addWidget(button)
        buttons.addWidget(self.filter, 1)
        left = QtWidgets.QWidget(self)
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.drop_hint)
        right = QtWidgets.QWidget(self)
        right_layout = QtWidgets.QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.details)
        right_layout.addWidget(self.preview, 1)
        self.splitter = QtWidgets.QSplitter(self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setSizes([620, 480])
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        progress_row = QtWidgets.QHBoxLayout()
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress, 1)
        layout.addLayout(progress_row)
        layout.addWidget(self.splitter, 1)

        # A sync applying many packages says "changed" many times: refresh once after a pause.
        self._refresh_timer = QtCore.QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.refresh)
        session.changed.connect(self._on_changed)
        session.closed.connect(self._on_closed)
        self.destroyed.connect(self.temp.clear)
        self.retranslate()
        self._update_actions()
        self.refresh()

    # -- loading -----------------------------------------------------------------------------

    def _on_changed(self, operation_id: str) -> None:
        if operation_id == self.operation.operation_id:
            self._refresh_timer.start()

    def _on_closed(self) -> None:
        self.items = []
        self.thumbnails.clear()
        self.list.clear()
        self.preview.show_message("")
        self.temp.clear()

    def refresh(self) -> None:
        if not self.session.is_open:
            return
        op = self.operation.operation_id
        self.session.call(lambda profile: load_items(profile, op)).success(self._loaded).failure(
            self._failed
        ).run()

    def _loaded(self, items: list[ItemView]) -> None:
        self.items = items
        self._fill()
        self.loaded.emit()
        wanted = [
            i for i in items if i.is_image and i.available and i.item_id not in self._thumbs_asked
        ]
        if wanted:
            self._thumbs_asked.update(i.item_id for i in wanted)
            op = self.operation.operation_id
            self.session.call(lambda profile: make_thumbnails(profile, op, wanted)).success(
                self._thumbs_made
            ).failure(self._failed).run()

    def _thumbs_made(self, images: dict[str, QtGui.QImage]) -> None:
        for item_id, image in images.items():
            self.thumbnails[item_id] = QtGui.QPixmap.fromImage(image)
        self._fill()

    def _failed(self, exc: BaseException) -> None:
        self.progress.setVisible(False)
        self.progress_label.setVisible(False)
        self.error.setText(user_text(exc))
        self.error.setVisible(True)

    # -- the list ----------------------------------------------------------------------------

    def item(self, item_id: str | None) -> ItemView | None:
        return next((i for i in self.items if i.item_id == item_id), None)

    def _fill(self) -> None:
        needle = self.filter.text().strip().casefold()
        keep = self._current
        self.list.blockSignals(True)
        self.list.setSortingEnabled(False)
        self.list.clear()
        chosen = None
        for item in self.items:
            haystack = " ".join((item.title, item.file_name, *item.tags)).casefold()
            if needle and needle not in haystack:
                continue
            row = _Row(
                [
                    item.title,
                    kind_text(item),
                    human_size(item.size),
                    state_text(item),
                    ", ".join(item.tags),
                    ", ".join(r[:8] for r in item.records),
                ]
            )
            row.setData(COL_TITLE, Qt.ItemDataRole.UserRole, item.item_id)
            row.setData(COL_SIZE, Qt.ItemDataRole.UserRole + 1, item.size)
            icon = self.thumbnails.get(item.item_id)
            if icon is not None:
                row.setIcon(COL_TITLE, QtGui.QIcon(icon))
            else:
                style = self.style()
                standard = (
                    QtWidgets.QStyle.StandardPixmap.SP_FileIcon
                    if item.available
                    else QtWidgets.QStyle.StandardPixmap.SP_ArrowDown
                )
                row.setIcon(COL_TITLE, style.standardIcon(standard))
            self.list.addTopLevelItem(row)
            if item.item_id == keep:
                chosen = row
        self.list.setSortingEnabled(True)
        self.list.blockSignals(False)
        for column in range(COL_TAGS):
            self.list.resizeColumnToContents(column)
        if chosen is not None:
            self.list.setCurrentItem(chosen)
            self._show_details(self.item(keep))
        self.drop_hint.setVisible(not self.operation.read_only)
        self._update_actions()

    def _chosen(self, row: QtWidgets.QTreeWidgetItem | None, _previous: object) -> None:
        item_id = row.data(COL_TITLE, Qt.ItemDataRole.UserRole) if row is not None else None
        self.select(item_id)

    def select(self, item_id: str | None) -> None:
        """Show one item: its details, and a preview when its file is here."""
        self._current = item_id
        item = self.item(item_id)
        self._mark_row(item_id)
        self._show_details(item)
        self._update_actions()
        if self._preview_job is not None:
            self._preview_job.cancel()
            self._preview_job = None
        if item is None:
            self.preview.show_message(_("Choose an item to preview it."))
            return
        if not item.available:
            self.preview.show_message(_("The file is on the relay. Download it to preview it."))
            return
        if not (item.is_image or item.is_pdf):
            self.preview.show_message(
                _("This kind of file cannot be previewed here; use Open with…")
            )
            return
        if item.size > MAX_PREVIEW_BYTES:
            self.preview.show_message(_("The file is too large to preview."))
            return
        self.preview.show_message(_("Decrypting…"))
        op = self.operation.operation_id
        self._preview_job = (
            self.session.call(lambda profile: read_plaintext(profile, op, item.item_id))
            .success(lambda data: self._show_preview(item, data))
            .failure(self._failed)
            .run()
        )

    def _mark_row(self, item_id: str | None) -> None:
        """Keep the list's current row on the item shown (when chosen from elsewhere)."""
        current = self.list.currentItem()
        if current is not None and current.data(COL_TITLE, Qt.ItemDataRole.UserRole) == item_id:
            return
        for index in range(self.list.topLevelItemCount()):
            row = self.list.topLevelItem(index)
            if row is not None and row.data(COL_TITLE, Qt.ItemDataRole.UserRole) == item_id:
                self.list.blockSignals(True)
                self.list.setCurrentItem(row)
                self.list.blockSignals(False)
                return

    def _show_preview(self, item: ItemView, data: bytes) -> None:
        self._preview_job = None
        if item.item_id != self._current:
            return
        if self.preview.show_data(item, data) and not item.is_pdf:
            self.previewed.emit(item.item_id)

    def _show_details(self, item: ItemView | None) -> None:
        if item is None:
            self.details.setText("")
            return
        lines = [
            item.title,
            _("{kind}, {size}, added by {who} on {when}").format(
                kind=kind_text(item),
                size=human_size(item.size),
                who=_("you") if item.mine else isolate(item.author_name),
                when=isolate(format_datetime(item.added, "short")) if item.added else "-",
            ),
            state_text(item),
        ]
        if item.tags:
            lines.append(_("Tags: {tags}").format(tags=", ".join(item.tags)))
        if item.records:
            lines.append(_("Records: {ids}").format(ids=", ".join(r[:8] for r in item.records)))
        self.details.setText("\n".join(lines))

    def _update_actions(self) -> None:
        item = self.item(self._current)
        writable = not self.operation.read_only
        self.download_button.setEnabled(item is not None and not item.available and item.on_relay)
        self.open_with_button.setEnabled(item is not None and item.available)
        self.save_button.setEnabled(item is not None and item.available)
        self.link_button.setEnabled(item is not None)
        self.tags_button.setEnabled(item is not None)
        self.add_button.setEnabled(writable)

    # -- adding ------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if self._local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QtGui.QDragMoveEvent) -> None:  # noqa: N802 - Qt's name
        if self._local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:  # noqa: N802 - Qt's name
        paths = self._local_files(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    def _local_files(self, mime: QtCore.QMimeData) -> list[str]:
        if self.operation.read_only or not mime.hasUrls():
            return []
        paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        return [p for p in paths if p and QtCore.QFileInfo(p).isFile()]

    def _pick_files(self) -> None:
        paths, _filter = QtWidgets.QFileDialog.getOpenFileNames(self, _("Add to the library"))
        if paths:
            self.add_paths(paths)

    def add_paths(self, paths: list[str], record_id: str | None = None) -> None:
        """Encrypt and list files (on the writer thread), showing progress."""
        op = self.operation.operation_id
        self.error.setVisible(False)
        self._show_progress(_("Adding files…"), 0, len(paths))

        def work(profile: Any, progress: Any) -> list[str]:
            return add_files(profile, op, paths, record_id, lambda d, t, _n: progress.report(d, t))

        def done(ids: list[str]) -> None:
            self._hide_progress()
            if ids:
                self._current = ids[-1]
            self.added.emit(ids)
            self.session.notify_changed(op)

        self.session.call_with_progress(work).progress(self._on_progress).success(done).failure(
            self._failed
        ).run()

    # -- download, open, save ----------------------------------------------------------------

    def _show_progress(self, text: str, done: int, total: int) -> None:
        self.progress_label.setText(text)
        self.progress_label.setVisible(True)
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        self.progress.setAccessibleName(text)
        self.progress.setVisible(True)

    def _hide_progress(self) -> None:
        self.progress.setVisible(False)
        self.progress_label.setVisible(False)

    def _on_progress(self, update: ProgressUpdate) -> None:
        if update.total > 0:
            # Bytes can exceed an int's range in Qt: show per mille.
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * update.done / update.total))
        else:
            self.progress.setRange(0, 0)

    def download_current(self) -> None:
        item = self.item(self._current)
        if item is None or item.available or not item.on_relay:
            return
        op = self.operation.operation_id
        self.error.setVisible(False)
        self._show_progress(_("Downloading {title}…").format(title=item.title), 0, 0)

        def done(_attachment: str) -> None:
            self._hide_progress()
            self.session.notify_changed(op)

        self.session.call_with_progress(
            lambda profile, progress: fetch(
                profile, op, item.item_id, lambda d, t: progress.report(d, t)
            )
        ).progress(self._on_progress).success(done).failure(self._failed).run()

    def _open_with(self) -> None:
        item = self.item(self._current)
        if item is None or not item.available:
            return
        answer = QtWidgets.QMessageBox.question(
            self,
            _("Open with another program"),
            _(
                "This writes a decrypted copy of {title} to a private temporary folder and hands "
                "it to the program your system uses for this kind of file. The copy is deleted "
                "when you lock Cordon or close the operation. Continue?"
            ).format(title=item.title),
        )
        if answer != QtWidgets.QMessageBox.StandardButton.Yes:
            return
        op, temp = self.operation.operation_id, self.temp

        def hand_over(path: str) -> None:
            QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(path))

        self.session.call(lambda profile: open_copy(profile, op, item.item_id, temp)).success(
            hand_over
        ).failure(self._failed).run()

    def _save_copy(self) -> None:
        item = self.item(self._current)
        if item is None or not item.available:
            return
        path, _filter = QtWidgets.QFileDialog.getSaveFileName(
            self, _("Save a decrypted copy"), item.file_name or item.title
        )
        if not path:
            return
        op = self.operation.operation_id
        self.session.call(lambda profile: save_copy(profile, op, item.item_id, path)).failure(
            self._failed
        ).run()

    # -- notes: tags and record links --------------------------------------------------------

    def _edit_tags(self) -> None:
        item = self.item(self._current)
        if item is None:
            return
        text, ok = QtWidgets.QInputDialog.getText(
            self,
            _("Tags"),
            _("Tags for {title}, separated by commas:").format(title=item.title),
            text=", ".join(item.tags),
        )
        if ok:
            self.apply_tags(item.item_id, parse_tags(text))

    def apply_tags(self, item_id: str, tags: tuple[str, ...]) -> None:
        op = self.operation.operation_id
        self.session.call(lambda profile: set_tags(profile, op, item_id, tags)).success(
            lambda _r: self.session.notify_changed(op)
        ).failure(self._failed).run()

    def _link(self) -> None:
        item = self.item(self._current)
        if item is None:
            return
        op = self.operation.operation_id
        self.session.call(lambda profile: record_choices(profile, op)).success(
            lambda choices: self._pick_record(item, choices)
        ).failure(self._failed).run()

    def _pick_record(self, item: ItemView, choices: list[RecordChoice]) -> None:
        if not choices:
            self._failed(RuntimeError(_("The operation has no records yet.")))
            return
        from forms.registry import get_template

        def label(choice: RecordChoice) -> str:
            try:
                title = _(get_template(choice.template_id).title)
            except Exception:  # noqa: BLE001 - a template this version does not know
                title = choice.template_id
            return f"{title} · {choice.label}"

        labels = [label(c) for c in choices]
        text, ok = QtWidgets.QInputDialog.getItem(
            self, _("Link to a record"), _("Record:"), labels, 0, False
        )
        if ok and text in labels:
            self.apply_link(item.item_id, choices[labels.index(text)].record_id)

    def apply_link(self, item_id: str, record_id: str) -> None:
        op = self.operation.operation_id
        self.session.call(lambda profile: link_record(profile, op, item_id, record_id)).success(
            lambda _r: self.session.notify_changed(op)
        ).failure(self._failed).run()

    # -- language ----------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.add_button.setText(_("&Add…"))
        self.add_button.setToolTip(_("Add documents or photos (Ctrl+O), or drop files here"))
        self.download_button.setText(_("&Download"))
        self.open_with_button.setText(_("&Open with…"))
        self.save_button.setText(_("Sa&ve a copy…"))
        self.link_button.setText(_("Lin&k to record…"))
        self.tags_button.setText(_("&Tags…"))
        self.filter.setPlaceholderText(_("Filter by title or tag"))
        self.filter.setAccessibleName(_("Filter the library"))
        self.list.setHeaderLabels(
            [_("Title"), _("Type"), _("Size"), _("State"), _("Tags"), _("Records")]
        )
        self.list.setAccessibleName(_("Library items"))
        self.drop_hint.setText(_("Drop documents or photos here to add them to the library."))
        self.details.setAccessibleName(_("Item details"))
        if self.items:
            self._fill()
        elif self._current is None:
            self.preview.show_message(_("Choose an item to preview it."))
