"""Relay settings: defaults, then a TOML file, then CORDON_RELAY_* environment, then the CLI."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from locales import _
from sync.errors import UsageError

MIB = 1024 * 1024


@dataclass
class RelaySettings:
    data_dir: str = "relay-data"
    host: str = "127.0.0.1"
    port: int = 8765
    database_url: str | None = None  # postgresql://... ; None: SQLite under data_dir
    max_package_bytes: int = MIB
    max_batch_bytes: int = 16 * MIB
    max_batch_packages: int = 1000
    max_commit_bytes: int = 8 * MIB
    max_genesis_bytes: int = 256 * 1024  # POST /operations: decoded before authentication
    max_join_request_bytes: int = 64 * 1024  # anonymous join requests
    max_json_bytes: int = 16 * 1024  # JSON bodies (invitations)
    max_upload_chunk_bytes: int = 64 * MIB  # one tus PATCH
    header_timeout_seconds: float = 10.0  # a request's headers, from its first byte
    body_timeout_seconds: float = 30.0  # each wait for the next piece of a request body
    max_blob_bytes: int = 512 * MIB
    quota_bytes: int = 20 * 1024 * MIB  # per operation: packages, commits and blobs
    rate_per_second: float = 200.0  # per device; 0 disables the limit
    rate_burst: float = 1000.0
    # PostgreSQL: also check signed reads against the shared nonce table (a database round
    # trip per read). False: writes only; see "Replay protection" in docs/relay.md.
    replay_check_reads_shared: bool = False
    # Who may create operations, and how many (issue 20, item 3); see "Limits" in docs/relay.md.
    max_operations_per_device: int = 20  # open operations whose genesis a device signed; 0: no cap
    creation_per_hour: float = 60.0  # operations and invitations, per device and per address
    creation_burst: float = 10.0
    allowed_devices_file: str | None = None  # device ids (hex), one a line; None: any device
    # Upload reservations (issue 20, item 7): an upload reserves its length against the quota.
    max_pending_upload_bytes: int = 2 * 1024 * MIB  # per device and operation, not yet uploaded
    upload_expiry_seconds: int = 24 * 3600  # an upload not finished by then is dropped
    invitation_ttl_seconds: int = 14 * 24 * 3600
    long_poll_seconds: int = 30
    log_level: str = "info"
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    graceful_seconds: int = 5
    # False: a device's own packages are authorised by its request signature (which covers the
    # body) and its role; forwarded packages are always signature-checked. See docs/relay.md.
    verify_all_package_signatures: bool = False


_FIELDS = {field.name: field for field in dataclasses.fields(RelaySettings)}


def _coerce(name: str, value: Any) -> Any:
    field = _FIELDS[name]
    kind = str(field.type)
    try:
        if kind.startswith("bool"):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return text in ("true", "1", "yes")
        if kind.startswith("int"):
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if kind.startswith("float"):
            return float(value)
        if value is None:
            return None
        return str(value)
    except (TypeError, ValueError) as exc:
        raise UsageError(
            _("The relay setting {name} has an invalid value.").format(name=name)
        ) from exc


def load_settings(
    config_file: str | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> RelaySettings:
    values: dict[str, Any] = {}
    if config_file:
        try:
            document = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(
                _("The relay configuration file {path} could not be read.").format(path=config_file)
            ) from exc
        table = document.get("relay", document)
        if not isinstance(table, dict):
            raise UsageError(_("The relay configuration needs a [relay] table."))
        for key, value in table.items():
            name = key.replace("-", "_")
            if name not in _FIELDS:
                raise UsageError(
                    _("Unknown relay setting {name} in the configuration file.").format(name=key)
                )
            values[name] = _coerce(name, value)
    env = os.environ if environ is None else environ
    for name in _FIELDS:
        variable = "CORDON_RELAY_" + name.upper()
        if variable in env:
            values[name] = _coerce(name, env[variable])
    for name, value in (overrides or {}).items():
        if value is not None:
            values[name] = _coerce(name, value)
    return RelaySettings(**values)
