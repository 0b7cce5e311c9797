"""`cordon self-test`: a headless check that an installed build really works.

It opens a temporary profile (Argon2id, SQLCipher), seals and opens a package under a fresh
operation's epoch, and renders the main window offscreen. Packaging runs it on the frozen
build, so a missing library, catalog or Qt plugin fails the build instead of an officer's
first start.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path

from locales import _
from sync.cli.output import emit
from sync.errors import CordonError


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = subparsers.add_parser(
        "self-test",
        parents=[common],
        help=_("check this installation: store, encryption and the window, offscreen"),
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    steps = run_self_test()
    emit(
        {"ok": True, "steps": steps}, args.json, lambda r: "\n".join(f"ok  {s}" for s in r["steps"])
    )
    return 0


def run_self_test() -> list[str]:
    """Run every check; raise CordonError naming the step that failed."""
    steps: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cordon-selftest-") as tmp:
        home = Path(tmp) / "profile"
        passphrase = secrets.token_urlsafe(16)
        summary = _check_profile(home, passphrase)
        steps.append("profile: create, lock and unlock an encrypted store")
        _check_package(home, passphrase)
        steps.append("encryption: seal and open a package under a new operation's epoch")
        _check_window(summary, Path(tmp))
        steps.append("window: render the main window offscreen")
    return steps


def _check_profile(home: Path, passphrase: str) -> object:
    from desktop.profiles import ProfileGateway
    from sync.store import profile

    try:
        created = profile.create(home, passphrase, "Self Test", "Cordon", "FR")
        device = created.device_id
        created.close()
        unlocked = profile.unlock(home, passphrase)
    except CordonError as exc:
        raise CordonError(
            _("Self-test failed at the profile step: {reason}").format(reason=exc)
        ) from exc
    try:
        if unlocked.device_id != device:
            raise CordonError(_("Self-test failed: the profile came back with another identity."))
        return ProfileGateway.summary(unlocked)
    finally:
        unlocked.close()


def _check_package(home: Path, passphrase: str) -> None:
    from sync.services.diagnostics import check_package_round_trip
    from sync.store import profile

    unlocked = profile.unlock(home, passphrase)
    try:
        check_package_round_trip(unlocked.identity)
    finally:
        unlocked.close()


def _check_window(summary: object, tmp: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop.qt import QtWidgets
    from desktop.settings import AppSettings
    from desktop.views.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    window = MainWindow(summary, AppSettings(tmp / "settings.ini"))  # type: ignore[arg-type]
    window.show()
    app.processEvents()
    image = window.grab().toImage()
    window.close()
    if image.isNull() or image.width() < 100 or image.height() < 100:
        raise CordonError(_("Self-test failed: the main window did not render."))
