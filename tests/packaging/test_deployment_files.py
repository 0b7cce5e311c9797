"""The deployment files pass the checkers their platforms use.

Each checker is a system tool that `.ci/run` installs; on a developer machine without it the
test is skipped, but under CI (CI=true) a missing checker is a failure, so nothing is skipped
silently where it matters.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed; .ci/run should install it")
        pytest.skip(f"{name} is not installed")
    return found


def test_systemd_unit_verifies(tmp_path: Path) -> None:
    tool = _tool("systemd-analyze")
    unit = (PACKAGING / "relay" / "cordon-relay.service").read_text(encoding="utf-8")
    # systemd-analyze checks that ExecStart's program exists: point it at this venv's relay.
    relay = Path(sys.executable).parent / "cordon-relay"
    assert relay.exists()
    unit = unit.replace("/opt/cordon-relay/bin/cordon-relay", str(relay))
    target = tmp_path / "cordon-relay.service"
    target.write_text(unit, encoding="utf-8")
    result = subprocess.run(
        [tool, "verify", "--man=no", str(target)], capture_output=True, text=True, check=False
    )
    problems = [line for line in result.stderr.splitlines() if "cordon-relay.service" in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_unit_is_hardened() -> None:
    unit = (PACKAGING / "relay" / "cordon-relay.service").read_text(encoding="utf-8")
    for option in (
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "DynamicUser=yes",
        "CapabilityBoundingSet=",
        "SystemCallFilter=@system-service",
    ):
        assert option in unit


def test_container_file_lints_clean() -> None:
    tool = _tool("hadolint")
    result = subprocess.run(
        [tool, str(PACKAGING / "relay" / "Containerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_entry_validates() -> None:
    tool = _tool("desktop-file-validate")
    entry = PACKAGING / "linux" / "org.cordonproject.Cordon.desktop"
    result = subprocess.run([tool, str(entry)], capture_output=True, text=True, check=False)
    errors = [line for line in result.stdout.splitlines() if "error:" in line]
    assert result.returncode == 0 and not errors, result.stdout


def test_appstream_metainfo_validates() -> None:
    tool = _tool("appstreamcli")
    meta = PACKAGING / "linux" / "org.cordonproject.Cordon.metainfo.xml"
    result = subprocess.run(
        [tool, "validate", "--no-net", str(meta)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_release_matches_the_version() -> None:
    from sync import __version__

    meta = (PACKAGING / "linux" / "org.cordonproject.Cordon.metainfo.xml").read_text("utf-8")
    assert f'<release version="{__version__}"' in meta
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {__version__}" in changelog


def test_icons_render_in_every_standard_size(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "icons" / "render.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = tmp_path / "hicolor" / f"{size}x{size}" / "apps" / "org.cordonproject.Cordon.png"
        assert png.read_bytes().startswith(b"\x89PNG")
