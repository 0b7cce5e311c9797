"""One thread's messages, as cards of plain text (text from others is never rich text)."""

from __future__ import annotations

from desktop.i18n import format_datetime
from desktop.qt import Qt, QtWidgets, Signal
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace.messages_data import MessageView, Thread, isolate
from locales import _


def sender_line(message: MessageView) -> str:
    when = isolate(format_datetime(message.sent, "short")) if message.sent else ""
    who = _("You") if message.mine else isolate(message.author_name)
    if message.kind == "direct":
        if message.mine:
            return _("{who} to {recipient} (direct) · {when}").format(
                who=who, recipient=isolate(message.recipient_name), when=when
            )
        return _("{who} to you (direct) · {when}").format(who=who, when=when)
    return _("{who} to the operation · {when}").format(who=who, when=when)


class MessageCard(QtWidgets.QFrame):
    """A message: who and when, an alert mark, its text, and its attachments as buttons."""

    attachment_clicked = Signal(str)  # library item id

    def __init__(self, message: MessageView, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = message
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.setObjectName("alertCard" if message.alert else "messageCard")
        if message.alert:
            self.setStyleSheet(
                "QFrame#alertCard { border: 2px solid #b3261e; border-radius: 4px; }"
            )
        layout = QtWidgets.QVBoxLayout(self)
        head = QtWidgets.QHBoxLayout()
        self.alert_mark = PlainLabel(_("ALERT"), self)
        self.alert_mark.setStyleSheet("color: white; background: #b3261e; padding: 1px 6px;")
        self.alert_mark.setVisible(message.alert)
        head.addWidget(self.alert_mark)
        self.sender_label = PlainLabel(sender_line(message), self)
        font = self.sender_label.font()
        font.setBold(not message.read)
        self.sender_label.setFont(font)
        head.addWidget(self.sender_label, 1)
        self.unread_mark = PlainLabel(_("New"), self)
        self.unread_mark.setVisible(not message.read)
        head.addWidget(self.unread_mark)
        layout.addLayout(head)
        self.body = PlainLabel(message.text, self, selectable=True)
        self.body.setWordWrap(True)
        layout.addWidget(self.body)
        self.attachment_buttons: list[QtWidgets.QPushButton] = []
        if message.attachments:
            row = QtWidgets.QHBoxLayout()
            for item_id, title in message.attachments:
                # Plain text: QPushButton never interprets markup; '&' is escaped so a title
                # cannot plant a keyboard mnemonic.
                button = QtWidgets.QPushButton((title or item_id[:8]).replace("&", "&&"))
                button.setIcon(
                    self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_FileIcon)
                )
                button.setAccessibleName(_("Attachment {title}").format(title=title))
                button.clicked.connect(lambda _c=False, i=item_id: self.attachment_clicked.emit(i))
                row.addWidget(button)
                self.attachment_buttons.append(button)
            row.addStretch(1)
            layout.addLayout(row)
        self.setAccessibleName(sender_line(message))
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)


class ConversationView(QtWidgets.QScrollArea):
    """The open thread, oldest message at the top."""

    attachment_clicked = Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.cards: list[MessageCard] = []
        self._show(None)

    def _show(self, thread: Thread | None) -> None:
        inner = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(inner)
        self.cards = []
        if thread is None:
            self.empty = PlainLabel(_("Choose a conversation, or start a new one."), inner)
            self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(self.empty)
        else:
            self.title = PlainLabel(thread.subject, inner)
            font = self.title.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            font.setBold(True)
            self.title.setFont(font)
            self.title.setWordWrap(True)
            layout.addWidget(self.title)
            for message in thread.messages:
                card = MessageCard(message, inner)
                card.attachment_clicked.connect(self.attachment_clicked)
                layout.addWidget(card)
                self.cards.append(card)
        layout.addStretch(1)
        self.setWidget(inner)

    def show_thread(self, thread: Thread | None) -> None:
        self._show(thread)
        if self.cards:
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())
