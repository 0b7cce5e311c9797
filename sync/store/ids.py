"""Identifiers for operations, records, messages, items and packages: 128 random bits, hex."""

from __future__ import annotations

import secrets


def new_id() -> str:
    return secrets.token_hex(16)
