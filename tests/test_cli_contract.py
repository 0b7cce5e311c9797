"""The command line's general conventions, independent of any command group."""

from __future__ import annotations

import subprocess
import sys

from sync import __version__


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.main", *args], capture_output=True, text=True, check=False
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"cordon {__version__}"


def test_unknown_command_is_a_usage_error_with_exit_2() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
