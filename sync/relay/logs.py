"""Structured JSON logs, one object per line. They carry sizes, statuses and device ids, never
payloads, tokens or operation ids.

A request's path is logged with every variable segment (operation id, upload token, blob id,
join request id) replaced by ``*``; the operation is named by ``op_tag``, the first 8 bytes of
its tombstone hash (sync.relay.store.id_hash), hex: log lines of one operation can be followed,
and once it is closed the log holds no more about it than the relay's tombstone does.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: messages of parsing errors could quote input bytes.
            entry["exc_type"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str, ensure_ascii=False)


def setup_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our access log replaces it


# Fixed words of the relay's routes are kept; anything else in a path is a variable.
_WORD = re.compile(r"^[a-z][a-z0-9-]{0,19}(\.json)?$")
_OPERATION = re.compile(r"^[0-9a-fA-F]{32}$")


def op_tag(operation_id: bytes) -> str:
    """How logs name an operation: a prefix of its tombstone hash, never the id itself."""
    from sync.relay.store import id_hash

    return id_hash(operation_id)[:8].hex()


def redact_path(path: str) -> tuple[str, str | None]:
    """The path with its variable segments replaced by ``*``, and the operation's tag if the
    path names one (see the module text)."""
    parts = path.split("/")
    tag = None
    for n, part in enumerate(parts):
        if not part or _WORD.match(part):
            continue
        if n > 0 and parts[n - 1] == "operations" and _OPERATION.match(part):
            tag = op_tag(bytes.fromhex(part))
        parts[n] = "*"
    return "/".join(parts)[:200], tag


def now_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
