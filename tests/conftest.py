"""Test-wide set-up: Qt offscreen, and no test may touch the real user profile."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("CORDON_HOME", None)
os.environ.pop("CORDON_PASSPHRASE", None)
