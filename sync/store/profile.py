"""A Cordon profile: the folder holding the key file, the encrypted store and the attachments.

This is the API the command line and the desktop use::

    profile = create(home, passphrase, name="...", agency="...", country="FR")
    profile = unlock(home, passphrase)          # audited as "unlock"
    change_passphrase(home, old, new)           # rewraps the store key; data untouched
    exists(home)

A ``Profile`` exposes ``identity`` (the device's private keys), ``store`` (a connection for the
thread that unlocked it; ``open_store()`` gives other threads their own), ``attachments``,
``clock`` (HLC for this device) and ``paths``.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from locales import _
from sync.errors import CordonError, CorruptProfile
from sync.primitives.identity import Identity
from sync.store import audit, keyfile
from sync.store.clock import HybridClock, utc_now
from sync.store.db import Store, remove_database
from sync.store.fsutil import ensure_private_folder, fsync_folder

if TYPE_CHECKING:
    from sync.store.attachments import AttachmentStore

KEY_FILE = "cordon.key"
DATABASE = "store.db"
ATTACHMENTS = "attachments"


@dataclass(frozen=True)
class ProfilePaths:
    home: Path
    key_file: Path
    database: Path
    attachments: Path

    @classmethod
    def for_home(cls, home: str | os.PathLike[str]) -> ProfilePaths:
        root = Path(home).expanduser().absolute()
        return cls(root, root / KEY_FILE, root / DATABASE, root / ATTACHMENTS)


class Profile:
    """An unlocked profile. Close it (or use ``with``) when done."""

    def __init__(
        self,
        paths: ProfilePaths,
        store: Store,
        identity: Identity,
        name: str,
        agency: str,
        country: str,
    ) -> None:
        self.paths = paths
        self.store = store
        self.identity = identity
        self.name = name
        self.agency = agency
        self.country = country
        self.clock = HybridClock(identity.public.device_id_hex)
        self._attachments: AttachmentStore | None = None
        store.audit.actor = self.device_id

    def __repr__(self) -> str:
        return f"Profile({str(self.paths.home)!r}, device_id={self.device_id})"

    @property
    def device_id(self) -> str:
        return self.identity.public.device_id_hex

    @property
    def fingerprint(self) -> str:
        return self.identity.public.fingerprint

    @property
    def attachments(self) -> AttachmentStore:
        """Encrypted files of this profile, through this thread's store."""
        if self._attachments is None:
            from sync.store.attachments import AttachmentStore

            self._attachments = AttachmentStore(self.paths.attachments, self.store)
        return self._attachments

    def open_store(self) -> Store:
        """A new connection to this profile's store, for another thread (close it there)."""
        store = self.store.reopen()
        store.audit.actor = self.device_id
        return store

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def exists(home: str | os.PathLike[str]) -> bool:
    """Whether ``home`` holds a profile (its key file)."""
    return ProfilePaths.for_home(home).key_file.exists()


def create(
    home: str | os.PathLike[str], passphrase: str, name: str, agency: str, country: str
) -> Profile:
    """Create the identity and the encrypted store in ``home`` (folder 0700, files 0600)."""
    paths = ProfilePaths.for_home(home)
    if not passphrase:
        raise CordonError(_("The passphrase must not be empty."))
    if not name.strip():
        raise CordonError(_("The name must not be empty."))
    if paths.key_file.exists():
        raise CordonError(
            _("A profile already exists in {home}; nothing was changed.").format(home=paths.home)
        )
    if paths.database.exists():
        raise CordonError(
            _(
                "The folder {home} holds a store without its key file; restore the key file or "
                "choose another folder."
            ).format(home=paths.home)
        )
    ensure_private_folder(paths.home)
    ensure_private_folder(paths.attachments)
    store_key = os.urandom(keyfile.STORE_KEY_BYTES)
    identity = Identity.generate()
    store: Store | None = None
    try:
        store = Store.create(paths.database, store_key)
        store.audit.actor = identity.public.device_id_hex
        with store.transaction():
            store.execute(
                "INSERT INTO identity (id, device_id, secret, name, agency, country, created_at) "
                "VALUES (1, ?, ?, ?, ?, ?, ?)",
                (
                    identity.public.device_id_hex,
                    identity.to_secret_bytes(),
                    name.strip(),
                    agency.strip(),
                    country,
                    utc_now(),
                ),
            )
            store.audit.append(audit.PROFILE_CREATED, identity.public.device_id_hex)
        # The key file comes last: a profile "exists" only once it can be unlocked.
        keyfile.write(paths.key_file, keyfile.wrap(store_key, passphrase))
        fsync_folder(paths.home)
    except BaseException:
        if store is not None:
            store.close()
        remove_database(paths.database)
        raise
    return Profile(paths, store, identity, name.strip(), agency.strip(), country)


def unlock(home: str | os.PathLike[str], passphrase: str) -> Profile:
    """Open the profile; ``WrongPassphrase`` or ``CorruptProfile`` leave every file as it was."""
    paths = ProfilePaths.for_home(home)
    if not paths.key_file.exists():
        raise CordonError(
            _("There is no profile in {home}; create one with `cordon init`.").format(
                home=paths.home
            )
        )
    store_key = keyfile.read(paths.key_file).unwrap(passphrase)
    store = Store.open(paths.database, store_key)
    try:
        row = store.query_one("SELECT secret, name, agency, country FROM identity WHERE id = 1")
        if row is None:
            raise CorruptProfile(
                _("The store in {home} holds no identity; it was left untouched.").format(
                    home=paths.home
                )
            )
        try:
            identity = Identity.from_secret_bytes(bytes(row[0]))
        except CordonError:
            raise CorruptProfile(
                _("The identity stored in {home} is damaged; it was left untouched.").format(
                    home=paths.home
                )
            ) from None
        profile = Profile(paths, store, identity, str(row[1]), str(row[2]), str(row[3]))
        store.audit.append(audit.UNLOCK, profile.device_id)
    except BaseException:
        store.close()
        raise
    return profile


def change_passphrase(home: str | os.PathLike[str], old: str, new: str) -> None:
    """Rewrap the store key under ``new`` (current Argon2id defaults); data is not re-encrypted.

    A wrong ``old`` passphrase raises ``WrongPassphrase`` and changes nothing.
    """
    if not new:
        raise CordonError(_("The new passphrase must not be empty; nothing was changed."))
    paths = ProfilePaths.for_home(home)
    with contextlib.closing(unlock(paths.home, old)) as profile:
        keyfile.rewrap(paths.key_file, old, new)
        profile.store.audit.append(audit.PASSPHRASE_CHANGED, profile.device_id)
