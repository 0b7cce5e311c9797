"""Commits: the signed chain of an operation's epochs (roster, sealed epoch secrets, metadata).

A commit is ``{"body": bytes, "sig": Ed25519, "pqsig": ML-DSA-65}`` in canonical CBOR, where
``body`` is itself canonical CBOR (see docs/protocol.md). Both signatures cover
``b"cordon-commit-v1\\x00" + body`` and must come from a coordinator of the previous epoch (of the
commit itself for the genesis). Decoding checks structure only; the verify_* functions check the
chain and the signatures.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from locales import _
from sync.errors import ProtocolError
from sync.primitives.identity import DEVICE_ID_BYTES, Identity, PublicIdentity
from sync.protocol.roster import ROLES, Member, OperationInfo, check_member_fields
from sync.protocol.sealing import open_value, seal_value
from sync.protocol.wire import (
    ROSTER_VERSION,
    as_map,
    decode,
    encode,
    get_bytes,
    get_int,
    get_list,
    get_text,
    u64,
)

OPERATION_ID_BYTES = 16
_META_DOMAIN = b"cordon-commit-meta-v2\x00"
_META_MAX = 4 * 1024 * 1024
_SEALED_INFO = OperationInfo("", None, "")  # what a commit shows before it is opened
EPOCH_SECRET_BYTES = 32
MAX_MEMBERS = 5000
ACTIONS = ("genesis", "add", "remove", "role", "rotate", "update", "close")
MAX_RETENTION_DAYS = 36500
ZERO_HASH = bytes(32)
_COMMIT_DOMAIN = b"cordon-commit-v1\x00"
_SECRET_DOMAIN = b"cordon-epoch-secret-v1\x00"
_CHECK_DOMAIN = b"cordon-epoch-check-v1\x00"
_SEALED_MAX = 4096
_ED_SIG = 64
_PQ_SIG = 3309


@dataclass(frozen=True)
class Commit:
    """One link of an operation's chain, decoded but not necessarily verified."""

    operation_id: bytes
    epoch: int
    prev_hash: bytes
    roster: tuple[Member, ...]
    author: bytes
    raw: bytes
    info: OperationInfo
    action: str
    time_ms: int
    retention_days: int | None  # a closing commit: how long every device keeps its copy
    unverified: tuple[bytes, ...]  # devices admitted here without their fingerprint compared
    secret_check: bytes = field(repr=False)  # commitment to the epoch secret (see check_value)
    sealed: tuple[bytes, ...] = field(repr=False)  # epoch secret sealed to roster[i]
    meta: bytes = field(repr=False)  # info and members' names, sealed under the epoch secret
    body: bytes = field(repr=False)
    signature: bytes = field(repr=False)
    pq_signature: bytes = field(repr=False)
    opened: bool = True  # False: names and info are blank (this device lacks the epoch secret)

    @cached_property
    def hash(self) -> bytes:
        return hashlib.sha256(self.raw).digest()

    @cached_property
    def _by_device(self) -> dict[bytes, int]:
        return {m.device_id: i for i, m in enumerate(self.roster)}

    def member(self, device_id: bytes) -> Member | None:
        index = self._by_device.get(device_id)
        return None if index is None else self.roster[index]

    def sealed_secret(self, device_id: bytes) -> bytes | None:
        """The epoch secret as sealed to ``device_id``, or None if it is not a member."""
        index = self._by_device.get(device_id)
        return None if index is None else self.sealed[index]

    def coordinators(self) -> tuple[Member, ...]:
        return tuple(m for m in self.roster if m.role == "coordinator")


def epoch_secret_info(operation_id: bytes, epoch: int, device_id: bytes) -> bytes:
    """HPKE ``info`` binding a sealed epoch secret to its operation, epoch and recipient."""
    return _SECRET_DOMAIN + operation_id + u64(epoch) + device_id


def secret_check_value(secret: bytes, operation_id: bytes, epoch: int) -> bytes:
    """A public commitment to the epoch secret, so every member can tell that it received the
    same secret as the others (a coordinator cannot split the members with different secrets)."""
    return hmac.new(secret, _CHECK_DOMAIN + operation_id + u64(epoch), hashlib.sha256).digest()


