"""`cordon self-test`, which packaging runs on the frozen build, passes on the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_self_test_passes_and_reports_each_step() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop.main", "self-test", "--json"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert [step.split(":")[0] for step in report["steps"]] == ["profile", "encryption", "window"]


def test_unexpected_errors_are_one_sentence_without_traceback(tmp_path) -> None:
    # A directory where the passphrase file should be: an OSError path the CLI reports cleanly,
    # and a garbage key file, which must not surface as a traceback either.
    home = tmp_path / "home"
    home.mkdir()
    (home / "cordon.key").write_bytes(b"\x00" * 7)
    result = subprocess.run(
        [sys.executable, "-m", "desktop.main", "whoami", "--home", str(home)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "CORDON_PASSPHRASE": "x"},
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
