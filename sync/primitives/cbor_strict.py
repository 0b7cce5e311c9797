"""A strict, bounded CBOR decoder for everything Cordon receives from outside.

cbor2 decodes every CBOR type, including tags whose decoding is costly (tag 30 rationals and tag 4
decimal fractions over bignums took the relay tens of seconds for a 2 MB body), and it only lets
a caller check sizes after the whole value was built. This decoder accepts only what the wire
protocol uses (docs/protocol.md, section 1):

* unsigned and negative integers, byte strings, UTF-8 text strings, arrays, maps with text keys,
  and the simple values false, true and null;
* no tags, no floats, no undefined or other simple values, no indefinite lengths.

Its limits are enforced while decoding, before the work they bound is done: the input's size
first, then for each item the nesting depth, the running count of items, and that a declared
length or count fits in the bytes that remain. An 8 MiB hostile body is refused after reading
at most ``max_items`` item headers, and usually after the first few bytes.

With ``canonical=True`` (every signed or hashed structure) it also refuses what RFC 8949's
core deterministic encoding (as cbor2 writes it with ``canonical=True``) does not produce:
integers and lengths not in their shortest form, and map keys not in length-first, then
bytewise, order. Duplicate map keys are always refused.

Only ``CBORError`` (a ValueError) leaves ``loads``; callers turn it into their own refusal.
"""

from __future__ import annotations

from typing import Any

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_DEPTH = 16  # the deepest structure of protocol v1 nests 5 levels
DEFAULT_MAX_ITEMS = 200_000

_SIMPLE = {0xF4: False, 0xF5: True, 0xF6: None}
# The smallest argument each width may carry in canonical form (else a shorter one fits).
_WIDTH = {24: (1, 24), 25: (2, 1 << 8), 26: (4, 1 << 16), 27: (8, 1 << 32)}


class CBORError(ValueError):
    """The input is not CBOR this decoder accepts; the message says why (technical)."""


_TRUNCATED = "truncated"
TOO_MANY_ITEMS = "too many items"


def _decode(data: bytes, max_depth: int, max_items: int, canonical: bool) -> tuple[Any, int]:
    """The decoding loop: one pass, an explicit stack, every check made as the item is read
    (kept in one flat function: a call per item would double the time per item). Returns the
    value and where it ended.

    A frame on the stack is ``[container, remaining, key or _NO_KEY, previous key bytes]``
    (a map frame holds a dict, an array frame a list).
    """
    end = len(data)
    pos = 0
    items = 0
    stack: list[list[Any]] = []
    while True:
        if pos >= end:
            raise CBORError(_TRUNCATED)
        start = pos
        initial = data[pos]
        pos += 1
        items += 1
        if items > max_items:
            raise CBORError(TOO_MANY_ITEMS)
        major = initial >> 5
        info = initial & 31
        value: Any
        if major == 7:
            if initial not in _SIMPLE:
                raise CBORError("floats and simple values other than false, true, null")
            value = _SIMPLE[initial]
        elif major == 6:
            raise CBORError("tags are not allowed")
        else:
            if info < 24:
                arg = info
            elif info < 28:
                width, smallest = _WIDTH[info]
                if pos + width > end:
                    raise CBORError(_TRUNCATED)
                arg = int.from_bytes(data[pos : pos + width], "big")
                pos += width
                if canonical and arg < smallest:
                    raise CBORError("an integer or length is not in its shortest form")
            else:
                raise CBORError("indefinite or reserved length")
            if major == 0:
                value = arg
            elif major == 1:
                value = -1 - arg
            elif major == 2 or major == 3:  # noqa: PLR1714 - ints: faster than a tuple test
                stop = pos + arg
                if stop > end:
                    raise CBORError("a string is longer than the input")
                if major == 2:
                    value = data[pos:stop]
                else:
                    try:
                        value = data[pos:stop].decode("utf-8")
                    except UnicodeDecodeError:
                        raise CBORError("text is not UTF-8") from None
                pos = stop
            else:
                # Every item takes at least one byte: a count the rest cannot hold is a lie,
                # refused before anything is allocated for it.
                if (arg if major == 4 else 2 * arg) > end - pos:
                    raise CBORError("an array or map is longer than the input")
                if arg:
                    if len(stack) >= max_depth:
                        raise CBORError("nested too deeply")
                    stack.append([[] if major == 4 else {}, arg, _NO_KEY, b""])
                    continue
                value = [] if major == 4 else {}
        # Attach the value to its container; a container that is full is itself the value.
        while stack:
            frame = stack[-1]
            container = frame[0]
            if type(container) is list:
                container.append(value)
            elif frame[2] is _NO_KEY:  # the value is a key
                if type(value) is not str:
                    raise CBORError("a map key is not text")
                if value in container:
                    raise CBORError("a map key is repeated")
                encoded = data[start:pos]
                previous = frame[3]
                in_order = (len(previous), previous) < (len(encoded), encoded)
                if canonical and previous and not in_order:
                    raise CBORError("map keys are not in canonical order")
                frame[2] = value
                frame[3] = encoded
                break
            else:
                container[frame[2]] = value
                frame[2] = _NO_KEY
            frame[1] -= 1
            if frame[1]:
                break
            stack.pop()
            value = container
        else:
            return value, pos


_NO_KEY = object()


def loads(
    data: bytes | bytearray | memoryview,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_items: int = DEFAULT_MAX_ITEMS,
    canonical: bool = True,
) -> Any:
    """Decode one CBOR data item that fills ``data`` exactly, within the given limits."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise CBORError("not bytes")
    if len(data) > max_bytes:
        raise CBORError("too large")
    data = bytes(data)
    value, end = _decode(data, max_depth, max_items, canonical)
    if end != len(data):
        raise CBORError("trailing bytes")
    return value
