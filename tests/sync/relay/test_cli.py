"""`cordon-relay serve`: configuration errors, and one relay per SQLite data folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.sync.relay.conftest import RelayProcess


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync.relay.cli", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bad_configuration_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "relay.toml"
    config.write_text("[relay]\nport = 'eighty'\n")
    result = _serve("--data", str(tmp_path / "d"), "--config", str(config))
    assert result.returncode == 2
    assert "port" in result.stderr and "Traceback" not in result.stderr


def test_second_relay_on_the_same_data_folder_is_refused(tmp_path: Path) -> None:
    first = RelayProcess(tmp_path / "data").start()
    try:
        result = _serve("--data", str(tmp_path / "data"), "--port", "0")
        assert result.returncode == 1
        assert "already using" in result.stderr
    finally:
        first.stop()
