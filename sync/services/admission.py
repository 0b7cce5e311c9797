"""Admitting a join request: the one rule the command line and the window both apply.

A coordinator admits a device only after comparing its fingerprint with the person (read out in
person or by phone): ``fingerprint`` is what they read out, and it must match the fingerprint of
the keys in the request. The only other way is an explicit ``unverified=True``: the admission is
then written in this device's audit log and marked in the admitting commit, so every member sees
that this device's keys were never compared.
"""

from __future__ import annotations

import hmac

from locales import _
from sync.client import lifecycle, state
from sync.client.context import SyncContext
from sync.errors import CordonError
from sync.store import audit


def fingerprint_digits(text: str) -> str:
    """The digits of a fingerprint as people write it (spaces, dashes and line breaks dropped)."""
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit())


def check_fingerprint(expected: str, given: str | None, unverified: bool) -> bool:
    """Whether the admission is verified; CordonError when neither a matching fingerprint nor an
    explicit ``unverified`` is given."""
    if given is not None and unverified:
        raise CordonError(_("Give the fingerprint you compared, or admit unverified; not both."))
    if given is None:
        if unverified:
            return False
        raise CordonError(
            _(
                "Compare the fingerprint with the person first and give it with --fingerprint "
                '"…" (or admit explicitly with --unverified, which every member will see).'
            )
        )
    typed = fingerprint_digits(given)
    wanted = fingerprint_digits(expected)
    if not typed or not hmac.compare_digest(typed.encode(), wanted.encode()):
        raise CordonError(
            _("The fingerprint given does not match the one in the join request; not admitted.")
        )
    return True


def admit(
    engine: SyncContext,
    operation: str,
    device: str,
    role: str | None = None,
    *,
    fingerprint: str | None = None,
    unverified: bool = False,
) -> int:
    """Admit the pending request of ``device`` (a device id or a prefix of 6+ hex digits) under
    the fingerprint rule above; returns the new epoch."""
    request = lifecycle.find_request(engine, operation, device)
    verified = check_fingerprint(request.fingerprint, fingerprint, unverified)
    epoch = lifecycle.admit_request(engine, operation, request, role, verified=verified)
    if not verified:
        op_id = state.require_operation(engine.store, operation).operation_id
        engine.store.audit.append(audit.ADMISSION_UNVERIFIED, request.device_id, op_id)
    return epoch
