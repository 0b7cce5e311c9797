"""The ``cordon`` entry point: the command line, or the desktop app when no command is given.

Qt is imported only when a window is really opened, so the command line stays fast and works
on machines without a display.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

QUIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def quit_on_signals(app: Any, before_quit: Callable[[], None] | None = None) -> Callable[[], None]:
    """Make Ctrl+C (SIGINT) and SIGTERM end ``app``'s event loop as closing the window does,
    after ``before_quit``. Returns a function that puts the earlier handlers back.

    Python runs a signal handler only when the main thread runs Python code, which it does not
    while Qt's event loop waits; so the signal also writes a byte into a socket pair that a
    QSocketNotifier watches, which wakes the loop and lets the handler run at once."""
    from desktop.qt import QtCore

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    try:
        old_fd = signal.set_wakeup_fd(writer.fileno())
    except ValueError:  # not on the main thread (a test harness): leave signals alone
        reader.close()
        writer.close()
        return lambda: None
    notifier = QtCore.QSocketNotifier(reader.fileno(), QtCore.QSocketNotifier.Type.Read)

    def drain() -> None:
        try:
            while reader.recv(64):
                pass
        except OSError:
            pass

    notifier.activated.connect(drain)
    quitting: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        if quitting:  # a second Ctrl+C while the first is being handled: no traceback
            return
        quitting.append(signum)
        if before_quit is not None:
            before_quit()
        app.quit()
        QtCore.QTimer.singleShot(0, app.quit)  # a signal before the loop started ends it at once

    old = {number: signal.signal(number, handler) for number in QUIT_SIGNALS}

    def restore() -> None:
        notifier.setEnabled(False)
        for number, previous in old.items():
            signal.signal(number, previous)
        signal.set_wakeup_fd(old_fd)
        reader.close()
        writer.close()

    return restore


def _launch_gui(args: argparse.Namespace) -> int:
    from desktop.app import run_app

    return run_app(args)


def _write_records_pdf(*args: Any, **kwargs: Any) -> Any:
    from desktop.reports.records_pdf import write_records_pdf  # Qt only when a PDF is asked for

    return write_records_pdf(*args, **kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    from desktop import demo, selftest
    from sync.cli import bulk
    from sync.cli.main import main as cli_main

    bulk.set_pdf_writer(_write_records_pdf)

    return cli_main(argv, extra_modules=[selftest, demo], launch_gui=_launch_gui)


if __name__ == "__main__":
    sys.exit(main())
