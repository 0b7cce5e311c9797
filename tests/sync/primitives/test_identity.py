from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.errors import ProtocolError
from sync.primitives.identity import Identity, PublicIdentity, fingerprint_qr_png


@pytest.fixture(scope="module")
def identity() -> Identity:
    return Identity.generate()


def test_secret_round_trip_keeps_every_key(identity: Identity) -> None:
    again = Identity.from_secret_bytes(identity.to_secret_bytes())
    assert again.public == identity.public
    assert again.device_id == identity.device_id


def test_fingerprint_is_twelve_groups_of_five_digits_and_stable(identity: Identity) -> None:
    fp = identity.public.fingerprint
    groups = fp.split(" ")
    assert len(groups) == 12 and all(len(g) == 5 and g.isdigit() for g in groups)
    decoded = PublicIdentity.decode(identity.public.encode())
    assert decoded.fingerprint == fp


def test_different_devices_have_different_ids_and_fingerprints(identity: Identity) -> None:
    other = Identity.generate()
    assert other.device_id != identity.device_id
    assert other.public.fingerprint != identity.public.fingerprint


def test_signatures_verify_and_reject_tampering(identity: Identity) -> None:
    sig = identity.sign(b"message")
    assert identity.public.verify(sig, b"message")
    assert not identity.public.verify(sig, b"messagf")
    pq = identity.sign_pq(b"commit")
    assert identity.public.verify_pq(pq, b"commit")
    assert not identity.public.verify_pq(pq, b"commiT")


def test_hpke_seal_opens_only_for_its_device(identity: Identity) -> None:
    sealed = identity.public.seal(b"epoch secret", info=b"ctx")
    assert identity.open(sealed, info=b"ctx") == b"epoch secret"
    with pytest.raises(ProtocolError):
        Identity.generate().open(sealed, info=b"ctx")
    with pytest.raises(ProtocolError):
        identity.open(sealed, info=b"other context")


def test_qr_code_is_a_png(identity: Identity) -> None:
    assert fingerprint_qr_png(identity.public).startswith(b"\x89PNG")


@settings(max_examples=300)
@given(st.binary(max_size=4000))
def test_public_identity_decoder_rejects_garbage_with_protocol_error(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        PublicIdentity.decode(data)


@settings(max_examples=100)
@given(st.binary(max_size=400))
def test_secret_decoder_rejects_garbage_with_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        Identity.from_secret_bytes(data)
