"""Local changes: each one is applied to the store and sealed into the outbox in ONE
transaction, so a crash either keeps both or neither.

The package is sealed under the current epoch at once (its id is the idempotency key for the
relay and for every receiver) and marked applied here, so when it comes back from the relay
it is recognised as a duplicate.

Drafts are private: a record created as a draft on this device, and every change to it while
it is still that draft, is applied here only and never queued (no package, so neither the relay
nor any member learns it exists); the store marks such a record (``Records.keep_private``).
When it is submitted it goes out as ONE new-record item with its current values and status,
and every field's clock here is set to that item's clock, so later edits and conflicts compare
the same clocks on every device. A draft that arrived from elsewhere (an older client sent it)
carries no mark and is changed as before.
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


def is_private_draft(store: Store, operation_id: str, record_id: str) -> bool:
    """Whether ``record_id`` is a draft made here that has never been sent to anyone."""
    return store.records.is_private(operation_id, record_id)


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
            here, sent = self._keep_drafts(items) if local is None else (local, items)
            applied = Applier(store, self.profile.identity, self.operation_id).apply(
                here,
                self.profile.device_id,
                self.role,
                self.keys.latest,
            )
            if sent:
                store.outbox.enqueue(
                    self.operation_id, "local-" + new_id(), UNSEALED, encode_body(sent)
                )
        return applied

    def _keep_drafts(self, items: list[Item]) -> tuple[list[Item], list[Item]]:
        """What to apply here and what to send, for ``items`` of this device: a new draft and
        the changes to a private draft are applied only; submitting a private draft applies
        all its values at the submission's clock and sends the record whole, as new."""
        store, op = self.store, self.operation_id
        here: list[Item] = []
        sent: list[Item] = []
        for item in items:
            if isinstance(item, RecordItem) and item.status == "draft":
                store.records.keep_private(op, item.record_id)
                here.append(item)
                continue
            if not isinstance(item, RevisionItem) or not is_private_draft(
                store, op, item.record_id
            ):
                here.append(item)
                sent.append(item)
                continue
            if item.status in (None, "draft"):
                here.append(item)
                continue
            record = store.records.get(op, item.record_id)
            if record is None or item.status != "submitted":
                raise ProtocolError(_("A draft can only be submitted by its author."))
            fields = {**record.fields, **item.changes}
            base = {name: record.field_hlc.get(name, "") for name in [*fields, STATUS_KEY]}
            here.append(
                RevisionItem(
                    item.record_id,
                    item.revision_id,
                    fields,
                    item.status,
                    item.comment,
                    item.hlc,
                    base,
                )
            )
            sent.append(
                RecordItem(
                    record.record_id,
                    record.template_id,
                    record.template_version,
                    fields,
                    item.status,
                    item.revision_id,
                    item.hlc,
                )
            )
            store.records.publish(op, item.record_id)
        return here, sent

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