def check_epoch_secret(commit: Commit, secret: bytes) -> None:
    """Refuse a secret that is not the one ``commit`` committed to."""
    expected = secret_check_value(secret, commit.operation_id, commit.epoch)
    if len(secret) != EPOCH_SECRET_BYTES or not hmac.compare_digest(expected, commit.secret_check):
        raise ProtocolError(_("The epoch secret does not match its commit."))


def decode_commit(data: bytes) -> Commit:
    """Decode a commit's structure; raises ProtocolError on anything malformed."""
    outer = as_map(decode(data, "commit"), {"body", "sig", "pqsig"}, "commit")
    body = get_bytes(outer, "body", "commit")
    signature = get_bytes(outer, "sig", "commit", size=_ED_SIG)
    pq_signature = get_bytes(outer, "pqsig", "commit", size=_PQ_SIG)
    what = "commit body"
    fields = {"v", "op", "epoch", "prev", "author", "roster", "meta", "action", "time", "check"}
    fields |= {"retention", "unverified"}
    value = as_map(decode(body, what), fields, what)
    if get_int(value, "v", what) != ROSTER_VERSION:
        raise ProtocolError(_("Unsupported commit version."))
    entries = get_list(value, "roster", what, max_len=MAX_MEMBERS)
    roster: list[Member] = []
    sealed: list[bytes] = []
    for entry in entries:
        item = as_map(entry, {"id", "role", "key"}, "roster entry")
        role = get_text(item, "role", "roster entry", max_len=20)
        if role not in ROLES:
            raise ProtocolError(_("Malformed member: unknown role."))
        roster.append(Member(PublicIdentity.from_cbor_map(item["id"]), "", "", "", role))
        sealed.append(get_bytes(item, "key", "roster entry", max_size=_SEALED_MAX))
    ids = [m.device_id for m in roster]
    if not ids:
        raise ProtocolError(_("Malformed commit: the roster is empty."))
    if any(a >= b for a, b in zip(ids, ids[1:], strict=False)):
        raise ProtocolError(
            _("Malformed commit: roster not sorted by device id or has duplicates.")
        )
    action = get_text(value, "action", what, max_len=20)
    if action not in ACTIONS:
        raise ProtocolError(_("Malformed commit: unknown action."))
    retention = value["retention"]
    if action == "close":
        retention = get_int(value, "retention", what, maximum=MAX_RETENTION_DAYS)
    elif retention is not None:
        raise ProtocolError(_("Malformed commit: only a closing commit carries a retention."))
    unverified = tuple(
        bytes(d)
        for d in get_list(value, "unverified", what, max_len=MAX_MEMBERS)
        if isinstance(d, bytes)
    )
    if len(unverified) != len(value["unverified"]) or list(unverified) != sorted(set(unverified)):
        raise ProtocolError(_("Malformed commit: the unverified admissions are not a sorted list."))
    if not set(unverified) <= set(ids) or (unverified and action != "add"):
        raise ProtocolError(_("Malformed commit: an unverified admission names no new member."))
    return Commit(
        operation_id=get_bytes(value, "op", what, size=OPERATION_ID_BYTES),
        epoch=get_int(value, "epoch", what),
        prev_hash=get_bytes(value, "prev", what, size=32),
        roster=tuple(roster),
        author=get_bytes(value, "author", what, size=DEVICE_ID_BYTES),
        raw=bytes(data),
        info=_SEALED_INFO,
        action=action,
        time_ms=get_int(value, "time", what),
        retention_days=retention,
        unverified=unverified,
        secret_check=get_bytes(value, "check", what, size=32),
        sealed=tuple(sealed),
        meta=get_bytes(value, "meta", what, max_size=_META_MAX),
        opened=False,
        body=body,
        signature=signature,
        pq_signature=pq_signature,
    )


def _check_signatures(commit: Commit, signer: Member | None) -> None:
    if signer is None or signer.role != "coordinator":
        raise ProtocolError(
            _("Commit refused: its author is not a coordinator of the previous epoch.")
        )
    message = _COMMIT_DOMAIN + commit.body
    if not signer.public.verify(commit.signature, message):
        raise ProtocolError(_("Commit refused: bad Ed25519 signature."))
    if not signer.public.verify_pq(commit.pq_signature, message):
        raise ProtocolError(_("Commit refused: bad ML-DSA-65 signature."))


