"""Direct messages to one member's device: compressed, HPKE-sealed, signed by the sender.

The sync engine calls ``seal_direct`` to write and ``open_direct`` to read; the wire format is in
sync.protocol.direct. Receivers keep the message ids they applied (``DirectHeader.message_id``)
to ignore duplicates, exactly as for packages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from locales import _
from sync.crypto.packages import compress, decompress
from sync.errors import ProtocolError
from sync.primitives.identity import Identity
from sync.protocol.commit import Commit
from sync.protocol.direct import (
    DirectHeader,
    open_direct_raw,
    parse_direct,
    seal_direct_raw,
    verify_direct_signature,
)
from sync.protocol.roster import Member


@dataclass(frozen=True)
class OpenedDirect:
    header: DirectHeader
    sender: Member
    body: bytes = field(repr=False)


def seal_direct(
    identity: Identity, roster: Commit, recipient: bytes, *, kind: str, hlc: int, body: bytes
) -> bytes:
    """Seal ``body`` to the member ``recipient`` (device id) of the operation ``roster``."""
    me = roster.member(identity.device_id)
    if me is None or me.role == "observer":
        raise ProtocolError(_("Only participants and coordinators can send direct messages."))
    target = roster.member(recipient)
    if target is None:
        raise ProtocolError(_("The recipient is not a member of the operation."))
    return seal_direct_raw(
        identity,
        target.public,
        operation_id=roster.operation_id,
        kind=kind,
        hlc=hlc,
        plaintext=compress(body),
    )


def open_direct(data: bytes, identity: Identity, roster: Commit) -> OpenedDirect:
    """Verify, decrypt and decompress a direct message to this device, or raise ProtocolError."""
    message = parse_direct(data)
    sender = verify_direct_signature(message, roster)
    body = decompress(open_direct_raw(message, identity))
    return OpenedDirect(message.header, sender, body)
