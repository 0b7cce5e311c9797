"""What `cordon self-test` and the profile card need from below the service layer: the
fingerprint's QR code, and one seal-and-open round trip under a fresh operation's epoch, so an
installed build proves its cryptography works without the desktop reaching into it."""

from __future__ import annotations

import secrets

from locales import _
from sync.crypto.epochs import OperationKeys
from sync.crypto.packages import MemorySeen, open_package, seal_package
from sync.errors import CordonError
from sync.primitives.identity import Identity, PublicIdentity, fingerprint_qr_png
from sync.protocol import OperationInfo, create_genesis


def fingerprint_qr(public: PublicIdentity) -> bytes:
    """The device's fingerprint as a PNG QR code, for comparison in person."""
    return fingerprint_qr_png(public)


def check_package_round_trip(identity: Identity) -> None:
    """Seal 4 KiB under a new operation's first epoch and open it again; CordonError if the
    opened body differs (a broken cryptography build)."""
    commit, _secret = create_genesis(
        identity,
        name="Self Test",
        agency="Cordon",
        country="FR",
        info=OperationInfo(name="Self-test operation", ends=None, template_set="standard"),
    )
    keys = OperationKeys.from_chain(identity, [commit.raw])
    body = secrets.token_bytes(4096)
    raw = seal_package(identity, keys, kind="records", seq=1, hlc=1, body=body)
    if open_package(raw, keys, MemorySeen()).body != body:
        raise CordonError(_("Self-test failed: a package did not open to what was sealed."))
