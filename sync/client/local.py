"""Local changes: each one is applied to the store and sealed into the outbox in ONE
transaction, so a crash either keeps both or neither.

The package is sealed under the current epoch at once (its id is the idempotency key for the
relay and for every receiver) and marked applied here, so when it comes back from the relay
it is recognised as a duplicate.
"""

from __future__ import annotations

from typing import Any

from locales import _
from sync.client import state
from sync.client.apply import Applied, Applier
from sync.client.items import (
    PACKAGE_KIND,
    DirectItem,
    Item,
    MessageItem,
    RecordItem,
    RevisionItem,
    encode_body,
    encode_direct,
    header_clock,
)
from sync.crypto.direct import seal_direct
from sync.crypto.epochs import OperationKeys
from sync.crypto.packages import seal_package
from sync.errors import CordonError, ProtocolError
from sync.protocol import parse_package
from sync.store import audit
from sync.store.db import Store
from sync.store.ids import new_id
from sync.store.profile import Profile
from sync.store.records import STATUS_KEY

UNSEALED = "unsealed"


def seal_outbox(profile: Profile, store: Store, operation_id: str, keys: OperationKeys) -> int:
    """Seal queued changes under the latest epoch, each in its own transaction with its
    sequence number; the sealed bytes replace the entry, so a retry sends the very same
    package (its id is the idempotency key). Returns how many were sealed."""
    me = keys.latest.member(profile.identity.device_id)
    if me is None or me.role == "observer":
        return 0
    sealed = 0
    while True:
        entries = store.outbox.unsealed(operation_id, UNSEALED, limit=200)
        if not entries:
            return sealed
        for entry in entries:
            with store.transaction():
                seq = state.next_seq(store, operation_id)
                raw = seal_package(
                    profile.identity,
                    keys,
                    kind=PACKAGE_KIND,
                    seq=seq,
                    hlc=header_clock(profile.clock.now()),
                    body=entry.payload,
                )
                package_id = parse_package(raw).package_id
                store.outbox.seal(entry.seq, package_id, PACKAGE_KIND, raw)
                store.outbox.mark_applied(operation_id, package_id, profile.device_id, seq)
            sealed += 1


class LocalChanges:
    """Writes this device's changes to one operation."""

    def __init__(self, profile: Profile, operation_id: str) -> None:
        self.profile = profile
        self.store = profile.store
        self.operation_id = operation_id
        op = state.require_operation(self.store, operation_id)
        state.require_writable(op)
        self.keys: OperationKeys = state.load_keys(self.store, profile.identity, operation_id)
        me = self.keys.latest.member(profile.identity.device_id)
        if me is None:
            raise CordonError(_("You are no longer a member of this operation."))
        self.role = me.role
        if self.role == "observer":
            raise CordonError(_("Observers can read the operation but not write to it."))

    def commit(self, items: list[Item], *, local: list[Item] | None = None) -> Applied:
        """Apply ``local`` (default: the same items) and queue ``items`` for sending, in one
        transaction. The package is sealed when it is sent (``seal_outbox``), so it goes out
        under the newest epoch this device knows by then and every member admitted meanwhile
        can read it."""
        store = self.store
        with store.transaction():
            applied = Applier(store, self.profile.identity, self.operation_id).apply(
                items if local is None else local,
                self.profile.device_id,
                self.role,
                self.keys.latest,
            )
            store.outbox.enqueue(
                self.operation_id, "local-" + new_id(), UNSEALED, encode_body(items)
            )
        return applied

    # -- the changes the commands make ---------------------------------------------------

    def add_records(
        self,
        template_id: str,
        template_version: int,
        rows: list[dict[str, Any]],
        status: str,
    ) -> list[str]:
        """New records (one package for all of them); returns their ids. The store logs each
        creation once (a collection entry)."""
        items: list[Item] = []
        for fields in rows:
            items.append(
                RecordItem(
                    new_id(),
                    template_id,
                    template_version,
                    fields,
                    status,
                    new_id(),
                    self.profile.clock.now(),
                )
            )
        self.commit(items)
        return [i.record_id for i in items if isinstance(i, RecordItem)]

    def revise(
        self,
        record_id: str,
        changes: dict[str, Any],
        *,
        status: str | None = None,
        comment: str | None = None,
    ) -> int:
        """Change fields and/or the status of a record; returns its new revision number."""
        record = self.store.records.get(self.operation_id, record_id)
        if record is None:
            raise CordonError(_("There is no record {id} in this operation.").format(id=record_id))
        if record.author != self.profile.device_id and self.role != "coordinator":
            raise CordonError(_("Only the record's author or a coordinator may change it."))
        touched = list(changes) + ([STATUS_KEY] if status is not None else [])
        base = {name: record.field_hlc.get(name, "") for name in touched}
        item = RevisionItem(
            record_id, new_id(), changes, status, comment, self.profile.clock.now(), base
        )
        try:
            self.commit([item])
        except ProtocolError as exc:
            raise CordonError(str(exc)) from exc
        after = self.store.records.get(self.operation_id, record_id)
        return after.revision if after else record.revision + 1

    def send_message(self, subject: str, body: str, *, alert: bool, to: str | None) -> str:
        message = MessageItem(new_id(), subject, body, alert, self.profile.clock.now())
        if to is None:
            self.commit([message])
        else:
            recipient = bytes.fromhex(to)
            envelope = seal_direct(
                self.profile.identity,
                self.keys.latest,
                recipient,
                kind="direct",
                hlc=header_clock(message.hlc),
                body=encode_direct(message),
            )
            with self.store.transaction():
                self.commit([DirectItem(envelope)], local=[])
                self.store.messages.add(
                    self.operation_id,
                    self.profile.device_id,
                    subject,
                    body,
                    message.hlc,
                    kind="direct",
                    recipient=to,
                    message_id=message.message_id,
                    read=True,
                )
        self.store.audit.append(audit.DISCLOSURE, message.message_id, self.operation_id)
        return message.message_id


def _clock_of(item: Item) -> str:
    return str(getattr(item, "hlc", ""))
