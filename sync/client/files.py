"""Files: library uploads and on-demand downloads through the relay's resumable blobs, and the
file transport that carries signed packages by hand (``sync --export`` / ``sync --import``).

An upload resumes from the offset the relay holds (its upload URL is kept in the store), and a
download resumes from the size of the partial ciphertext file; nothing is accepted until every
chunk has been verified and the whole stream matches its content address.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
from pathlib import Path
from typing import TYPE_CHECKING

from locales import _
from sync.client import state
from sync.client.context import Progress, SyncContext, SyncReport
from sync.client.items import Descriptor, LibraryEntry
from sync.client.local import UNSEALED, LocalChanges, is_private_draft, seal_outbox
from sync.client.pull import receive
from sync.client.relay_http import RelayClient
from sync.errors import CordonError, ProtocolError
from sync.primitives import stream
from sync.protocol.wire import as_map, decode, encode, get_bytes, get_int, get_list
from sync.store import audit
from sync.store.chain import Chain
from sync.store.fsutil import FILE_MODE
from sync.store.ids import new_id
from sync.store.operations import PendingUpload

if TYPE_CHECKING:
    from sync.store.library import LibraryItem
    from sync.store.profile import Profile

DOWNLOAD_CHUNK = 4 * 1024 * 1024
FILE_FORMAT = "cordon-packages"
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024


# -- library ------------------------------------------------------------------------------------


def add_item(
    profile: Profile,
    operation_id: str,
    path: str,
    title: str | None,
    record_id: str | None,
) -> str:
    """Encrypt a file into the profile and list it; it is uploaded and announced at next sync."""
    op = state.require_operation(profile.store, operation_id)
    LocalChanges(profile, op.operation_id)  # refuses closed operations and observers
    if record_id and profile.store.records.get(op.operation_id, record_id) is None:
        raise CordonError(_("There is no record {id} in this operation.").format(id=record_id))
    attachment = profile.attachments.put_file(path)
    name = os.path.basename(path)
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    item_id = new_id()
    store = profile.store
    with store.transaction():
        store.library.add(
            op.operation_id,
            title or name,
            attachment.size,
            attachment.sha256,
            profile.device_id,
            profile.clock.now(),
            item_id=item_id,
            file_name=name,
            media_type=media_type,
            record_id=record_id,
            attachment_id=attachment.attachment_id,
        )
        store.operations.set_upload(op.operation_id, PendingUpload(item_id))
    return item_id  # the store logged its collection


def _chunk_size(profile: Profile, attachment_id: str) -> int:
    with profile.attachments.open_encrypted(attachment_id) as fh:
        return stream.StreamHeader.decode(fh.read(stream.HEADER_SIZE)).chunk_size


def upload_pending(ctx: SyncContext, operation_id: str, client: RelayClient) -> int:
    """Upload library files added here and announce each in a package; returns how many.
    A file attached to a private draft waits until the draft is submitted."""
    profile, store = ctx.profile, ctx.store
    op = bytes.fromhex(operation_id)
    done = 0
    for upload in store.operations.uploads(operation_id):
        item_id = upload.item_id
        item = store.library.get(operation_id, item_id)
        attachment = (
            profile.attachments.get(item.attachment_id) if item and item.attachment_id else None
        )
        if item is None or attachment is None:
            continue
        if item.record_id and is_private_draft(store, operation_id, item.record_id):
            continue  # attached to a draft kept on this device: it goes once that is submitted
        url = upload.url
        if not url:
            url, blob = client.create_upload(
                op, attachment.cipher_size, bytes.fromhex(attachment.cipher_sha256)
            )
            with store.transaction():
                store.operations.set_upload(operation_id, PendingUpload(item_id, url, blob))
        ctx.progress(Progress(operation_id, "upload", 0, attachment.cipher_size, item_id))
        with profile.attachments.open_encrypted(attachment.attachment_id) as fh:
            blob_id = client.upload_blob(op, fh, upload_url=str(url))
        ctx.progress(
            Progress(
                operation_id, "upload", attachment.cipher_size, attachment.cipher_size, item_id
            )
        )
        descriptor = Descriptor(
            attachment.file_key,
            bytes.fromhex(attachment.cipher_sha256),
            attachment.cipher_size,
            attachment.size,
            _chunk_size(profile, attachment.attachment_id),
            item.file_name,
            item.media_type,
        )
        entry = LibraryEntry(
            item.item_id,
            item.title,
            item.file_name,
            item.media_type,
            item.size,
            item.sha256,
            item.record_id,
            blob_id,
            descriptor.encode(),
            item.added_hlc,
        )
        with store.transaction():
            LocalChanges(profile, operation_id).commit([entry], local=[])
            store.library.set_blob(operation_id, item_id, blob_id, descriptor.encode())
            store.operations.drop_upload(operation_id, item_id)
        done += 1
    return done


def fetch_item(ctx: SyncContext, operation_id: str, item: LibraryItem) -> str:
    """Download (resuming a partial download) and verify an item's file; returns attachment id."""
    if item.attachment_id:
        return item.attachment_id
    if not item.blob_ref or not item.blob_key:
        raise CordonError(
            _("The file of {title} has not been uploaded yet.").format(title=item.title)
        )
    descriptor = Descriptor.decode(item.blob_key)
    op = state.require_operation(ctx.store, operation_id)
    if not op.relay_url or op.status != "active":
        raise CordonError(_("The file of {title} is not on this device.").format(title=item.title))
    client = ctx.client(op.relay_url)
    folder = ctx.profile.paths.attachments
    part = folder / f".download-{item.item_id}.part"
    offset = part.stat().st_size if part.exists() else 0
    if offset > descriptor.csize:
        part.unlink()
        offset = 0
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    with os.fdopen(fd, "ab") as out:
        while offset < descriptor.csize:
            end = min(offset + DOWNLOAD_CHUNK, descriptor.csize) - 1
            data = client.download_blob(bytes.fromhex(operation_id), item.blob_ref, offset, end)
            if not data:
                raise CordonError(_("The relay sent no data for {title}.").format(title=item.title))
            out.write(data)
            out.flush()
            offset += len(data)
            ctx.progress(Progress(operation_id, "download", offset, descriptor.csize, item.item_id))
        os.fsync(out.fileno())
    try:
        with open(part, "rb") as src:
            attachment = ctx.profile.attachments.import_encrypted(
                src, descriptor.key, cipher_sha256=descriptor.hash.hex()
            )
    except ProtocolError as exc:
        part.unlink()
        raise CordonError(
            _("The file of {title} failed verification and was discarded.").format(title=item.title)
        ) from exc
    if attachment.sha256 != item.sha256 or attachment.size != item.size:
        ctx.profile.attachments.delete(attachment.attachment_id)
        part.unlink()
        raise CordonError(
            _("The file of {title} does not match its listing.").format(title=item.title)
        )
    with ctx.store.transaction():
        ctx.store.library.set_attachment(operation_id, item.item_id, attachment.attachment_id)
    part.unlink()
    return attachment.attachment_id