def _check_roster(commit: Commit) -> None:
    if not commit.coordinators():
        raise ProtocolError(_("Commit refused: the roster has no coordinator."))


def verify_genesis(commit: Commit) -> None:
    """Check the first commit: epoch 0, zero prev hash, signed by a coordinator it names."""
    if commit.epoch != 0 or commit.prev_hash != ZERO_HASH or commit.action != "genesis":
        raise ProtocolError(_("Commit refused: not a genesis commit."))
    _check_roster(commit)
    _check_signatures(commit, commit.member(commit.author))


def verify_next(prev: Commit, commit: Commit) -> None:
    """Check that ``commit`` validly follows ``prev`` (same operation, next epoch, chained hash)."""
    if commit.operation_id != prev.operation_id:
        raise ProtocolError(_("Commit refused: it belongs to another operation."))
    if commit.epoch <= prev.epoch:
        raise ProtocolError(
            _("Commit refused: epoch {epoch} is not after epoch {prev} (reordered).").format(
                epoch=commit.epoch, prev=prev.epoch
            )
        )
    if commit.epoch != prev.epoch + 1:
        raise ProtocolError(
            _("Commit refused: gap, epochs {first} to {last} are missing.").format(
                first=prev.epoch + 1, last=commit.epoch - 1
            )
        )
    if commit.prev_hash != prev.hash:
        raise ProtocolError(
            _("Commit refused: fork, it does not follow the known commit of epoch {epoch}.").format(
                epoch=prev.epoch
            )
        )
    if commit.action == "genesis":
        raise ProtocolError(_("Commit refused: a second genesis."))
    if prev.action == "close":
        raise ProtocolError(_("Commit refused: the operation was closed by its coordinator."))
    _check_roster(commit)
    _check_signatures(commit, prev.member(commit.author))


def verify_chain(commits: Sequence[bytes]) -> Commit:
    """Verify genesis..latest and return the latest commit."""
    if not commits:
        raise ProtocolError(_("Commit chain is empty."))
    current = decode_commit(commits[0])
    verify_genesis(current)
    for raw in commits[1:]:
        following = decode_commit(raw)
        verify_next(current, following)
        current = following
    return current


# -- producing side -------------------------------------------------------------------------


def _sign(author: Identity, fields: dict[str, Any]) -> Commit:
    body = encode(fields)
    message = _COMMIT_DOMAIN + body
    raw = encode({"body": body, "sig": author.sign(message), "pqsig": author.sign_pq(message)})
    return decode_commit(raw)


def _build(
    author: Identity,
    operation_id: bytes,
    epoch: int,
    prev_hash: bytes,
    roster: Iterable[Member],
    info: OperationInfo,
    action: str,
    time_ms: int | None,
    retention_days: int | None = None,
    unverified: Iterable[bytes] = (),
) -> tuple[Commit, bytes]:
    members = sorted(roster, key=lambda m: m.device_id)
    if len({m.device_id for m in members}) != len(members):
        raise ProtocolError(_("A device appears twice in the roster."))
    if not members or len(members) > MAX_MEMBERS:
        raise ProtocolError(_("The roster must hold between 1 and 5000 members."))
    info = OperationInfo.from_wire(info.to_wire())  # the same checks a receiver makes
    for member in members:
        check_member_fields(member.name, member.agency, member.country, member.role)
    if len(operation_id) != OPERATION_ID_BYTES or len(prev_hash) != 32:
        raise ProtocolError(_("Malformed commit: wrong operation id or previous hash."))
    secret = secrets.token_bytes(EPOCH_SECRET_BYTES)
    entries = []
    for member in members:
        entry: dict[str, Any] = {"id": member.public.to_cbor_map(), "role": member.role}
        info_bytes = epoch_secret_info(operation_id, epoch, member.device_id)
        entry["key"] = member.public.seal(secret, info=info_bytes)
        entries.append(entry)
    stamp = int(time.time() * 1000) if time_ms is None else time_ms
    check = secret_check_value(secret, operation_id, epoch)
    meta = seal_value(
        secret,
        operation_id,
        _META_DOMAIN,
        _meta_aad(operation_id, epoch),
        {"info": info.to_wire(), "names": [[m.name, m.agency, m.country] for m in members]},
    )
    fields = {
        "v": ROSTER_VERSION,
        "op": operation_id,
        "epoch": epoch,
        "prev": prev_hash,
        "author": author.device_id,
        "roster": entries,
        "meta": meta,
        "action": action,
        "time": stamp,
        "check": check,
        "retention": retention_days,
        "unverified": sorted(set(unverified)),
    }
    body = encode(fields)
    message = _COMMIT_DOMAIN + body
    signature, pq_signature = author.sign(message), author.sign_pq(message)
    raw = encode({"body": body, "sig": signature, "pqsig": pq_signature})
    # built from checked parts, so no need to decode it again (a 200-member commit is ~1 MiB)
    commit = Commit(
        operation_id=operation_id,
        epoch=epoch,
        prev_hash=prev_hash,
        roster=tuple(members),
        author=author.device_id,
        raw=raw,
        info=info,
        action=action,
        time_ms=stamp,
        retention_days=retention_days,
        unverified=tuple(sorted(set(unverified))),
        secret_check=check,
        sealed=tuple(entry["key"] for entry in entries),
        meta=meta,
        body=body,
        signature=signature,
        pq_signature=pq_signature,
    )
    return commit, secret


