"""Messages: sending to the operation, to one member (sealed to that device) or as an alert,
and replying in a thread.

A *thread* is every message of the operation whose subject, stripped of reply prefixes
("Re:", "RE :", "رد:" ...), folds to the same text: messages carry no thread id on the wire, so
grouping by subject is what every client sees alike. A reply goes to the audience of the
thread's last message (the whole operation, or the one other person of a direct exchange),
under the thread's subject with one "Re:".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from locales import _
from sync.client import state
from sync.client.local import LocalChanges
from sync.services import roles
from sync.services.errors import Invalid, NotFound
from sync.services.roles import Permission
from sync.services.roster import find_member
from sync.store.profile import Profile

_REPLY_PREFIX = re.compile(r"^\s*(?:re|fw|fwd|aw|tr|rv|رد)\s*(?:\[\d+\])?\s*[:：]\s*", re.I)
MAX_SUBJECT = 200
MAX_BODY = 100_000


def strip_reply(subject: str) -> str:
    """The subject without any leading reply/forward prefixes."""
    text = subject
    for _i in range(20):  # bounded: a hostile subject of a million "Re:" costs nothing
        stripped = _REPLY_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return text.strip()


def thread_key(subject: str) -> str:
    """What every message of one thread shares: its subject, folded."""
    return " ".join(strip_reply(subject).casefold().split())


def reply_subject(subject: str) -> str:
    """The subject of a reply in the thread of ``subject``."""
    base = strip_reply(subject)
    return f"Re: {base}" if base else "Re:"


def reply_audience(kind: str, author: str, recipient: str | None, me: str) -> str | None:
    """Whom a reply after the thread's last message (of ``kind``, from ``author`` to
    ``recipient``) goes to: None for the whole operation, else the one other device."""
    if kind != "direct":
        return None
    return recipient if author == me else author


@dataclass(frozen=True)
class Reply:
    """Where a reply to one message goes: its subject and audience (None: everyone)."""

    subject: str
    to: str | None


def reply_to(profile: Profile, operation_id: str, message_id: str) -> Reply:
    """The subject and audience of a reply in the thread of ``message_id`` (a full id or an
    unambiguous prefix of at least six characters)."""
    store = profile.store
    text = message_id.strip().lower()
    messages = store.messages.list(operation_id)
    found = [m for m in messages if m.message_id == text] or [
        m for m in messages if len(text) >= 6 and m.message_id.startswith(text)
    ]
    if len(found) != 1:
        raise NotFound(_("There is no message {id} in this operation.").format(id=message_id))
    key = thread_key(found[0].subject)
    thread = sorted((m for m in messages if thread_key(m.subject) == key), key=lambda m: m.sent_hlc)
    last = thread[-1]
    audience = reply_audience(last.kind, last.author, last.recipient, profile.device_id)
    return Reply(reply_subject(found[0].subject), audience)


def send(
    profile: Profile,
    operation: str,
    subject: str,
    body: str,
    *,
    alert: bool = False,
    to: str | None = None,
    reply: str | None = None,
) -> str:
    """Send a message; with ``reply`` (a message id) it goes into that message's thread, to
    the thread's audience, and ``subject`` and ``to`` must be left empty. Returns its id."""
    op = state.require_operation(profile.store, operation)
    roles.require(op.role, Permission.WRITE)
    recipient = None
    if reply is not None:
        if subject.strip() or to:
            raise Invalid(_("A reply takes the subject and audience of its thread."))
        answer = reply_to(profile, op.operation_id, reply)
        subject, recipient = answer.subject, answer.to
    elif to:
        recipient = find_member(profile.store, op.operation_id, to).device_id
    if not subject.strip():
        raise Invalid(_("A message needs a subject."))
    if len(subject) > MAX_SUBJECT:
        raise Invalid(
            _("The subject is too long (at most {count} characters).").format(count=MAX_SUBJECT)
        )
    if not body.strip():
        raise Invalid(_("A message needs some text."))
    if len(body) > MAX_BODY:
        raise Invalid(
            _("The message is too long (at most {count} characters).").format(count=MAX_BODY)
        )
    return LocalChanges(profile, op.operation_id).send_message(
        subject, body, alert=alert, to=recipient
    )
