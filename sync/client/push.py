"""Sending: upload pending library files, seal the queued changes, post the outbox.

Packages go in batches bounded by count and bytes; a batch the relay refuses with 403 is sent
again one by one, so a package carried for a member removed meanwhile is set aside instead of
blocking everything queued after it.
"""

from __future__ import annotations

from sync.client import files
from sync.client.context import FORWARD_KIND, Progress, SyncContext
from sync.client.local import seal_outbox
from sync.client.relay_http import RelayClient, RelayError
from sync.store.outbox import OutboxEntry

PUSH_BATCH = 400
PUSH_BYTES = 12 * 1024 * 1024


def push(ctx: SyncContext, operation_id: str, client: RelayClient) -> int:
    """Send the outbox (uploading pending library files first); returns packages sent."""
    store = ctx.store
    files.upload_pending(ctx, operation_id, client)
    seal_outbox(ctx.profile, store, operation_id, ctx.keys(operation_id))
    op = bytes.fromhex(operation_id)
    sent = 0
    while True:
        pending = store.outbox.pending(operation_id, limit=PUSH_BATCH)
        if not pending:
            return sent
        batch: list[OutboxEntry] = []
        size = 0
        for entry in pending:
            if batch and size + len(entry.payload) > PUSH_BYTES:
                break
            batch.append(entry)
            size += len(entry.payload)
        try:
            client.post_packages(op, [e.payload for e in batch])
        except RelayError as exc:
            if exc.status != 403 or len(batch) == 1 and batch[0].kind != FORWARD_KIND:
                raise
            sent += _push_one_by_one(ctx, op, client, batch)
            continue
        with store.transaction():
            for entry in batch:
                store.outbox.mark_sent(entry.package_id)
        sent += len(batch)
        ctx.progress(Progress(operation_id, "push", sent, None))


def _push_one_by_one(
    ctx: SyncContext, op: bytes, client: RelayClient, batch: list[OutboxEntry]
) -> int:
    """A batch was refused: post packages singly and set aside the ones the relay refuses
    (packages carried for a member removed meanwhile), so they do not block the outbox."""
    sent = 0
    for entry in batch:
        try:
            client.post_packages(op, [entry.payload])
        except RelayError as exc:
            if exc.status != 403 or entry.kind != FORWARD_KIND:
                raise
            ctx.store.outbox.set_aside(entry.package_id, "refused by the relay")
            continue
        ctx.store.outbox.mark_sent(entry.package_id)
        sent += 1
    return sent
