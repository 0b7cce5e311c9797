"""``cordon demo``: a living operation within a minute, for a newcomer.

Starts an embedded relay on a free loopback port, builds (or reuses) three demo profiles and a
realistic operation (see :mod:`desktop.demo_data`), shows progress while it builds, then opens
the main window unlocked as the coordinator. ``cordon demo --if-no-profile`` (what ``make run``
calls) opens the normal app when the profile folder already holds a profile.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from locales import _


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = subparsers.add_parser(
        "demo",
        parents=[common],
        help=_("start an embedded relay and a realistic demo operation, then open the app"),
    )
    parser.add_argument(
        "--if-no-profile",
        action="store_true",
        help=_("open the normal app instead when the profile folder already has a profile"),
    )
    parser.add_argument(
        "--rebuild", action="store_true", help=_("throw the earlier demo away and build it again")
    )
    parser.add_argument(
        "--records",
        type=int,
        default=None,
        metavar="N",
        help=_("how many seizure reports a new demo holds (default {count})").format(count=320),
    )
    parser.set_defaults(handler=_handle)


def default_demo_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("Cordon", "Cordon")).parent / "Cordon demo"


def demo_folder(args: argparse.Namespace) -> Path:
    """``--home DIR`` (or CORDON_HOME) names the demo folder; by default it sits beside the
    real profile folder, never inside it."""
    from sync.cli.main import resolve_home

    default_home = resolve_home(argparse.Namespace(home=None))
    explicit = str(args.home) != default_home or bool(os.environ.get("CORDON_HOME"))
    if explicit and not args.if_no_profile:
        return Path(args.home)
    return default_demo_folder()


def _handle(args: argparse.Namespace) -> int:
    from desktop.app import _check_display

    if args.if_no_profile:
        from sync.store import profile

        if profile.exists(args.home):
            from desktop.app import run_app

            return run_app(args)
    _check_display()
    records = args.records
    if records is not None and not 1 <= records <= 100_000:
        from sync.errors import CordonError

        raise CordonError(_("The number of demo reports must be between 1 and 100,000."))
    return run_demo(demo_folder(args), rebuild=args.rebuild, records=records)


# -- sample files for the library (drawn with Qt on the UI thread) --------------------------


def make_sample_files(folder: Path) -> list[tuple[str, str]]:
    """Two photos of a concealment and two PDF bulletins; returns (path, title) pairs."""
    from desktop.qt import Qt, QtCore, QtGui

    folder.mkdir(parents=True, exist_ok=True)
    out: list[tuple[str, str]] = []
    scenes = [
        ("suitcase-false-bottom.jpg", "Suitcase with a false bottom, CDG T2E", "#6d4c41"),
        ("pellets-xray.jpg", "X-ray image: ingested pellets, Dakar", "#263238"),
    ]
    for name, title, colour in scenes:
        image = QtGui.QImage(960, 640, QtGui.QImage.Format.Format_RGB32)
        image.fill(QtGui.QColor(colour))
        painter = QtGui.QPainter(image)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setPen(QtGui.QPen(QtGui.QColor("#eceff1"), 6))
        painter.setBrush(QtGui.QColor("#8d6e63") if "suitcase" in name else QtGui.QColor("#455a64"))
        if "suitcase" in name:
            painter.drawRoundedRect(QtCore.QRectF(180, 140, 600, 380), 30, 30)
            painter.setBrush(QtGui.QColor("#fafafa"))
            for i in range(6):
                painter.drawRect(QtCore.QRectF(230 + i * 90, 400, 70, 90))
        else:
            for i in range(40):
                x = 300 + (i % 8) * 45
                y = 180 + (i // 8) * 60
                painter.drawEllipse(QtCore.QRectF(x, y, 34, 50))
        painter.setPen(QtGui.QColor("#ffffff"))
        font = painter.font()
        font.setPointSize(22)
        painter.setFont(font)
        painter.drawText(QtCore.QRectF(20, 20, 920, 60), Qt.AlignmentFlag.AlignLeft, title)
        painter.end()
        path = folder / name
        image.save(str(path), "JPG", 85)  # type: ignore[call-overload]  # the stubs say bytes
        out.append((str(path), title))
    bulletins = [
        (
            "bulletin-week-3.pdf",
            "Operational bulletin, week 3",
            [
                "COCAIR-D — operational bulletin, week 3",
                "",
                "Seizures reported: see the operation picture.",
                "Main routes: Bogotá → Madrid, São Paulo → Bissau → Lisbon.",
                "New modus operandi: pellets in shampoo bottles.",
            ],
        ),
        (
            "risk-indicators.pdf",
            "Risk indicators for air passengers",
            [
                "Risk indicators (air passengers)",
                "",
                "- one-way ticket bought in cash within 48 hours",
                "- checked luggage only, new suitcase",
                "- return via a third country",
                "- travel agency already seen in earlier cases",
            ],
        ),
    ]
    for name, title, lines in bulletins:
        path = folder / name
        writer = QtGui.QPdfWriter(str(path))
        writer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4))
        writer.setTitle(title)
        painter = QtGui.QPainter(writer)
        font = painter.font()
        font.setPointSize(14)
        painter.setFont(font)
        step = writer.resolution() // 3
        for index, line in enumerate(lines):
            painter.drawText(step, step * (index + 2), line)
        painter.end()
        out.append((str(path), title))
    return out


# -- the progress window and the run -----------------------------------------------------------


def _progress_window() -> Any:
    from desktop.qt import Qt, QtWidgets

    window = QtWidgets.QWidget()
    window.setObjectName("demo-progress")
    window.setWindowTitle(_("Cordon demo"))
    title = QtWidgets.QLabel(_("Building the demo operation…"), window)
    font = title.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.2)
    title.setFont(font)
    text = QtWidgets.QLabel(
        _(
            "A relay runs on this computer, three participants from France, Colombia and "
            "Senegal exchange hundreds of seizure reports, messages and files. This takes "
            "under a minute."
        ),
        window,
    )
    text.setWordWrap(True)
    text.setTextFormat(Qt.TextFormat.PlainText)
    bar = QtWidgets.QProgressBar(window)
    bar.setRange(0, 0)
    bar.setAccessibleName(_("Demo progress"))
    step = QtWidgets.QLabel(window)
    step.setTextFormat(Qt.TextFormat.PlainText)
    layout = QtWidgets.QVBoxLayout(window)
    layout.addWidget(title)
    layout.addWidget(text)
    layout.addWidget(bar)
    layout.addWidget(step)
    window.resize(480, window.sizeHint().height())
    window.bar = bar  # type: ignore[attr-defined]
    window.step = step  # type: ignore[attr-defined]
    return window


def start_demo(
    application: Any, folder: Path, *, rebuild: bool = False, records: int | None = None
) -> Any:
    """Build or reuse the demo in ``folder`` on the writer thread, with a progress window,
    then open the main window as the coordinator. Returns the job (and keeps the relay on
    ``application.demo_relay`` to stop at quit)."""
    from desktop import demo_data
    from desktop.profiles import ProfileGateway
    from sync.errors import CordonError
    from sync.store import profile as profiles

    if rebuild and (folder / demo_data.STATE_FILE).exists():
        shutil.rmtree(folder)
    window = _progress_window()
    window.show()
    samples = None
    if demo_data.demo_ready(folder) is None:
        if folder.exists() and any(folder.iterdir()):
            if not (folder / demo_data.STATE_FILE).exists() and not (folder / "relay").exists():
                raise CordonError(
                    _("The folder {folder} is not empty; choose another one for the demo.").format(
                        folder=folder
                    )
                )
            shutil.rmtree(folder)  # an earlier demo that did not finish
        samples = make_sample_files(Path(tempfile.mkdtemp(prefix="cordon-demo-files-")))
    holder: dict[str, Any] = {}

    def build(progress: Any) -> Any:
        info = demo_data.demo_ready(folder)
        if info is not None:
            progress.report(0, 0, _("Starting the relay"))
            relay = demo_data.start_relay_for(folder)
            holder["relay"] = relay
            profile = profiles.unlock(info.coordinator_home, info.passphrase)
        else:
            progress.report(0, 0, _("Starting the relay"))
            relay = demo_data.EmbeddedRelay(folder / "relay").start()
            holder["relay"] = relay
            info, profile = demo_data.build_demo(
                folder,
                relay,
                lambda done, total, label: _step(progress, done, total, label),
                records=records or demo_data.RECORDS,
                files=samples,
                keep_open=True,
            )
        return info, profile, ProfileGateway.summary(profile)

    def report(update: Any) -> None:
        if update.total:
            window.bar.setRange(0, update.total)
            window.bar.setValue(update.done)
        window.step.setText(update.label)

    def built(result: Any) -> None:
        info, profile, summary = result
        application.demo_info = info
        print(
            _("Demo folder: {folder}\nDemo passphrase: {passphrase}\nRelay: {url}").format(
                folder=info.folder, passphrase=info.passphrase, url=info.relay_url
            ),
            flush=True,
        )
        window.close()
        window.deleteLater()
        application.controller.open_unlocked(profile, summary)
        frame = application.controller.frame
        if frame is not None:
            frame.open_when_listed(info.operation_id)

    def failed(exc: BaseException) -> None:
        from desktop.errors import user_text

        window.step.setText(user_text(exc))
        window.bar.setRange(0, 1)
        window.bar.setValue(0)

    def cleanup() -> None:
        application.demo_relay = holder.get("relay")
        if samples:
            shutil.rmtree(Path(samples[0][0]).parent, ignore_errors=True)

    application.demo_window = window
    application.demo_relay = None
    application.demo_holder = holder
    return (
        application.runner.write(build)
        .progress(report)
        .success(built)
        .failure(failed)
        .finally_(cleanup)
        .run()
    )


def _step(progress: Any, done: int, total: int, label: str) -> None:
    """One step of the build: stop here when the demo was quit meanwhile, else report."""
    progress.check()
    progress.report(done, total, label)


def stop_relay(application: Any) -> None:
    relay = application.__dict__.get("demo_relay") or application.__dict__.get(
        "demo_holder", {}
    ).get("relay")
    if relay is not None:
        relay.stop()


def run_demo(folder: Path, *, rebuild: bool = False, records: int | None = None) -> int:
    """Run the demo until its window closes or the process is told to stop (Ctrl+C, SIGTERM);
    the embedded relay stops with it either way, so the next ``make run`` finds its port free."""
    from desktop.app import build, qt_application
    from desktop.main import quit_on_signals

    qt = qt_application()
    application = build(folder / "coordinator", app=qt, start=False)
    restore = quit_on_signals(qt, before_quit=lambda: stop_relay(application))
    try:
        start_demo(application, folder, rebuild=rebuild, records=records)
        return qt.exec()
    finally:
        stop_relay(application)  # first, so a build still running fails fast instead of syncing on
        application.close()
        stop_relay(application)  # a relay the build started while it was being stopped
        restore()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_demo(Path(sys.argv[1])))