# -- file transport -----------------------------------------------------------------------------


def export_packages(ctx: SyncContext, operation_id: str, path: str) -> int:
    """Write the operation's commits and the packages this device holds to send (its own and
    those it carries) to one file; returns the number of packages."""
    store = ctx.store
    op = state.require_operation(store, operation_id)
    if op.status == "active":
        seal_outbox(ctx.profile, store, op.operation_id, ctx.keys(op.operation_id))
    commits = [held.commit_blob for held in Chain(store).commits(op.operation_id)]
    packages = store.outbox.sealed_payloads(op.operation_id, UNSEALED)
    data = encode(
        {
            "v": 1,
            "format": FILE_FORMAT,
            "op": bytes.fromhex(op.operation_id),
            "commits": commits,
            "packages": packages,
        }
    )
    target = Path(path)
    part = target.with_name(f".{target.name}.part")
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        raise CordonError(
            _("The file {path} could not be written: {reason}.").format(
                path=path, reason=exc.strerror or exc
            )
        ) from exc
    store.audit.append(audit.DISCLOSURE, f"export:{len(packages)}", op.operation_id)
    return len(packages)


def parse_package_file(data: bytes) -> tuple[bytes, list[bytes], list[bytes]]:
    """(operation id, commits, packages) of a package file; ProtocolError if malformed."""
    what = "package file"
    value = as_map(
        decode(data, what, MAX_FILE_BYTES), {"v", "format", "op", "commits", "packages"}, what
    )
    if get_int(value, "v", what) != 1 or value["format"] != FILE_FORMAT:
        raise ProtocolError("not a Cordon package file of a known version")
    op = get_bytes(value, "op", what, size=16)
    commits = get_list(value, "commits", what, max_len=100_000)
    packages = get_list(value, "packages", what, max_len=10_000_000)
    if not all(isinstance(c, bytes) for c in commits) or not all(
        isinstance(p, bytes) for p in packages
    ):
        raise ProtocolError("malformed package file: entries must be bytes")
    return op, list(commits), list(packages)


def import_packages(ctx: SyncContext, path: str) -> tuple[str, SyncReport]:
    """Apply a package file: verify its commits, then apply each package once; everything
    applied is queued to be forwarded to the relay when it is reachable again."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise CordonError(
                _("The file {path} is too large to be a package file.").format(path=path)
            )
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CordonError(
            _("The file {path} could not be read: {reason}.").format(
                path=path, reason=exc.strerror or exc
            )
        ) from exc
    try:
        op, commits, packages = parse_package_file(data)
    except ProtocolError as exc:
        raise CordonError(_("{path} is not a Cordon package file.").format(path=path)) from exc
    operation_id = op.hex()
    known = ctx.store.operations.get(operation_id)
    if known is None or known.status in ("pending", "shredded"):
        raise CordonError(_("This profile is not a member of the operation the file belongs to."))
    keys = ctx.keys(operation_id)
    try:
        state.add_commits(ctx.store, ctx.profile.identity, keys, [c for c in commits])
    except ProtocolError as exc:
        raise CordonError(
            _("The file's commits were refused: {reason}").format(reason=exc)
        ) from exc
    report = receive(ctx, operation_id, packages, forward=True, keys=keys)
    return operation_id, report