def create_genesis(
    author: Identity,
    *,
    name: str,
    agency: str,
    country: str,
    info: OperationInfo,
    operation_id: bytes | None = None,
    time_ms: int | None = None,
) -> tuple[Commit, bytes]:
    """Start an operation: a random id, epoch 0, the author as its only coordinator.

    Returns the commit and the epoch-0 secret (also sealed to the author inside the commit).
    """
    op = secrets.token_bytes(OPERATION_ID_BYTES) if operation_id is None else operation_id
    if len(op) != OPERATION_ID_BYTES:
        raise ProtocolError(_("An operation id is 16 bytes."))
    me = Member(author.public, name, agency, country, "coordinator")
    return _build(author, op, 0, ZERO_HASH, [me], info, "genesis", time_ms)


def create_commit(
    author: Identity,
    prev: Commit,
    roster: Iterable[Member],
    *,
    action: str,
    info: OperationInfo | None = None,
    time_ms: int | None = None,
    retention_days: int | None = None,
    unverified: Iterable[bytes] = (),
) -> tuple[Commit, bytes]:
    """The next commit after ``prev`` with ``roster`` and a fresh epoch secret.

    ``author`` must be a coordinator in ``prev``. Returns the commit and the new epoch secret.
    """
    signer = prev.member(author.device_id)
    if signer is None or signer.role != "coordinator":
        raise ProtocolError(_("Only a coordinator of the current epoch can write a commit."))
    if action not in ACTIONS or action == "genesis":
        raise ProtocolError(_("Unknown commit action."))
    if prev.action == "close":
        raise ProtocolError(_("The operation was closed by its coordinator."))
    if not prev.opened:
        raise ProtocolError(_("This device cannot read the current epoch of the operation."))
    if (action == "close") != (retention_days is not None) or not 0 <= (
        retention_days or 0
    ) <= MAX_RETENTION_DAYS:
        raise ProtocolError(_("A closing commit, and only it, carries a retention in days."))
    members = list(roster)
    if not any(m.role == "coordinator" for m in members):
        raise ProtocolError(_("The roster must keep at least one coordinator."))
    return _build(
        author,
        prev.operation_id,
        prev.epoch + 1,
        prev.hash,
        members,
        prev.info if info is None else info,
        action,
        time_ms,
        retention_days,
        unverified,
    )


def add_members(
    author: Identity, prev: Commit, new: Iterable[Member], unverified: Iterable[bytes] = ()
) -> tuple[Commit, bytes]:
    """Admit ``new`` members (a new epoch they and everyone else receive). ``unverified`` names
    those admitted without their fingerprint compared; every member sees it in the commit."""
    added = list(new)
    flagged = set(unverified)
    if not flagged <= {m.device_id for m in added}:
        raise ProtocolError(_("Only a device admitted in this commit can be marked unverified."))
    return create_commit(author, prev, [*prev.roster, *added], action="add", unverified=flagged)


