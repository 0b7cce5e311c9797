"""Builds the application: the one start-up module that creates the store, the workers and
the main window and hands each its dependencies. (The window itself arrives with the desktop
issues; until then the bare ``cordon`` says so.)"""

from __future__ import annotations

import argparse

from locales import _
from sync.errors import CordonError


def run_app(args: argparse.Namespace) -> int:
    raise CordonError(_("The desktop window is not built yet; use the command line."))
