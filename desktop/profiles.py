"""What the desktop needs from a profile, as plain data and one narrow gateway.

Every call that opens or creates a profile runs on the task runner's *serial writer* thread:
the store's SQLCipher connection belongs to the thread that opened it, so the profile lives on
the writer thread and every later store write goes through ``TaskRunner.write``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sync.services.diagnostics import fingerprint_qr


@dataclass(frozen=True)
class ProfileSummary:
    """What the windows show about the unlocked profile: no key material, no store handle."""

    name: str
    agency: str
    country: str  # ISO 3166-1 alpha-2
    device_id_hex: str
    fingerprint: str  # twelve groups of five digits
    qr_png: bytes


@dataclass(frozen=True)
class NewProfile:
    name: str
    agency: str
    country: str


class OpenProfile(Protocol):
    """The unlocked profile as the store provides it (``sync.store.profile.Profile``)."""

    def close(self) -> None: ...


class ProfileGateway:
    """Creates and unlocks profiles in one profile folder (``--home``) through ``sync.store``.

    Methods block (key derivation): call them from ``TaskRunner.write`` jobs only.
    """

    def __init__(self, home: Path) -> None:
        self.home = home

    def exists(self) -> bool:
        from sync.store import profile

        return profile.exists(self.home)

    def create(self, passphrase: str, new: NewProfile) -> Any:
        from sync.store import profile

        return profile.create(self.home, passphrase, new.name, new.agency, new.country)

    def unlock(self, passphrase: str) -> Any:
        from sync.store import profile

        return profile.unlock(self.home, passphrase)

    @staticmethod
    def summary(profile: Any) -> ProfileSummary:
        public = profile.identity.public
        return ProfileSummary(
            name=profile.name,
            agency=profile.agency,
            country=profile.country,
            device_id_hex=public.device_id_hex,
            fingerprint=public.fingerprint,
            qr_png=fingerprint_qr(public),
        )
