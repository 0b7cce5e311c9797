"""Sharing earlier epoch secrets with a member who joined later, so it can read the history.

A joiner only receives the secrets of epochs it belongs to. When a coordinator decides that a
newcomer may read what came before, it sends those epoch secrets in a direct message of kind
``epoch-secrets`` (HPKE-sealed to the newcomer's device, signed). The receiver accepts them only
from a coordinator of the latest epoch and only if each matches the commitment in its commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from locales import _
from sync.crypto.direct import OpenedDirect, seal_direct
from sync.crypto.epochs import OperationKeys
from sync.errors import ProtocolError
from sync.primitives.identity import Identity
from sync.protocol.wire import as_map, decode, encode, get_bytes, get_int, get_list

KIND = "epoch-secrets"


def share_epoch_secrets(
    identity: Identity, keys: OperationKeys, recipient: bytes, epochs: Iterable[int], *, hlc: int
) -> bytes:
    """A direct message giving ``recipient`` the secrets of ``epochs`` (coordinators only)."""
    me = keys.latest.member(identity.device_id)
    if me is None or me.role != "coordinator":
        raise ProtocolError(_("Only a coordinator can share the secrets of earlier epochs."))
    pairs = [[epoch, keys.secret(epoch)] for epoch in sorted(set(epochs))]
    body = encode({"op": keys.operation_id, "secrets": pairs})
    return seal_direct(identity, keys.latest, recipient, kind=KIND, hlc=hlc, body=body)


def accept_epoch_secrets(opened: OpenedDirect, keys: OperationKeys) -> tuple[int, ...]:
    """Keep the secrets of an opened ``epoch-secrets`` message; returns the epochs learnt."""
    if opened.header.kind != KIND:
        raise ProtocolError(_("This message does not carry epoch secrets."))
    if opened.sender.role != "coordinator" or keys.latest.member(opened.sender.device_id) is None:
        raise ProtocolError(_("Epoch secrets are only accepted from a current coordinator."))
    what = "epoch secrets"
    value = as_map(decode(opened.body, what, limit=1024 * 1024), {"op", "secrets"}, what)
    if get_bytes(value, "op", what, size=16) != keys.operation_id:
        raise ProtocolError(_("These epoch secrets belong to another operation."))
    learnt: dict[int, bytes] = {}
    for pair in get_list(value, "secrets", what):
        if not isinstance(pair, list) or len(pair) != 2:
            raise ProtocolError(_("Rejected malformed epoch secrets."))
        entry = {"epoch": pair[0], "secret": pair[1]}
        learnt[get_int(entry, "epoch", what)] = get_bytes(entry, "secret", what, size=32)
    for epoch, secret in learnt.items():  # all checked before any is kept: nothing partial
        keys.check_secret(epoch, secret)
    for epoch, secret in learnt.items():
        keys.keep_secret(epoch, secret)
    return tuple(sorted(learnt))
