"""The session controller: which window is on screen (first start, unlock, main), and the one
object that holds the unlocked profile. Locking drops the profile and every view of case data.

It is built by :mod:`desktop.app` with every dependency handed in, so tests build it with their
own profile folder, task runner and settings.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from desktop.autolock import IdleLock
from desktop.engine_thread import SyncThread
from desktop.errors import user_text
from desktop.frame import OperationsFrame
from desktop.i18n import LanguageBridge
from desktop.profiles import NewProfile, ProfileGateway, ProfileSummary
from desktop.qt import Qt, QtCore, QtWidgets, Signal
from desktop.session import Session
from desktop.settings import AppSettings, Preferences
from desktop.status import SyncStatus
from desktop.tasks import Progress, TaskRunner
from desktop.views.first_start import FirstStartWindow
from desktop.views.main_window import MainWindow
from desktop.views.settings_dialog import SettingsDialog
from desktop.views.unlock import UnlockWindow

log = logging.getLogger(__name__)


class State(enum.Enum):
    FIRST_START = "first-start"
    LOCKED = "locked"
    UNLOCKED = "unlocked"


class AppController(QtCore.QObject):
    """Drives the windows; emits ``state_changed`` and ``window_shown(window)``."""

    state_changed = Signal(object)
    window_shown = Signal(object)

    def __init__(
        self,
        *,
        app: QtWidgets.QApplication,
        gateway: ProfileGateway,
        runner: TaskRunner,
        language: LanguageBridge,
        settings: AppSettings,
        languages: list[tuple[str, str]],
    ) -> None:
        super().__init__()
        self._app = app
        self._gateway = gateway
        self._runner = runner
        self._language = language
        self._settings = settings
        self._languages = languages
        self.prefs = settings.load()
        self.state = State.LOCKED
        self._profile: Any = None  # lives on the writer thread; only handed to write jobs
        self.summary: ProfileSummary | None = None
        self.session: Session | None = None  # what the views use while unlocked
        self.sync: SyncThread | None = None  # the sync engine's thread while unlocked
        self.frame: OperationsFrame | None = None
        self._stopping: list[SyncThread] = []  # asked to stop at lock; waited for at quit
        self.sync_interval = 15.0  # seconds between two automatic sync rounds
        self.sync_initial_delay = 0.5  # seconds after unlock before the first round
        self.sync_status = SyncStatus()
        self.first_start: FirstStartWindow | None = None
        self.unlock_window: UnlockWindow | None = None
        self.main_window: MainWindow | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.idle = IdleLock(app, self)
        self.idle.idle.connect(self.lock)
        language.changed.connect(self._retranslate)

    # -- start -------------------------------------------------------------------------

    def start(self, profile_exists: bool) -> None:
        """First start when there is no profile in the folder yet, else the unlock window."""
        if profile_exists:
            self._show_unlock()
        else:
            self._show_first_start()

    def _set_state(self, state: State) -> None:
        self.state = state
        self.state_changed.emit(state)

    def _show(self, window: QtWidgets.QWidget) -> None:
        window.show()
        window.raise_()
        window.activateWindow()
        self.window_shown.emit(window)

    # -- first start -------------------------------------------------------------------

    def _show_first_start(self) -> None:
        window = FirstStartWindow(self._languages)
        window.create_requested.connect(self._create_profile)
        window.language_chosen.connect(self._choose_language)
        window.continue_requested.connect(self._open_main)
        self.first_start = window
        self._set_state(State.FIRST_START)
        self._show(window)
        window.focus_first_field()

    def _choose_language(self, code: str) -> None:
        self.apply_preferences(self.prefs.with_changes(language=code))

    def _create_profile(self, passphrase: str, new: NewProfile) -> None:
        window = self.first_start
        assert window is not None
        window.show_busy()
        gateway = self._gateway

        def create(progress: Progress) -> tuple[Any, ProfileSummary]:
            profile = gateway.create(passphrase, new)
            return profile, gateway.summary(profile)

        def created(result: tuple[Any, ProfileSummary]) -> None:
            self._profile, self.summary = result
            window.show_created(self.summary)

        self._runner.write(create).success(created).failure(
            lambda exc: window.show_error(user_text(exc))
        ).run()

    # -- unlock and lock ---------------------------------------------------------------

    def _show_unlock(self) -> None:
        if self.unlock_window is None:
            self.unlock_window = UnlockWindow(str(self._gateway.home))
            self.unlock_window.unlock_requested.connect(self._unlock)
        self.unlock_window.reset()
        self._set_state(State.LOCKED)
        self._show(self.unlock_window)

    def _unlock(self, passphrase: str) -> None:
        window = self.unlock_window
        assert window is not None
        window.show_busy()
        gateway = self._gateway

        def unlock(progress: Progress) -> tuple[Any, ProfileSummary]:
            profile = gateway.unlock(passphrase)
            return profile, gateway.summary(profile)

        def unlocked(result: tuple[Any, ProfileSummary]) -> None:
            self._profile, self.summary = result
            self._open_main()

        self._runner.write(unlock).success(unlocked).failure(
            lambda exc: window.show_error(user_text(exc))
        ).run()

    def open_unlocked(self, profile: Any, summary: ProfileSummary) -> None:
        """Open the main window on a profile unlocked on the writer thread (the demo)."""
        self._profile, self.summary = profile, summary
        self._open_main()

    def _open_main(self) -> None:
        assert self.summary is not None
        self.session = Session(self._profile, self.summary, self._runner)
        window = MainWindow(self.summary, self._settings)
        window.lock_requested.connect(self.lock)
        window.settings_requested.connect(self.open_settings)
        window.quit_requested.connect(self._app.quit)
        window.set_sync_status(self.sync_status)
        self.main_window = window
        self.sync = SyncThread(
            self._profile,
            self._runner,
            interval=self.sync_interval,
            initial_delay=self.sync_initial_delay,
            auto_download_mb=self.prefs.auto_download_mb,
        )
        self.frame = OperationsFrame(window, self.session, self.sync, self.prefs)
        self.sync.start()
        self._set_state(State.UNLOCKED)
        self._show(window)
        for old in (self.first_start, self.unlock_window):
            if old is not None:
                old.hide()
        if self.first_start is not None:
            self.first_start.deleteLater()
            self.first_start = None
        self.idle.set_timeout_ms(self.prefs.auto_lock_minutes * 60_000)

    def lock(self) -> None:
        """Close every view of case data, forget the profile, and return to the unlock window."""
        if self.state is not State.UNLOCKED:
            return
        self.idle.stop()
        self._runner.abandon_all()  # no background answer may reach a view any more
        self._stop_sync()
        self._show_unlock()  # first, so closing the main window does not quit the app
        for window in (self.settings_dialog, self.main_window):
            if window is not None:
                window.close()
                window.deleteLater()
        self.settings_dialog = None
        self.main_window = None
        self.summary = None
        self._close_profile()

    def _stop_sync(self) -> None:
        if self.frame is not None:
            self.frame.close()
            self.frame.deleteLater()
            self.frame = None
        if self.sync is not None:
            self.sync.request_stop()
            self._stopping.append(self.sync)
            self.sync = None
        self._stopping = [t for t in self._stopping if t.running]

    def _close_profile(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
        profile, self._profile = self._profile, None
        if profile is not None:
            # The connection belongs to the writer thread: close it there, after pending writes.
            self._runner.write(lambda progress: profile.close()).run()

    def close_windows(self) -> None:
        for window in self.open_windows():
            window.close()
            window.deleteLater()
        self.first_start = self.unlock_window = self.main_window = self.settings_dialog = None

    def shutdown(self) -> None:
        """At quit: close the profile on its thread, then stop and wait for every thread."""
        self.idle.close()
        self._runner.abandon_all()
        self._stop_sync()
        for thread in self._stopping:
            thread.wait()
        self._stopping = []
        self._close_profile()
        self._runner.shutdown()

    # -- settings and status -----------------------------------------------------------

    def open_settings(self) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return
        dialog = SettingsDialog(self.prefs, self._languages, self.main_window)
        if self.main_window is not None:
            # A window-modal dialog blocks the main window's shortcuts; Ctrl+L must still lock.
            dialog.addAction(self.main_window.lock_action)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(self.apply_preferences)
        dialog.destroyed.connect(lambda *_: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        dialog.open()
        self.window_shown.emit(dialog)

    def apply_preferences(self, prefs: Preferences) -> None:
        """Persist the preferences and apply them at once (language, auto-lock)."""
        old = self.prefs
        self.prefs = prefs
        self._settings.save(prefs)
        if prefs.language and prefs.language != self._language.language:
            self._language.set_language(prefs.language)
        if self.state is State.UNLOCKED and prefs.auto_lock_minutes != old.auto_lock_minutes:
            self.idle.set_timeout_ms(prefs.auto_lock_minutes * 60_000)
        if self.frame is not None:
            self.frame.prefs = prefs
        if self.sync is not None:
            self.sync.auto_download_mb = prefs.auto_download_mb

    def set_sync_status(self, status: SyncStatus) -> None:
        """Where the sync engine reports; the status bar shows it."""
        self.sync_status = status
        if self.main_window is not None:
            self.main_window.set_sync_status(status)

    # -- language ------------------------------------------------------------------------

    def open_windows(self) -> list[Any]:
        windows: list[Any] = [self.first_start, self.unlock_window, self.main_window]
        windows.append(self.settings_dialog)
        return [w for w in windows if w is not None]

    def _retranslate(self, code: str) -> None:
        for window in self.open_windows():
            window.retranslate()
        if self.frame is not None:
            self.frame.retranslate()
