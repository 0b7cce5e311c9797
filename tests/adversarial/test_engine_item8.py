"""Issue 15, item 8: a refused commit leaves the keys as they were, and a package body is one
zstd frame with nothing after it."""

from __future__ import annotations

import os

import pytest
import zstandard
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sync.client.items import PACKAGE_KIND, MessageItem, encode_body, header_clock
from sync.client.local import LocalChanges
from sync.crypto.epochs import OperationKeys
from sync.crypto.packages import compress, package_key
from sync.errors import ProtocolError
from sync.protocol import Member, PackageHeader, add_members, assemble_package, decode_commit
from sync.protocol.commit import _sign, epoch_secret_info
from sync.protocol.package import PACKAGE_VERSION
from sync.protocol.wire import decode
from sync.store.ids import new_id
from tests.adversarial.conftest import Team


def test_a_refused_commit_leaves_the_keys_unchanged(team: Team) -> None:
    """A coordinator (or a relay holding a coordinator's old commit) sends a properly signed
    commit whose sealed secret for B does not match the commit's check value."""
    op = team.operation()
    c, b = team["C"], team["B"]
    keys_c = c.engine.keys(op)
    newcomer = team.device("D", "DE")
    honest, _secret = add_members(
        c.profile.identity,
        keys_c.latest,
        [Member(newcomer.profile.identity.public, "Officer D", "Agency D", "DE", "participant")],
    )
    fields = dict(decode(decode_commit(honest.raw).body, "commit"))
    wrong = os.urandom(32)
    roster = []
    target = b.profile.identity.device_id
    for entry, member in zip(fields["roster"], honest.roster, strict=True):
        entry = dict(entry)
        if member.device_id == target:
            info = epoch_secret_info(honest.operation_id, honest.epoch, target)
            entry["key"] = b.profile.identity.public.seal(wrong, info=info)
        roster.append(entry)
    fields["roster"] = roster
    forged = _sign(c.profile.identity, fields)

    keys_b = b.engine.keys(op)
    before = (keys_b.commits, keys_b.held_epochs(), keys_b.latest.hash)
    with pytest.raises(ProtocolError):
        keys_b.add_commit(forged.raw)
    assert (keys_b.commits, keys_b.held_epochs(), keys_b.latest.hash) == before
    # The object still accepts the honest commit of that epoch (no phantom fork).
    assert keys_b.add_commit(honest.raw).hash == honest.hash
    assert isinstance(keys_b, OperationKeys) and keys_b.latest.epoch == honest.epoch


def _seal_with_trailing_bytes(device: object, keys: OperationKeys, seq: int, body: bytes) -> bytes:
    identity = device.profile.identity  # type: ignore[attr-defined]
    roster = keys.latest
    header = PackageHeader(
        PACKAGE_VERSION,
        roster.operation_id,
        roster.epoch,
        identity.device_id,
        seq,
        PACKAGE_KIND,
        header_clock(device.profile.clock.now()),  # type: ignore[attr-defined]
        head=roster.hash,
    )
    plain = compress(body)
    assert plain[0] == 1  # zstd
    plain += zstandard.ZstdCompressor().compress(b"smuggled second frame")
    key = package_key(
        keys.secret(roster.epoch), roster.operation_id, roster.epoch, identity.device_id, seq
    )
    nonce = os.urandom(12)
    return assemble_package(
        identity, header, nonce + AESGCM(key).encrypt(nonce, plain, header.encode())
    )


def test_a_package_body_with_bytes_after_its_frame_is_refused(team: Team) -> None:
    op = team.operation(members={"A": "participant"})
    a, c = team["A"], team["C"]
    text = "the body " * 200  # compresses, so the codec is zstd
    body = encode_body([MessageItem(new_id(), "subject", text, False, a.profile.clock.now())])
    raw = _seal_with_trailing_bytes(a, a.engine.keys(op), 1000, body)
    client = a.engine.client(team.proxy.url)
    client.post_packages(bytes.fromhex(op), [raw])  # the relay cannot see inside: it stores it

    before = c.profile.store.messages.list(op)
    report = c.sync(op)
    assert report.received == 0 and report.rejected == 1
    assert report.reasons == ["Package refused: bytes follow the body's compressed frame."]
    assert c.profile.store.outbox.last_sender_seq(op, a.id) == 0  # nothing recorded as applied
    assert c.profile.store.messages.list(op) == before
    # The same message sealed honestly goes through.
    LocalChanges(a.profile, op).send_message("subject", text, alert=False, to=None)
    a.sync(op)
    assert c.sync(op).received == 1
