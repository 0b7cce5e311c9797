"""Encrypted attachment storage: files kept outside the database, under random names.

Each file is encrypted as it streams in (``sync.primitives.stream``, a random key per file), so no
plaintext ever reaches the disk, not even in a temporary file; the key and both hashes live in
the encrypted store. The file on disk is exactly the stream that travels to the relay, so its
SHA-256 (``cipher_sha256``) is its content address there, and a file received from the relay is
kept as it came once every chunk has been verified.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from locales import _
from sync.errors import CordonError, ProtocolError
from sync.primitives import stream
from sync.store import audit
from sync.store.clock import utc_now
from sync.store.fsutil import FILE_MODE, ensure_private_folder, fsync_folder
from sync.store.ids import new_id

if TYPE_CHECKING:
    from sync.store.db import Store


@dataclass(frozen=True)
class Attachment:
    attachment_id: str
    file_name: str
    size: int
    sha256: str
    cipher_size: int
    cipher_sha256: str
    created_at: str
    file_key: bytes

    def __repr__(self) -> str:  # the key is a secret
        return f"Attachment({self.attachment_id}, size={self.size})"


_COLUMNS = (
    "attachment_id, file_name, size, sha256, cipher_size, cipher_sha256, created_at, file_key"
)


class _Tee:
    """A reader that copies every byte it reads into ``sink``."""

    def __init__(self, src: BinaryIO, sink: BinaryIO) -> None:
        self._src = src
        self._sink = sink

    def read(self, size: int = -1) -> bytes:
        data = self._src.read(size)
        self._sink.write(data)
        return data


class AttachmentStore:
    def __init__(self, folder: Path, store: Store) -> None:
        self.folder = folder
        self._store = store

    def _path(self, file_name: str) -> Path:
        return self.folder / file_name

    @contextlib.contextmanager
    def _new_file(self) -> Any:
        """A fresh ciphertext file under a random name; removed if the block fails."""
        ensure_private_folder(self.folder)
        name = secrets.token_hex(16)
        part = self.folder / f".{name}.part"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as fh:
                yield name, fh
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(part, self._path(name))
            fsync_folder(self.folder)
        except BaseException:
            with contextlib.suppress(OSError):
                part.unlink()
            raise

    def _insert(self, name: str, result: stream.StreamResult) -> Attachment:
        attachment = Attachment(
            new_id(),
            name,
            result.size,
            result.sha256,
            result.cipher_size,
            result.cipher_sha256,
            utc_now(),
            result.key,
        )
        try:
            self._store.execute(
                f"INSERT INTO attachments ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (
                    attachment.attachment_id,
                    attachment.file_name,
                    attachment.size,
                    attachment.sha256,
                    attachment.cipher_size,
                    attachment.cipher_sha256,
                    attachment.created_at,
                    attachment.file_key,
                ),
            )
        except BaseException:
            with contextlib.suppress(OSError):
                self._path(name).unlink()
            raise
        return attachment

    def put(self, src: BinaryIO, *, chunk_size: int = stream.DEFAULT_CHUNK_SIZE) -> Attachment:
        """Encrypt ``src`` into a new attachment under a new random key."""
        with self._new_file() as (name, fh):
            result = stream.encrypt_stream(src, fh, chunk_size=chunk_size)
        return self._insert(name, result)

    def put_file(self, path: str | os.PathLike[str]) -> Attachment:
        try:
            with open(path, "rb") as src:
                return self.put(src)
        except OSError as exc:
            raise CordonError(
                _("The file {path} could not be read: {reason}.").format(
                    path=path, reason=exc.strerror or exc
                )
            ) from exc

    def import_encrypted(
        self, src: BinaryIO, key: bytes, *, cipher_sha256: str | None = None
    ) -> Attachment:
        """Keep an encrypted stream received as it is, after verifying every chunk.

        ``ProtocolError`` when a chunk fails or the content address differs; nothing is kept.
        """
        with self._new_file() as (name, fh):
            result = stream.decrypt_stream(_Tee(src, fh), None, key)  # type: ignore[arg-type]
            if cipher_sha256 is not None and not secrets.compare_digest(
                result.cipher_sha256, cipher_sha256.lower()
            ):
                raise ProtocolError(
                    _("Rejected a received file: it does not match its content address.")
                )
        return self._insert(name, result)

    def get(self, attachment_id: str) -> Attachment | None:
        row = self._store.query_one(
            f"SELECT {_COLUMNS} FROM attachments WHERE attachment_id = ?",  # noqa: S608
            (attachment_id,),
        )
        if row is None:
            return None
        return Attachment(
            row[0], row[1], int(row[2]), row[3], int(row[4]), row[5], row[6], bytes(row[7])
        )

    def _require(self, attachment_id: str) -> Attachment:
        attachment = self.get(attachment_id)
        if attachment is None:
            raise CordonError(
                _("There is no attachment {id} in this profile.").format(id=attachment_id)
            )
        return attachment

    def open_encrypted(self, attachment_id: str) -> BinaryIO:
        """The ciphertext as stored (for upload to the relay); close it after use."""
        return open(self._path(self._require(attachment_id).file_name), "rb")  # noqa: SIM115

    def read_into(self, attachment_id: str, dst: BinaryIO) -> Attachment:
        """Decrypt into ``dst`` (memory, a pipe, a viewer); checks the plaintext hash."""
        attachment = self._require(attachment_id)
        with open(self._path(attachment.file_name), "rb") as src:
            result = stream.decrypt_stream(src, dst, attachment.file_key)
        if result.sha256 != attachment.sha256:
            raise ProtocolError(
                _("The attachment does not match its recorded hash; it may be damaged.")
            )
        return attachment

    def export_to(
        self,
        attachment_id: str,
        path: str | os.PathLike[str],
        *,
        operation_id: str | None = None,
        object_id: str | None = None,
    ) -> Path:
        """Write the plaintext where the user asked; a failed export leaves nothing behind.

        Logged as a disclosure of ``object_id`` (default: the attachment id) in the audit log.
        """
        target = Path(path)
        part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        try:
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(fd, "wb") as fh:
                self.read_into(attachment_id, fh)
            os.replace(part, target)
            self._store.audit.append(audit.DISCLOSURE, object_id or attachment_id, operation_id)
        except OSError as exc:
            with contextlib.suppress(OSError):
                part.unlink()
            raise CordonError(
                _("The file {path} could not be written: {reason}.").format(
                    path=target, reason=exc.strerror or exc
                )
            ) from exc
        except BaseException:
            with contextlib.suppress(OSError):
                part.unlink()
            raise
        return target

    def delete(self, attachment_id: str) -> bool:
        """Erase an attachment: its file and its key."""
        attachment = self.get(attachment_id)
        if attachment is None:
            return False
        self._store.execute("DELETE FROM attachments WHERE attachment_id = ?", (attachment_id,))
        with contextlib.suppress(FileNotFoundError):
            self._path(attachment.file_name).unlink()
        return True

    def verify(self, attachment_id: str) -> bool:
        """Whether the stored file still decrypts and matches both recorded hashes."""
        attachment = self._require(attachment_id)
        try:
            with open(self._path(attachment.file_name), "rb") as src:
                result = stream.decrypt_stream(src, None, attachment.file_key)
        except (OSError, ProtocolError):
            return False
        return (
            result.sha256 == attachment.sha256 and result.cipher_sha256 == attachment.cipher_sha256
        )


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
