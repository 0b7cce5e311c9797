"""The relay installs and runs without Qt: `pip install cordon[relay]` pulls no PySide6, and a
relay whose interpreter cannot import the desktop's packages still serves."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DESKTOP_ONLY = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6", "sqlcipher3"}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _install_set(extras: set[str]) -> set[str]:
    """The project's own requirement names for ``cordon[extras]``, self-references expanded."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    optional = project["optional-dependencies"]
    names, todo, seen = {_name(r) for r in project["dependencies"]}, list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for requirement in optional[extra]:
            match = re.fullmatch(r"cordon\[([\w,-]+)\]", requirement.split("#")[0].strip())
            if match:
                todo += match.group(1).split(",")
            else:
                names.add(_name(requirement))
    return names


def test_the_relay_extra_names_no_desktop_package() -> None:
    relay = _install_set({"relay"})
    assert {"fastapi", "uvicorn", "sqlalchemy", "psycopg", "cryptography"} <= relay
    assert not relay & DESKTOP_ONLY
    assert "pyside6" in _install_set({"desktop"}), "the desktop extra must still bring Qt"


def test_pip_resolves_the_relay_without_qt(tmp_path: Path) -> None:
    """What pip would really install for ``.[relay]`` (a dry run against the package index)."""
    report = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed",
         "--report", str(report), f"{ROOT}[relay]"],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    installed = {
        item["metadata"]["name"].lower().replace("_", "-")
        for item in json.loads(report.read_text("utf-8"))["install"]
    }
    assert {"fastapi", "uvicorn", "cryptography"} <= installed
    assert not installed & DESKTOP_ONLY, sorted(installed & DESKTOP_ONLY)


_BLOCKED_RELAY = textwrap.dedent(
    """
    import sys
    BLOCKED = ("PySide6", "shiboken6", "sqlcipher3", "requests", "desktop", "forms",
               "sync.store", "sync.client", "sync.services", "sync.cli")

    class Refuse:
        def find_spec(self, name, path=None, target=None):
            if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                raise ImportError("the relay must not import " + name)
            return None

    sys.meta_path.insert(0, Refuse())
    from sync.relay.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def test_the_relay_serves_with_the_desktop_packages_unimportable(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _BLOCKED_RELAY, "serve", "--data", str(tmp_path / "relay"),
         "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = ""
        for _ in range(50):
            line = proc.stdout.readline().decode()
            if line.startswith("listening on "):
                url = line.split()[-1]
                break
            if not line and proc.poll() is not None:
                break
        assert url, proc.stderr.read().decode() if proc.stderr else "no output"
        with urllib.request.urlopen(url.rstrip("/") + "/healthz", timeout=10) as answer:  # noqa: S310
            assert answer.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
