"""Builds the application: the one start-up module that creates the QApplication, the
translations, the worker threads, the profile gateway and the controller, and hands each its
dependencies. Nothing here is global: tests call :func:`build` with their own folder."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import locales
from desktop.controller import AppController
from desktop.errors import user_text
from desktop.i18n import LanguageBridge, system_language
from desktop.profiles import ProfileGateway
from desktop.qt import Qt, QtCore, QtGui, QtWidgets
from desktop.settings import AppSettings
from desktop.tasks import TaskRunner
from desktop.widgets.language_combo import available_languages
from sync.errors import CordonError

# Benchmark probe: print when the first window is on screen, then quit (tests/benchmarks).
STARTUP_PROBE_ENV = "CORDON_STARTUP_PROBE"
# Offer the pseudo-locale in the language pickers (translation testing).
PSEUDO_ENV = "CORDON_PSEUDO_LOCALE"


@dataclass
class Application:
    """Everything :func:`build` made, so the caller (or a test) can drive and tear it down."""

    qt: QtWidgets.QApplication
    controller: AppController
    runner: TaskRunner
    language: LanguageBridge
    settings: AppSettings
    gateway: ProfileGateway
    closed: bool = False

    def close(self) -> None:
        """Stop the threads (waiting for them), close the windows, detach from ``locales``."""
        if self.closed:
            return
        self.closed = True
        self.controller.shutdown()
        self.controller.close_windows()
        self.language.close()


UI_SWITCH_INTERVAL = 0.001  # seconds; Python's default is 0.005


def configure_interpreter() -> None:
    """Let the UI thread take the GIL back sooner while workers run Python code: with the
    default 5 ms switch interval a busy worker can hold off each UI event several times over.

    Also take what start-up loaded (modules, the Qt bindings, reference data) out of the
    cyclic garbage collector's sight: a full collection walks every tracked object while it
    holds the GIL, so on whichever thread it falls the UI waits for it (50-80 ms once the
    heap holds some 100,000 objects, a visible stall while scrolling the case list)."""
    sys.setswitchinterval(UI_SWITCH_INTERVAL)
    gc.collect()  # garbage frozen now would never be freed
    gc.freeze()


def qt_application(argv: list[str] | None = None) -> QtWidgets.QApplication:
    """The QApplication (reused when one exists, as under pytest-qt)."""
    existing = QtWidgets.QApplication.instance()
    if isinstance(existing, QtWidgets.QApplication):
        return existing
    # Fractional scale factors as the system asks (150 % stays 150 %, not 200 %).
    QtGui.QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QtWidgets.QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Cordon")
    app.setOrganizationName("Cordon")
    app.setDesktopFileName("cordon")
    return app


def build(
    home: Path, *, app: QtWidgets.QApplication | None = None, start: bool = True
) -> Application:
    """Create every piece for the profile folder ``home`` and show the first window (unless
    ``start`` is false: the demo shows its own progress window first)."""
    configure_interpreter()
    qt = app or qt_application()
    settings = AppSettings.for_home(home)
    prefs = settings.load()
    language = LanguageBridge(qt)
    code = prefs.language or system_language()
    locales.set_language(code)  # the bridge hears it: QLocale, qtbase, layout direction
    runner = TaskRunner()
    gateway = ProfileGateway(home)
    languages = available_languages(include_pseudo=bool(os.environ.get(PSEUDO_ENV)))
    controller = AppController(
        app=qt,
        gateway=gateway,
        runner=runner,
        language=language,
        settings=settings,
        languages=languages,
    )
    runner.error_handler = lambda exc: _show_error(controller, exc)
    application = Application(qt, controller, runner, language, settings, gateway)
    if start:
        controller.start(gateway.exists())
    return application


def _show_error(controller: AppController, exc: BaseException) -> None:
    parent = controller.main_window
    box = QtWidgets.QMessageBox(parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
    box.setWindowTitle(locales._("Cordon"))
    box.setText(user_text(exc))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def _check_display() -> None:
    """On Linux without any display Qt would abort the process; say it in one sentence instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise CordonError(
            locales._("No display was found to open the window; use the command line instead.")
        )


def run_app(args: argparse.Namespace) -> int:
    """The bare ``cordon``: first start when ``args.home`` has no profile, else unlock."""
    from desktop.main import quit_on_signals

    _check_display()
    qt = qt_application()
    application = build(Path(args.home), app=qt)
    if os.environ.get(STARTUP_PROBE_ENV):
        _install_probe(application)
    restore = quit_on_signals(qt)  # Ctrl+C in the terminal closes the app as the window would
    try:
        return qt.exec()
    finally:
        application.close()
        restore()


def _install_probe(application: Application) -> None:
    """Print the monotonic time once the first window has been painted, then quit."""

    def shown(window: QtWidgets.QWidget) -> None:
        def report() -> None:
            print(f"cordon-window-shown {time.monotonic():.6f}", flush=True)
            application.qt.quit()

        QtCore.QTimer.singleShot(0, report)

    if application.controller.open_windows():
        shown(application.controller.open_windows()[0])
    else:
        application.controller.window_shown.connect(shown)
