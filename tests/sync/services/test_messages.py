"""Messages: threads by subject, and where a reply goes."""

from __future__ import annotations

import pytest

from sync.services import messages
from sync.services.errors import Invalid, NotFound
from tests.sync.client.conftest import Device


def test_thread_key_and_reply_subject() -> None:
    assert messages.thread_key("RE : re: Container  X") == "container x"
    assert messages.reply_subject("Re: Re: Container X") == "Re: Container X"
    assert messages.strip_reply("Re:" * 10_000 + " x") != ""  # bounded, never hangs


def test_a_reply_to_an_operation_message_goes_to_everyone(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    first = messages.send(d["A"].profile, op, "Container MSCU1234565", "Check at Lomé")
    d["B"].engine.receive(op, d["A"].outgoing(op))
    reply = messages.send(d["B"].profile, op, "", "Done", reply=first[:8])
    stored = d["B"].profile.store.messages.get(op, reply)
    assert stored is not None
    assert (stored.subject, stored.kind, stored.recipient) == (
        "Re: Container MSCU1234565",
        "operation",
        None,
    )


def test_a_reply_in_a_direct_thread_goes_back_to_the_other_person(
    trio: tuple[str, dict[str, Device]],
) -> None:
    op, d = trio
    first = messages.send(d["A"].profile, op, "Quiet word", "Only you", to=d["B"].id[:10])
    d["B"].engine.receive(op, d["A"].outgoing(op))
    answer = messages.reply_to(d["B"].profile, op, first)
    assert answer == messages.Reply("Re: Quiet word", d["A"].id)
    reply = messages.send(d["B"].profile, op, "", "Understood", reply=first)
    stored = d["B"].profile.store.messages.get(op, reply)
    assert stored is not None and (stored.kind, stored.recipient) == ("direct", d["A"].id)


def test_send_refuses_what_makes_no_message(trio: tuple[str, dict[str, Device]]) -> None:
    op, d = trio
    first = messages.send(d["A"].profile, op, "Subject", "Body")
    with pytest.raises(Invalid):
        messages.send(d["A"].profile, op, "Other subject", "x", reply=first)
    with pytest.raises(Invalid):
        messages.send(d["A"].profile, op, "  ", "x")
    with pytest.raises(Invalid):
        messages.send(d["A"].profile, op, "s", " \n")
    with pytest.raises(NotFound):
        messages.send(d["A"].profile, op, "", "x", reply="ffffffffffff")
    with pytest.raises(NotFound):
        messages.send(d["A"].profile, op, "s", "x", to="abcdef0123")
