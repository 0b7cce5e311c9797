"""The messages room: conversations by subject, compose and reply, alerts, read state.

Everything is read in one job on the store writer thread (:func:`messages_data.load_snapshot`)
and shown as plain data; sending seals the message into the outbox through ``LocalChanges``.
"""

from __future__ import annotations

from desktop.errors import user_text
from desktop.i18n import format_datetime
from desktop.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from desktop.session import Session
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace.context import OperationRef
from desktop.workspace.messages_compose import ComposeDialog, Draft
from desktop.workspace.messages_data import (
    MessagesSnapshot,
    Thread,
    isolate,
    load_snapshot,
    mark_thread_read,
    reply_subject,
    send,
)
from desktop.workspace.messages_view import ConversationView
from locales import _, ngettext
from sync.services.messages import reply_audience

FILTER_ALL, FILTER_ALERTS, FILTER_DIRECT, FILTER_UNREAD = range(4)


class MessagesRoom(QtWidgets.QWidget):
    """Emits ``show_library_item(item_id)`` when an attachment is clicked (the frame may switch
    to the library); ``loaded`` after each refresh, ``sent(message_id)`` after each send."""

    show_library_item = Signal(str)
    loaded = Signal()
    sent = Signal(str)

    def __init__(
        self, session: Session, operation: OperationRef, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operation = operation
        self.snapshot: MessagesSnapshot | None = None
        self._current_key: str | None = None
        self._busy = False

        self.new_button = QtWidgets.QPushButton(self)
        self.new_button.setShortcut(QtGui.QKeySequence("Ctrl+N"))
        self.new_button.clicked.connect(lambda: self.compose())
        self.new_button.setEnabled(not operation.read_only)
        self.filter = QtWidgets.QComboBox(self)
        self.filter.currentIndexChanged.connect(self._fill_threads)
        self.search = QtWidgets.QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._fill_threads)
        self.summary = PlainLabel(parent=self)

        self.threads = QtWidgets.QListWidget(self)
        self.threads.setWordWrap(True)
        self.threads.setSpacing(2)
        self.threads.currentItemChanged.connect(self._thread_chosen)
        self.conversation = ConversationView(self)
        self.conversation.attachment_clicked.connect(self.show_library_item)

        self.reply_text = QtWidgets.QPlainTextEdit(self)
        self.reply_text.setTabChangesFocus(True)
        self.reply_text.setMaximumHeight(90)
        self.reply_button = QtWidgets.QPushButton(self)
        self.reply_button.clicked.connect(self._reply)
        QtGui.QShortcut(QtGui.QKeySequence("Ctrl+Return"), self.reply_text, self._reply)
        self.reply_to = PlainLabel(parent=self)
        self.error = PlainLabel(parent=self)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.error.setVisible(False)

        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(self.filter)
        top.addWidget(self.search, 1)
        top.addWidget(self.summary)
        right = QtWidgets.QWidget(self)
        right_layout = QtWidgets.QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.conversation, 1)
        right_layout.addWidget(self.reply_to)
        reply_row = QtWidgets.QHBoxLayout()
        reply_row.addWidget(self.reply_text, 1)
        reply_row.addWidget(self.reply_button, 0, Qt.AlignmentFlag.AlignBottom)
        right_layout.addLayout(reply_row)
        self.splitter = QtWidgets.QSplitter(self)
        self.splitter.addWidget(self.threads)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([260, 520])
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.splitter, 1)
        self.setTabOrder(self.new_button, self.filter)
        self.setTabOrder(self.filter, self.search)
        self.setTabOrder(self.search, self.threads)
        self.setTabOrder(self.threads, self.conversation)
        self.setTabOrder(self.conversation, self.reply_text)
        self.setTabOrder(self.reply_text, self.reply_button)

        # A sync applying many packages says "changed" many times: refresh once after a pause.
        self._refresh_timer = QtCore.QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.refresh)
        session.changed.connect(self._on_changed)
        session.closed.connect(self._on_closed)
        self.retranslate()
        self._update_reply_state()
        self.refresh()

    # -- loading -----------------------------------------------------------------------------

    def _on_changed(self, operation_id: str) -> None:
        if operation_id == self.operation.operation_id:
            self._refresh_timer.start()

    def _on_closed(self) -> None:
        self.snapshot = None
        self.threads.clear()
        self.conversation.show_thread(None)

    def refresh(self) -> None:
        if not self.session.is_open:
            return
        op = self.operation.operation_id
        self.session.call(lambda profile: load_snapshot(profile, op)).success(self._loaded).failure(
            self._failed
        ).run()

    def _loaded(self, snapshot: MessagesSnapshot) -> None:
        self.snapshot = snapshot
        self._fill_threads()
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._update_reply_state()
        self.error.setText(user_text(exc))
        self.error.setVisible(True)

    # -- thread list -------------------------------------------------------------------------

    def visible_threads(self) -> list[Thread]:
        if self.snapshot is None:
            return []
        wanted = self.filter.currentIndex()
        needle = self.search.text().strip().casefold()
        shown = []
        for thread in self.snapshot.threads:
            if wanted == FILTER_ALERTS and not thread.alert:
                continue
            if wanted == FILTER_DIRECT and not thread.direct:
                continue
            if wanted == FILTER_UNREAD and not thread.unread:
                continue
            if (
                needle
                and needle not in thread.key
                and not any(needle in m.text.casefold() for m in thread.messages)
            ):
                continue
            shown.append(thread)
        return shown

    def _fill_threads(self) -> None:
        keep = self._current_key
        self.threads.blockSignals(True)
        self.threads.clear()
        chosen = None
        for thread in self.visible_threads():
            entry = QtWidgets.QListWidgetItem(self._thread_text(thread))
            entry.setData(Qt.ItemDataRole.UserRole, thread.key)
            entry.setData(Qt.ItemDataRole.AccessibleTextRole, self._thread_text(thread))
            font = entry.font()
            font.setBold(thread.unread > 0)
            entry.setFont(font)
            if thread.alert:
                entry.setForeground(QtGui.QColor("#b3261e"))
            self.threads.addItem(entry)
            if thread.key == keep:
                chosen = entry
        self.threads.blockSignals(False)
        if chosen is not None:
            self.threads.setCurrentItem(chosen)
        else:
            self._current_key = None
            self.conversation.show_thread(None)
        self._update_summary()
        self._update_reply_state()

    def _thread_text(self, thread: Thread) -> str:
        marks = []
        if thread.alert:
            marks.append(_("Alert"))
        if thread.direct:
            marks.append(_("Direct"))
        head = " · ".join(isolate(p) for p in [*marks, thread.subject])
        count = ngettext("{count} message", "{count} messages", len(thread.messages)).format(
            count=len(thread.messages)
        )
        parts = [count]
        if thread.unread:
            parts.append(
                ngettext("{count} new", "{count} new", thread.unread).format(count=thread.unread)
            )
        if thread.last is not None:
            parts.append(format_datetime(thread.last, "short"))
        return head + "\n" + " · ".join(isolate(p) for p in parts)

    def _update_summary(self) -> None:
        unread = sum(t.unread for t in self.snapshot.threads) if self.snapshot else 0
        self.summary.setText(
            ngettext("{count} unread", "{count} unread", unread).format(count=unread)
            if unread
            else ""
        )

    def find_thread(self, key: str | None) -> Thread | None:
        if self.snapshot is None or key is None:
            return None
        return next((t for t in self.snapshot.threads if t.key == key), None)

    def _thread_chosen(self, entry: QtWidgets.QListWidgetItem | None, _previous: object) -> None:
        key = entry.data(Qt.ItemDataRole.UserRole) if entry is not None else None
        self._current_key = key
        thread = self.find_thread(key)
        self.conversation.show_thread(thread)
        self._update_reply_state()
        if thread is not None and thread.unread:
            ids = [m.message_id for m in thread.messages if not m.read]
            op = self.operation.operation_id
            self.session.call(lambda profile: mark_thread_read(profile, op, ids)).success(
                lambda _n: self.session.notify_changed(op)
            ).failure(self._failed).run()

    def open_thread(self, key: str) -> bool:
        """Select the thread with this key (what a test or a notification does)."""
        for row in range(self.threads.count()):
            if self.threads.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.threads.setCurrentRow(row)
                return True
        return False

    # -- writing -----------------------------------------------------------------------------

    @staticmethod
    def _reply_audience(thread: Thread) -> tuple[str | None, str]:
        """Whom a reply goes to: the audience of the thread's last message (device, name)."""
        last = thread.messages[-1]
        # This device wrote it, or (direct and not mine) it was sealed to this device.
        me = last.author if last.mine else (last.recipient or "")
        to = reply_audience(last.kind, last.author, last.recipient, me)
        if to is None:
            return None, ""
        return to, last.recipient_name if to == last.recipient else last.author_name

    def _update_reply_state(self) -> None:
        can = not self.operation.read_only and self._current_key is not None and not self._busy
        thread = self.find_thread(self._current_key)
        if thread is None:
            self.reply_to.setText("")
        else:
            to, name = self._reply_audience(thread)
            self.reply_to.setText(
                _("Replies go to the whole operation.")
                if to is None
                else _("Replies go to {name} only (direct).").format(name=name)
            )
        self.reply_text.setEnabled(can)
        self.reply_button.setEnabled(can)
        self.new_button.setEnabled(not self.operation.read_only and not self._busy)

    def compose(self, subject: str = "", to: str | None = None) -> ComposeDialog | None:
        """Open the compose dialog (non-modal, so the window stays usable)."""
        if self.snapshot is None or self.operation.read_only:
            return None
        dialog = ComposeDialog(
            self.snapshot.participants,
            self.snapshot.library,
            can_alert=True,
            subject=subject,
            to=to,
            parent=self,
        )
        dialog.accepted.connect(lambda: self.send_draft(dialog.draft()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.compose_dialog = dialog
        return dialog

    def _reply(self) -> None:
        thread = self.find_thread(self._current_key)
        text = self.reply_text.toPlainText()
        if thread is None or not text.strip() or not self.reply_button.isEnabled():
            return
        to = self._reply_audience(thread)[0]
        self.send_draft(Draft(reply_subject(thread.subject), text, False, to, (), ()))

    def send_draft(self, draft: Draft) -> None:
        op = self.operation.operation_id
        self._busy = True
        self.error.setVisible(False)
        self._update_reply_state()
        from desktop.workspace.messages_data import thread_key

        self._current_key = thread_key(draft.subject)

        def done(message_id: str) -> None:
            self._busy = False
            self.reply_text.clear()
            self._update_reply_state()
            self.sent.emit(message_id)
            self.session.notify_changed(op)

        self.session.call(
            lambda profile: send(
                profile,
                op,
                draft.subject,
                draft.text,
                alert=draft.alert,
                to=draft.to,
                library_items=draft.library_items,
                files=draft.files,
            )
        ).success(done).failure(self._failed).run()

    # -- language ----------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.new_button.setText(_("&New message…"))
        self.new_button.setToolTip(_("Write to the operation or one participant (Ctrl+N)"))
        index = max(self.filter.currentIndex(), 0)
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItems([_("All"), _("Alerts"), _("Direct"), _("Unread")])
        self.filter.setCurrentIndex(index)
        self.filter.blockSignals(False)
        self.filter.setAccessibleName(_("Show"))
        self.search.setPlaceholderText(_("Search messages"))
        self.search.setAccessibleName(_("Search messages"))
        self.threads.setAccessibleName(_("Conversations"))
        self.conversation.setAccessibleName(_("Conversation"))
        self.reply_text.setPlaceholderText(_("Reply to this conversation (Ctrl+Enter sends)"))
        self.reply_text.setAccessibleName(_("Reply"))
        self.reply_button.setText(_("&Reply"))
        if self.snapshot is not None:
            self._fill_threads()
