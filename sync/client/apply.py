"""Applying changes to the store: the same code for local changes and received packages, so
every device merges identically.

Records are owned by their author; a coordinator may also edit them and alone may validate or
return them. Concurrent edits resolve per field by HLC (the later clock wins, the device id in
the clock breaks ties), and a revision that raced another on the same field is marked as a
conflict on both sides, keeping every revision in the history. A change that breaks a rule
raises ProtocolError, and the caller rolls back the whole package.
"""

from __future__ import annotations

from dataclasses import dataclass

from forms.validation import ValidationContext, validate_record
from sync.client.items import (
    DirectItem,
    Item,
    LibraryEntry,
    MessageItem,
    RecordItem,
    RevisionItem,
    decode_direct,
)
from sync.client.templates import operation_template
from sync.crypto.direct import open_direct
from sync.errors import ProtocolError
from sync.primitives.identity import Identity
from sync.protocol import Commit
from sync.protocol.direct import parse_direct
from sync.store.db import IntegrityError, Store
from sync.store.records import NewRecord

COORDINATOR_ONLY = ("validated", "returned")


@dataclass
class Applied:
    records: int = 0
    revisions: int = 0
    messages: int = 0
    library: int = 0


class Applier:
    """Applies items from one sender (with its role at the package's epoch) to one operation."""

    def __init__(self, store: Store, identity: Identity, operation_id: str) -> None:
        self.store = store
        self.identity = identity
        self.operation_id = operation_id

    def apply(self, items: list[Item], sender: str, role: str, roster: Commit) -> Applied:
        done = Applied()
        new: list[RecordItem] = []  # consecutive new records, created together
        for item in items:
            if isinstance(item, RecordItem):
                new.append(item)
                continue
            if new:
                done.records += self._records(new, sender)
                new = []
            if isinstance(item, RevisionItem):
                done.revisions += self._revision(item, sender, role)
            elif isinstance(item, MessageItem):
                done.messages += self._message(item, sender, "alert" if item.alert else "operation")
            elif isinstance(item, DirectItem):
                done.messages += self._direct(item, sender, roster)
            else:
                done.library += self._library(item, sender)
        if new:
            done.records += self._records(new, sender)
        return done

    def _records(self, items: list[RecordItem], sender: str) -> int:
        """New records in a row: created in one go; when one of them is already here (or
        clashes), one by one, so each is told apart as before."""
        for item in items:
            if item.status not in ("draft", "submitted"):
                raise ProtocolError("package refused: a new record must be a draft or submitted")
        self._check_received(items, sender)
        if len(items) > 1:
            new = [
                NewRecord(
                    item.template_id,
                    item.template_version,
                    item.fields,
                    item.hlc,
                    item.record_id,
                    item.status,
                    item.revision_id,
                )
                for item in items
            ]
            try:
                self.store.records.create_many(self.operation_id, sender, new)
            except IntegrityError:
                pass  # nothing was written: take them one by one below
            else:
                return len(items)
        return sum(self._record(item, sender) for item in items)

    def _check_received(self, items: list[RecordItem], sender: str) -> None:
        """Another member's new records must fit their template as this operation uses it:
        the same check ``sync.services.records`` makes before a record is entered here (a
        record of another template version cannot be checked here and is taken as sent)."""
        if sender == self.identity.public.device_id_hex:
            return  # entered on this device: checked before it was written
        op = self.store.operations.get(self.operation_id)
        if op is None:
            return
        for item in items:
            try:
                template, hidden = operation_template(op, item.template_id)
            except KeyError:
                raise ProtocolError("package refused: a record of an unknown template") from None
            if int(template.version) != item.template_version:
                continue
            context = ValidationContext(record_id=item.record_id, hidden=hidden)
            if not validate_record(template, item.fields, context).ok:
                raise ProtocolError("package refused: a record does not fit its template")

    def _record(self, item: RecordItem, sender: str) -> int:
        if item.status not in ("draft", "submitted"):
            raise ProtocolError("package refused: a new record must be a draft or submitted")
        try:
            self.store.records.create(
                self.operation_id,
                item.template_id,
                item.template_version,
                item.fields,
                sender,
                item.hlc,
                record_id=item.record_id,
                status=item.status,
                revision_id=item.revision_id,
            )
        except IntegrityError:
            # Already here: the same revision (nothing to do), or a clash (refused).
            # A revision id naming another record means the record row went in and the
            # revision clashed: refused, and the package's savepoint undoes the record row.
            seen = self.store.records.revision_record(self.operation_id, item.revision_id)
            if seen == item.record_id:
                return 0
            raise ProtocolError(
                "package refused: it creates a record that already exists"
            ) from None
        return 1

    def _revision(self, item: RevisionItem, sender: str, role: str) -> int:
        op = self.operation_id
        if self.store.records.revision_record(op, item.revision_id) is not None:
            return 0
        current = self.store.records.get(op, item.record_id)
        if current is None:
            raise ProtocolError("package refused: it changes a record not known here")
        coordinator = role == "coordinator"
        if sender != current.author and not coordinator:
            raise ProtocolError("package refused: only the author or a coordinator may edit")
        if item.status in COORDINATOR_ONLY and not coordinator:
            raise ProtocolError("package refused: only a coordinator may validate or return")
        self.store.records.apply(
            op,
            item.record_id,
            item.changes,
            sender,
            item.hlc,
            status=item.status,
            comment=item.comment,
            revision_id=item.revision_id,
            base=item.base,
        )
        return 1

    def _message(
        self, item: MessageItem, sender: str, kind: str, recipient: str | None = None
    ) -> int:
        added = self.store.messages.add(
            self.operation_id,
            sender,
            item.subject,
            item.body,
            item.hlc,
            kind=kind,
            recipient=recipient,
            message_id=item.message_id,
            read=sender == self.identity.public.device_id_hex,
        )
        return 1 if added else 0

    def _direct(self, item: DirectItem, sender: str, roster: Commit) -> int:
        envelope = parse_direct(item.envelope)
        if envelope.header.sender.hex() != sender:
            raise ProtocolError("package refused: a direct message inside is from someone else")
        if envelope.header.recipient != self.identity.device_id:
            return 0  # sealed to another member: nothing here can read it
        opened = open_direct(item.envelope, self.identity, roster)
        message = decode_direct(opened.body)
        return self._message(message, sender, "direct", self.identity.public.device_id_hex)

    def _library(self, item: LibraryEntry, sender: str) -> int:
        added = self.store.library.add(
            self.operation_id,
            item.title,
            item.size,
            item.sha256,
            sender,
            item.hlc,
            item_id=item.item_id,
            file_name=item.file_name,
            media_type=item.media_type,
            record_id=item.record_id,
            blob_ref=item.blob_id,
            blob_key=item.descriptor,
        )
        return 1 if added else 0
