"""Identifiers for operations, records, messages, items and packages: 128 bits, hex.

The first 48 bits are the creation time in milliseconds and the other 80 are random (the
layout of UUIDv7), so new ids land at the end of the store's indexes instead of at random
places in them: inserting 100,000 records touches far fewer pages, each of which SQLCipher
would otherwise decrypt and re-encrypt. 80 random bits per millisecond keep ids unique.
"""

from __future__ import annotations

import secrets
import time


def new_id() -> str:
    millis = time.time_ns() // 1_000_000
    return f"{millis & 0xFFFF_FFFF_FFFF:012x}{secrets.token_hex(10)}"
