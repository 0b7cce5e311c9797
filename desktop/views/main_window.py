"""The main window frame: menu bar, the central area (for now the profile summary and the empty
operations state; the operations list and workspace slot in here), and the status bar with
the sync status."""

from __future__ import annotations

from desktop.profiles import ProfileSummary
from desktop.qt import Qt, QtGui, QtWidgets, Signal
from desktop.settings import AppSettings
from desktop.status import SyncStatus
from desktop.views.profile_summary import ProfileSummaryView
from desktop.widgets.sync_status import SyncStatusWidget
from locales import _

GEOMETRY_KEY = "main"


class MainWindow(QtWidgets.QMainWindow):
    """Emits what the user asks for; the controller decides (lock, settings, quit)."""

    lock_requested = Signal()
    settings_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        summary: ProfileSummary,
        settings: AppSettings,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("main")
        self._settings = settings
        self.summary_view = ProfileSummaryView(summary, self)
        self.setCentralWidget(self.summary_view)
        self.sync_status = SyncStatusWidget(self)
        self.statusBar().addPermanentWidget(self.sync_status, 1)
        self._build_menus()
        self.retranslate()
        self.resize(900, 640)
        geometry = settings.geometry(GEOMETRY_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.settings_action = QtGui.QAction(self)
        self.settings_action.setShortcut(QtGui.QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QtGui.QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.settings_requested)
        self.lock_action = QtGui.QAction(self)
        self.lock_action.setShortcut(QtGui.QKeySequence("Ctrl+L"))
        # Lock works from any window of the application, a dialog included.
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock_requested)
        self.addAction(self.lock_action)  # active even while the menu bar is hidden
        self.quit_action = QtGui.QAction(self)
        self.quit_action.setShortcut(QtGui.QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QtGui.QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.quit_requested)
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addAction(self.lock_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.help_menu = bar.addMenu("")
        self.about_action = QtGui.QAction(self)
        self.about_action.setMenuRole(QtGui.QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self._about)
        self.help_menu.addAction(self.about_action)

    def set_sync_status(self, status: SyncStatus) -> None:
        self.sync_status.set_status(status)

    def _about(self) -> None:
        from sync import __version__

        box = QtWidgets.QMessageBox(self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(_("About Cordon"))
        box.setText(_("Cordon {version}").format(version=__version__))
        box.setInformativeText(
            _("Secure case exchange for joint operations, end-to-end encrypted.")
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Cordon"))
        self.file_menu.setTitle(_("&Cordon"))
        self.settings_action.setText(_("&Settings…"))
        self.lock_action.setText(_("&Lock"))
        self.quit_action.setText(_("&Quit"))
        self.help_menu.setTitle(_("&Help"))
        self.about_action.setText(_("&About Cordon"))
        self.summary_view.retranslate()
        self.sync_status.retranslate()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._settings.save_geometry(GEOMETRY_KEY, self.saveGeometry())
        super().closeEvent(event)