def remove_members(
    author: Identity, prev: Commit, device_ids: Iterable[bytes]
) -> tuple[Commit, bytes]:
    """Remove devices; they never receive this epoch's secret nor any later one."""
    gone = set(device_ids)
    if not gone <= set(m.device_id for m in prev.roster):
        raise ProtocolError(_("Cannot remove a device that is not a member."))
    return create_commit(
        author, prev, [m for m in prev.roster if m.device_id not in gone], action="remove"
    )


def change_role(
    author: Identity, prev: Commit, device_id: bytes, role: str
) -> tuple[Commit, bytes]:
    """Give one member another role (for example promote a second coordinator)."""
    if prev.member(device_id) is None:
        raise ProtocolError(_("Cannot change the role of a device that is not a member."))
    roster = [m.with_role(role) if m.device_id == device_id else m for m in prev.roster]
    return create_commit(author, prev, roster, action="role")


def rotate_key(
    author: Identity, prev: Commit, info: OperationInfo | None = None
) -> tuple[Commit, bytes]:
    """A new epoch secret for the same roster (timer, suspected compromise, metadata change)."""
    return create_commit(
        author, prev, prev.roster, action="rotate" if info is None else "update", info=info
    )


def close_operation(author: Identity, prev: Commit, retention_days: int) -> tuple[Commit, bytes]:
    """The closing commit: no commit may follow it, and every device keeps its copy of the
    operation ``retention_days`` days (0: shred at once) and then shreds it."""
    return create_commit(author, prev, prev.roster, action="close", retention_days=retention_days)


def verify_closing(latest: Commit, closing: Commit) -> None:
    """Check a closing commit the relay handed over with its 410, against the newest commit
    this device holds: same operation, later epoch, action "close", and signed by a coordinator
    of ``latest`` (directly chained when it is the very next epoch). ProtocolError otherwise."""
    if closing.action != "close" or closing.operation_id != latest.operation_id:
        raise ProtocolError(_("This is not a closing commit of the operation."))
    if closing.epoch == latest.epoch + 1:
        verify_next(latest, closing)
        return
    if closing.epoch <= latest.epoch:
        raise ProtocolError(_("The closing commit is older than the chain this device holds."))
    # Commits in between were never seen (the relay purged them): the closing commit must then
    # be signed by someone this device knows as a coordinator.
    _check_signatures(closing, latest.member(closing.author))


def _meta_aad(operation_id: bytes, epoch: int) -> bytes:
    return operation_id + u64(epoch)


def open_commit(commit: Commit, secret: bytes) -> Commit:
    """``commit`` with its operation metadata and members' names read from the part sealed
    under the epoch ``secret`` (the relay never reads them); ProtocolError if they do not open or
    are malformed."""
    if commit.opened:
        return commit
    check_epoch_secret(commit, secret)
    what = "commit metadata"
    value = as_map(
        open_value(
            secret,
            commit.operation_id,
            _META_DOMAIN,
            _meta_aad(commit.operation_id, commit.epoch),
            commit.meta,
            what,
            limit=_META_MAX,
        ),
        {"info", "names"},
        what,
    )
    names = get_list(value, "names", what, max_len=MAX_MEMBERS)
    if len(names) != len(commit.roster):
        raise ProtocolError(_("Malformed commit: the names do not match the roster."))
    roster = []
    for member, entry in zip(commit.roster, names, strict=True):
        if not isinstance(entry, list) or len(entry) != 3:
            raise ProtocolError(_("Malformed commit: the names do not match the roster."))
        name, agency, country = entry
        if not all(isinstance(x, str) for x in entry):
            raise ProtocolError(_("Malformed commit: the names do not match the roster."))
        check_member_fields(name, agency, country, member.role)
        roster.append(Member(member.public, name, agency, country, member.role))
    return dataclasses.replace(
        commit, roster=tuple(roster), info=OperationInfo.from_wire(value["info"]), opened=True
    )


def open_epoch_secret(commit: Commit, identity: Identity) -> bytes:
    """This device's copy of the commit's epoch secret; ProtocolError if it is not a member."""
    sealed = commit.sealed_secret(identity.device_id)
    if sealed is None:
        raise ProtocolError(_("This device is not a member of that epoch."))
    secret = identity.open(
        sealed, info=epoch_secret_info(commit.operation_id, commit.epoch, identity.device_id)
    )
    check_epoch_secret(commit, secret)
    return secret
