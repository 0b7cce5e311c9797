"""CLI tests run the real ``cordon`` in a subprocess with a temporary profile folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sync.store import keyfile

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cordon(tmp_path: Path) -> Run:
    home = tmp_path / "home"

    def run(
        *args: str, passphrase: str | None = "pass phrase", **env: str
    ) -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("CORDON_")}
        environ[keyfile.TEST_MEMORY_ENV] = "256"  # test-only cheap Argon2id
        if passphrase is not None:
            environ["CORDON_PASSPHRASE"] = passphrase
        environ.update(env)
        return subprocess.run(
            [sys.executable, "-m", "desktop.main", *args, "--home", str(home)],
            capture_output=True,
            text=True,
            env=environ,
            check=False,
            timeout=120,
        )

    run.home = home  # type: ignore[attr-defined]
    return run


from tests.sync.client.conftest import trio  # noqa: E402, F401 - the rule-face tests use it
