"""The ``cordon`` entry point: the command line, or the desktop app when no command is given.

Qt is imported only when a window is really opened, so the command line stays fast and works
on machines without a display.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any


def _launch_gui(args: argparse.Namespace) -> int:
    from desktop.app import run_app

    return run_app(args)


def _write_records_pdf(*args: Any, **kwargs: Any) -> Any:
    from desktop.reports.records_pdf import write_records_pdf  # Qt only when a PDF is asked for

    return write_records_pdf(*args, **kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    from desktop import selftest
    from sync.cli import bulk
    from sync.cli.main import main as cli_main

    bulk.set_pdf_writer(_write_records_pdf)

    return cli_main(argv, extra_modules=[selftest], launch_gui=_launch_gui)


if __name__ == "__main__":
    sys.exit(main())
