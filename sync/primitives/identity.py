"""A device's identity: its key pairs, its device id and its fingerprint (safety number).

Each device holds four key pairs:

* Ed25519 signs packages and relay requests;
* ML-DSA-65 signs commits and rosters beside Ed25519 (post-quantum);
* X25519 and ML-KEM-768 together form the HPKE hybrid KEM (``MLKEM768_X25519``) that epoch
  secrets and direct messages are sealed to.

The device id and the fingerprint are both derived from the canonical public bundle, so two
people comparing a fingerprint compare the very keys that the roster carries.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import ed25519, mldsa, mlkem, x25519

from sync.errors import ProtocolError
from sync.primitives import cbor_strict

DEVICE_ID_BYTES = 16
FINGERPRINT_GROUPS = 12
_FINGERPRINT_ITERATIONS = 5200  # as Signal's safety numbers: grinding a look-alike costs more
_SECRET_VERSION = 1

HPKE_SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)


@dataclass(frozen=True)
class PublicIdentity:
    """The public half of a device identity, as carried in rosters and join requests."""

    sign_key: bytes  # Ed25519, 32 bytes
    pq_sign_key: bytes  # ML-DSA-65, 1952 bytes
    dh_key: bytes  # X25519, 32 bytes
    kem_key: bytes  # ML-KEM-768, 1184 bytes

    def to_cbor_map(self) -> dict[str, bytes]:
        return {"ed": self.sign_key, "dsa": self.pq_sign_key, "x": self.dh_key, "kem": self.kem_key}

    @classmethod
    def from_cbor_map(cls, value: Any) -> PublicIdentity:
        """Build from a decoded map, checking every key's type and length."""
        if not isinstance(value, dict) or set(value) != {"ed", "dsa", "x", "kem"}:
            raise ProtocolError("malformed public identity")
        lengths = {"ed": 32, "dsa": 1952, "x": 32, "kem": 1184}
        for name, length in lengths.items():
            if not isinstance(value[name], bytes) or len(value[name]) != length:
                raise ProtocolError("malformed public identity")
        return cls(value["ed"], value["dsa"], value["x"], value["kem"])

    def encode(self) -> bytes:
        """Canonical CBOR bytes: the same keys always give the same bytes."""
        return cbor2.dumps(self.to_cbor_map(), canonical=True)

    @classmethod
    def decode(cls, data: bytes) -> PublicIdentity:
        try:
            value = cbor_strict.loads(data, max_bytes=64 * 1024, max_items=64)
        except cbor_strict.CBORError as exc:
            raise ProtocolError("malformed public identity") from exc
        identity = cls.from_cbor_map(value)
        if identity.encode() != data:
            raise ProtocolError("public identity is not canonically encoded")
        return identity

    @cached_property  # hashed once: packages look the sender up on every open
    def device_id(self) -> bytes:
        return hashlib.sha256(b"cordon-device-id-v1\x00" + self.encode()).digest()[:DEVICE_ID_BYTES]

    @property
    def device_id_hex(self) -> str:
        return self.device_id.hex()

    @cached_property
    def fingerprint(self) -> str:
        """Twelve groups of five digits, the same on every device that holds these keys."""
        digest = b"cordon-fingerprint-v1\x00" + self.encode()
        for _ in range(_FINGERPRINT_ITERATIONS):
            digest = hashlib.sha512(digest + self.sign_key).digest()
        groups = [
            f"{int.from_bytes(digest[i * 5 : i * 5 + 5], 'big') % 100000:05d}"
            for i in range(FINGERPRINT_GROUPS)
        ]
        return " ".join(groups)

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Check an Ed25519 signature by this device."""
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(self.sign_key).verify(signature, message)
        except Exception:
            return False
        return True

    def verify_pq(self, signature: bytes, message: bytes) -> bool:
        """Check an ML-DSA-65 signature by this device."""
        try:
            mldsa.MLDSA65PublicKey.from_public_bytes(self.pq_sign_key).verify(signature, message)
        except Exception:
            return False
        return True

    def hpke_public_key(self) -> hpke.MLKEM768X25519PublicKey:
        return self._hpke_public_key

    @cached_property  # loading an ML-KEM key costs as much as a quarter of a seal
    def _hpke_public_key(self) -> hpke.MLKEM768X25519PublicKey:
        return hpke.MLKEM768X25519PublicKey(
            mlkem.MLKEM768PublicKey.from_public_bytes(self.kem_key),
            x25519.X25519PublicKey.from_public_bytes(self.dh_key),
        )

    def seal(self, plaintext: bytes, info: bytes) -> bytes:
        """HPKE-seal ``plaintext`` to this device (hybrid ML-KEM-768 + X25519)."""
        return HPKE_SUITE.encrypt(plaintext, self.hpke_public_key(), info=info)


class Identity:
    """A device's private keys. Kept only inside the encrypted store; never logged."""

    def __init__(
        self,
        sign: ed25519.Ed25519PrivateKey,
        pq_sign: mldsa.MLDSA65PrivateKey,
        dh: x25519.X25519PrivateKey,
        kem: mlkem.MLKEM768PrivateKey,
    ) -> None:
        self._sign = sign
        self._pq_sign = pq_sign
        self._dh = dh
        self._kem = kem
        self.public = PublicIdentity(
            sign.public_key().public_bytes_raw(),
            pq_sign.public_key().public_bytes_raw(),
            dh.public_key().public_bytes_raw(),
            kem.public_key().public_bytes_raw(),
        )

    def __repr__(self) -> str:  # never print key material
        return f"Identity(device_id={self.public.device_id_hex})"

    @classmethod
    def generate(cls) -> Identity:
        return cls(
            ed25519.Ed25519PrivateKey.generate(),
            mldsa.MLDSA65PrivateKey.generate(),
            x25519.X25519PrivateKey.generate(),
            mlkem.MLKEM768PrivateKey.generate(),
        )

    def to_secret_bytes(self) -> bytes:
        """The private seeds as canonical CBOR, for storage inside the encrypted store only."""
        return cbor2.dumps(
            {
                "v": _SECRET_VERSION,
                "ed": self._sign.private_bytes_raw(),
                "dsa": self._pq_sign.private_bytes_raw(),
                "x": self._dh.private_bytes_raw(),
                "kem": self._kem.private_bytes_raw(),
            },
            canonical=True,
        )

    @classmethod
    def from_secret_bytes(cls, data: bytes) -> Identity:
        try:
            value = cbor2.loads(data)
            if value.get("v") != _SECRET_VERSION:
                raise ValueError("unknown identity version")
            return cls(
                ed25519.Ed25519PrivateKey.from_private_bytes(value["ed"]),
                mldsa.MLDSA65PrivateKey.from_seed_bytes(value["dsa"]),
                x25519.X25519PrivateKey.from_private_bytes(value["x"]),
                mlkem.MLKEM768PrivateKey.from_seed_bytes(value["kem"]),
            )
        except Exception as exc:
            raise ProtocolError("the stored identity is damaged") from exc

    @property
    def device_id(self) -> bytes:
        return self.public.device_id

    def sign(self, message: bytes) -> bytes:
        return self._sign.sign(message)

    def sign_pq(self, message: bytes) -> bytes:
        return self._pq_sign.sign(message)

    def hpke_private_key(self) -> hpke.MLKEM768X25519PrivateKey:
        return hpke.MLKEM768X25519PrivateKey(self._kem, self._dh)

    def open(self, sealed: bytes, info: bytes) -> bytes:
        """Open an HPKE message sealed to this device; raises ProtocolError on any failure."""
        try:
            return HPKE_SUITE.decrypt(sealed, self.hpke_private_key(), info=info)
        except Exception as exc:
            raise ProtocolError("sealed message could not be opened") from exc


def fingerprint_qr_payload(public: PublicIdentity) -> str:
    """What the fingerprint QR code holds: scheme, device id and the digits."""
    return f"cordon-fp:1:{public.device_id_hex}:{public.fingerprint.replace(' ', '')}"


def fingerprint_qr_svg(public: PublicIdentity, scale: int = 4) -> bytes:
    """The fingerprint as an SVG QR code (segno; no image library needed)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(fingerprint_qr_payload(public), error="m").save(buffer, kind="svg", scale=scale)
    return buffer.getvalue()


def fingerprint_qr_png(public: PublicIdentity, scale: int = 6) -> bytes:
    """The fingerprint as a PNG QR code, for the desktop and for printing."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(fingerprint_qr_payload(public), error="m").save(buffer, kind="png", scale=scale)
    return buffer.getvalue()
