"""The key file: the random store key, wrapped under a key derived from the passphrase.

Layout (all integers big-endian)::

    magic "CORDONKF" | version u16 | kdf u8 (1 = Argon2id) | memory KiB u32 | iterations u32
    | lanes u32 | salt length u8 | salt | aead u8 (1 = AES-256-GCM) | nonce (12)
    | wrapped length u16 | wrapped store key (32 + 16 tag) | SHA-256 of everything before

Everything before the wrapped key is the AEAD's associated data, so the parameters cannot be
lowered without the passphrase noticing. The trailing checksum tells accidental damage
(``CorruptProfile``) apart from a wrong passphrase (``WrongPassphrase``): damage breaks the
checksum, a wrong passphrase only breaks the AEAD tag. Parameters are in the file, so they can
be raised later: ``rewrap`` always writes the current defaults.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from locales import _
from sync.errors import CordonError, CorruptProfile, WrongPassphrase
from sync.store.fsutil import atomic_write

MAGIC = b"CORDONKF"
FORMAT_VERSION = 1
KDF_ARGON2ID = 1
AEAD_AES256GCM = 1
STORE_KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
_CHECKSUM_BYTES = 32
_WRAPPED_BYTES = STORE_KEY_BYTES + 16

# 64 MiB, 2 passes, 4 lanes: above OWASP's Argon2id minimums (19 MiB, t=2) and within the
# 0.5 s unlock budget on a busy two-core laptop (RFC 9106's t=3 took 0.66 s there).
DEFAULT_MEMORY_KIB = 64 * 1024
DEFAULT_ITERATIONS = 2
DEFAULT_LANES = 4

# Bounds a parser accepts, so a crafted file cannot make unlock allocate terabytes.
_MIN_MEMORY_KIB, _MAX_MEMORY_KIB = 8, 4 * 1024 * 1024
_MAX_ITERATIONS = 64
_MAX_LANES = 64

# Test-only: the test suite derives many keys; this lowers the memory (never used otherwise).
TEST_MEMORY_ENV = "CORDON_TEST_ARGON2_MEMORY_KIB"

_FIXED = struct.Struct(">8sHBIIIB")


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, as recorded in the key file."""

    memory_kib: int
    iterations: int
    lanes: int
    salt: bytes

    @classmethod
    def fresh(cls) -> KdfParams:
        """The current defaults with a new random salt (or the test override, when set)."""
        memory = DEFAULT_MEMORY_KIB
        override = os.environ.get(TEST_MEMORY_ENV, "")
        if override.isdigit():
            memory = max(int(override), 8 * DEFAULT_LANES)
        return cls(memory, DEFAULT_ITERATIONS, DEFAULT_LANES, os.urandom(SALT_BYTES))

    def derive(self, passphrase: str) -> bytes:
        kdf = Argon2id(
            salt=self.salt,
            length=32,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return kdf.derive(passphrase.encode("utf-8"))


@dataclass(frozen=True)
class KeyFile:
    """A parsed key file: the parameters and the wrapped store key (no secret in clear)."""

    version: int
    params: KdfParams
    nonce: bytes
    wrapped: bytes

    def header(self) -> bytes:
        """The bytes bound as associated data: everything before the wrapped key."""
        return (
            _FIXED.pack(
                MAGIC,
                self.version,
                KDF_ARGON2ID,
                self.params.memory_kib,
                self.params.iterations,
                self.params.lanes,
                len(self.params.salt),
            )
            + self.params.salt
            + bytes([AEAD_AES256GCM])
            + self.nonce
            + struct.pack(">H", len(self.wrapped))
        )

    def encode(self) -> bytes:
        body = self.header() + self.wrapped
        return body + hashlib.sha256(body).digest()

    def unwrap(self, passphrase: str) -> bytes:
        """The store key; ``WrongPassphrase`` when the passphrase does not open it."""
        wrapping = self.params.derive(passphrase)
        try:
            key = AESGCM(wrapping).decrypt(self.nonce, self.wrapped, self.header())
        except InvalidTag:
            raise WrongPassphrase(_("The passphrase is wrong; nothing was changed.")) from None
        if len(key) != STORE_KEY_BYTES:
            raise CorruptProfile(_damaged())
        return key


def _damaged() -> str:
    return _(
        "The key file is damaged (it fails its checksum or format check); it was left "
        "untouched, restore it from a backup."
    )


def wrap(store_key: bytes, passphrase: str, params: KdfParams | None = None) -> KeyFile:
    """Wrap ``store_key`` under ``passphrase`` with fresh (or given) Argon2id parameters."""
    if len(store_key) != STORE_KEY_BYTES:
        raise ValueError("the store key must be 32 bytes")
    params = params or KdfParams.fresh()
    nonce = os.urandom(NONCE_BYTES)
    unsigned = KeyFile(FORMAT_VERSION, params, nonce, b"\x00" * _WRAPPED_BYTES)
    wrapped = AESGCM(params.derive(passphrase)).encrypt(nonce, store_key, unsigned.header())
    return KeyFile(FORMAT_VERSION, params, nonce, wrapped)


def parse(data: bytes) -> KeyFile:
    """Parse key file bytes; any damage raises ``CorruptProfile`` (never another exception)."""
    if len(data) < _FIXED.size + _CHECKSUM_BYTES:
        raise CorruptProfile(_damaged())
    body, checksum = data[:-_CHECKSUM_BYTES], data[-_CHECKSUM_BYTES:]
    if not hmac.compare_digest(hashlib.sha256(body).digest(), checksum):
        raise CorruptProfile(_damaged())
    magic, version, kdf, memory, iterations, lanes, salt_len = _FIXED.unpack_from(body, 0)
    if magic != MAGIC or version != FORMAT_VERSION or kdf != KDF_ARGON2ID:
        raise CorruptProfile(_damaged())
    if not (
        8 <= salt_len <= 64
        and 1 <= iterations <= _MAX_ITERATIONS
        and 1 <= lanes <= _MAX_LANES
        and max(_MIN_MEMORY_KIB, 8 * lanes) <= memory <= _MAX_MEMORY_KIB
    ):
        raise CorruptProfile(_damaged())
    offset = _FIXED.size
    salt = body[offset : offset + salt_len]
    offset += salt_len
    expected = offset + 1 + NONCE_BYTES + 2 + _WRAPPED_BYTES
    if len(body) != expected or body[offset] != AEAD_AES256GCM:
        raise CorruptProfile(_damaged())
    nonce = body[offset + 1 : offset + 1 + NONCE_BYTES]
    offset += 1 + NONCE_BYTES
    (wrapped_len,) = struct.unpack_from(">H", body, offset)
    if wrapped_len != _WRAPPED_BYTES:
        raise CorruptProfile(_damaged())
    wrapped = body[offset + 2 :]
    return KeyFile(version, KdfParams(memory, iterations, lanes, salt), nonce, wrapped)


def read(path: Path) -> KeyFile:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CordonError(_("There is no key file at {path}.").format(path=path)) from None
    except OSError as exc:
        raise CordonError(
            _("The key file {path} could not be read: {reason}.").format(
                path=path, reason=exc.strerror or exc
            )
        ) from exc
    return parse(data)


def write(path: Path, keyfile: KeyFile) -> None:
    """Write atomically (temp file, fsync, rename, fsync folder), mode 0600."""
    atomic_write(path, keyfile.encode())


def rewrap(path: Path, old_passphrase: str, new_passphrase: str) -> None:
    """Change the passphrase: unwrap with the old, wrap with the new and current defaults.

    Nothing is written unless the old passphrase opens the file; the data is not re-encrypted.
    """
    current = read(path)
    store_key = current.unwrap(old_passphrase)
    write(path, wrap(store_key, new_passphrase))
