"""The messages room's data, without Qt: threads grouped by subject, attachment references,
and the one query the room runs on the store writer thread.

A *thread* is every message of the operation whose subject folds to the same text; what a
thread is and whom a reply goes to are ``sync.services.messages``'s rules.

Attachments are library items of the operation: a message names them in trailing lines
``[library:<item id>] <title>`` after its text (readable in ``cordon msg list`` too). A file
attached from disk is added to the library first, so it is encrypted, uploaded and fetched
like any other library item.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sync.services import messages
from sync.services.messages import MAX_BODY, MAX_SUBJECT, reply_subject, strip_reply, thread_key

__all__ = ["MAX_BODY", "MAX_SUBJECT", "reply_subject", "strip_reply", "thread_key"]

_REF_LINE = re.compile(r"^\[library:([0-9a-f]{32})\](?: (.*))?$")
MAX_ATTACHMENTS = 20


@dataclass(frozen=True)
class MessageView:
    """One message as the room shows it (plain data; the text is never interpreted)."""

    message_id: str
    kind: str  # "operation", "alert" or "direct"
    author: str
    author_name: str
    recipient: str | None
    recipient_name: str
    subject: str
    text: str  # the body without its attachment lines
    attachments: tuple[tuple[str, str], ...]  # (item id, title)
    sent: dt.datetime | None
    read: bool
    mine: bool

    @property
    def alert(self) -> bool:
        return self.kind == "alert"


@dataclass
class Thread:
    """Messages sharing one subject, oldest first."""

    key: str
    subject: str
    messages: list[MessageView] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for m in self.messages if not m.read and not m.mine)

    @property
    def alert(self) -> bool:
        return any(m.alert for m in self.messages)

    @property
    def direct(self) -> bool:
        return all(m.kind == "direct" for m in self.messages)

    @property
    def last(self) -> dt.datetime | None:
        times = [m.sent for m in self.messages if m.sent is not None]
        return max(times) if times else None


@dataclass(frozen=True)
class Participant:
    device_id: str
    name: str
    agency: str
    country: str


@dataclass(frozen=True)
class MessagesSnapshot:
    """Everything the room shows, loaded in one go on the writer thread."""

    threads: list[Thread]
    participants: list[Participant]  # active members other than this device
    library: list[tuple[str, str]]  # (item id, title) of the operation's library
    me: str


def isolate(text: str) -> str:
    """Bidi-isolate one part of a sentence (FSI ... PDI), so Latin names, numbers and dates
    keep their own order inside right-to-left text, and Arabic inside left-to-right."""
    return f"\u2068{text}\u2069"


def split_body(body: str) -> tuple[str, list[tuple[str, str]]]:
    """A body's text and the library items its trailing ``[library:id] title`` lines name.

    Only an unbroken run of such lines at the very end counts, so text quoting one in the
    middle stays text. Never raises, whatever the body.
    """
    lines = body.split("\n")
    refs: list[tuple[str, str]] = []
    while lines and len(refs) < MAX_ATTACHMENTS:
        match = _REF_LINE.match(lines[-1])
        if match is None:
            break
        refs.append((match.group(1), match.group(2) or ""))
        lines.pop()
    if not refs:
        return body, []
    while lines and not lines[-1].strip():
        lines.pop()
    refs.reverse()
    return "\n".join(lines), refs


def join_body(text: str, attachments: Iterable[tuple[str, str]]) -> str:
    """The body to send: the text, then one line per attached library item."""
    refs = []
    for item_id, title in attachments:
        if not re.fullmatch(r"[0-9a-f]{32}", item_id):
            raise ValueError("a library item id is 32 lower-case hex digits")
        refs.append(f"[library:{item_id}] {' '.join(title.split())}".rstrip())
    if not refs:
        return text
    return text.rstrip("\n") + "\n\n" + "\n".join(refs)


def hlc_time(hlc: str) -> dt.datetime | None:
    """The wall-clock part of an HLC value, or None when it is not one."""
    head = hlc.split(".", 1)[0]
    if len(head) != 13 or not head.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(head) / 1000, tz=dt.UTC)


def build_threads(messages: Iterable[MessageView]) -> list[Thread]:
    """Group messages by subject; threads newest activity first, messages oldest first."""
    threads: dict[str, Thread] = {}
    for message in messages:
        key = thread_key(message.subject)
        thread = threads.get(key)
        if thread is None:
            thread = threads[key] = Thread(key, strip_reply(message.subject) or message.subject)
        thread.messages.append(message)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    for thread in threads.values():
        thread.messages.sort(key=lambda m: m.sent or epoch)
    return sorted(threads.values(), key=lambda t: t.last or epoch, reverse=True)


def load_snapshot(profile: Any, operation_id: str) -> MessagesSnapshot:
    """Read the operation's messages, roster and library titles (runs on the writer thread)."""
    store = profile.store
    me = profile.device_id
    members = store.operations.members(operation_id)
    names = {m.device_id: m.name for m in members}
    participants = [
        Participant(m.device_id, m.name, m.agency, m.country)
        for m in members
        if m.status == "active" and m.device_id != me
    ]
    participants.sort(key=lambda p: p.name.casefold())
    library = [(i.item_id, i.title) for i in store.library.list(operation_id)]
    titles = dict(library)
    views = []
    for m in store.messages.list(operation_id):
        text, refs = split_body(m.body)
        views.append(
            MessageView(
                m.message_id,
                m.kind,
                m.author,
                names.get(m.author, m.author[:12]),
                m.recipient,
                names.get(m.recipient, m.recipient[:12]) if m.recipient else "",
                m.subject,
                text,
                tuple((item_id, titles.get(item_id, title)) for item_id, title in refs),
                hlc_time(m.sent_hlc),
                m.read or m.author == me,
                m.author == me,
            )
        )
    return MessagesSnapshot(build_threads(views), participants, library, me)


def mark_thread_read(profile: Any, operation_id: str, message_ids: Iterable[str]) -> int:
    """Mark messages read (writer thread); returns how many."""
    return int(profile.store.messages.mark_read_many(operation_id, message_ids))


def send(
    profile: Any,
    operation_id: str,
    subject: str,
    text: str,
    *,
    alert: bool,
    to: str | None,
    library_items: Iterable[tuple[str, str]] = (),
    files: Iterable[str] = (),
) -> str:
    """Send a message (writer thread): files from disk join the library first, then the
    message names every attached item. Returns the message id."""
    from sync.client import files as library_files

    attachments = list(library_items)
    for path in files:
        item_id = library_files.add_item(profile, operation_id, path, None, None)
        item = profile.store.library.get(operation_id, item_id)
        attachments.append((item_id, item.title if item else ""))
    body = join_body(text, attachments)
    return messages.send(profile, operation_id, subject, body, alert=alert, to=to)
