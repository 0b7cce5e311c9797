"""The command line picks its language from the environment, as POSIX tools do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from locales import language_from_environment, match_language


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_FR.UTF-8", "LC_ALL": "ar_JO.UTF-8"}, "ar"),
        ({"LANG": "de_DE", "LC_MESSAGES": "pt_BR.UTF-8"}, "pt"),
        ({"LANGUAGE": "nl:ru:en", "LANG": "en_US.UTF-8"}, "ru"),
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "es_ES.UTF-8", "CORDON_LANGUAGE": "tr"}, "tr"),
        ({"LANG": "ja_JP.UTF-8"}, "en"),
    ],
)
def test_language_from_environment(environ: dict[str, str], expected: str) -> None:
    assert language_from_environment(environ) == expected


def test_match_language_takes_the_first_spoken_one() -> None:
    assert match_language(["xx-YY", "pt-PT", "fr"]) == "pt"
    assert match_language(["sr@latin"]) == "en"


def test_cli_messages_follow_the_environment_language(tmp_path: Path) -> None:
    def whoami(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop.main", "whoami", "--home", str(tmp_path / "none")],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "CORDON_PASSPHRASE": "x", **env},
            timeout=60,
        )

    english = whoami(LANG="C")
    pseudo = whoami(LANG="fr_FR.UTF-8", CORDON_LANGUAGE="en_XA")
    assert english.returncode == pseudo.returncode == 1
    assert english.stderr.isascii() and "Traceback" not in english.stderr
    assert not pseudo.stderr.isascii()  # the pseudo-locale accents every translated message
