"""The main window frame: menu bar, the alert banner, the operations list on the leading side
and, beside it, either the profile summary or the open operation's workspace; the status bar
shows the sync status. It only displays and emits; :mod:`desktop.frame` drives it."""

from __future__ import annotations

from desktop.alerts import AlertBanner
from desktop.profiles import ProfileSummary
from desktop.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from desktop.settings import AppSettings
from desktop.status import SyncStatus
from desktop.views.operation_details import OperationDetails
from desktop.views.operations import OperationsPanel
from desktop.views.profile_summary import ProfileSummaryView
from desktop.widgets.sync_status import SyncStatusWidget
from locales import _

GEOMETRY_KEY = "main"


def default_size(widget: QtWidgets.QWidget) -> QtCore.QSize:
    """A first-start size that leaves the case list and the operations list room for their
    columns: 1280 x 800, or nine tenths of a smaller screen."""
    screen = widget.screen() or QtWidgets.QApplication.primaryScreen()
    if screen is None:
        return QtCore.QSize(1280, 800)
    available = screen.availableGeometry()
    return QtCore.QSize(
        min(1280, int(available.width() * 0.9)), min(800, int(available.height() * 0.9))
    )


class MainWindow(QtWidgets.QMainWindow):
    """Emits what the user asks for; the controller decides (lock, settings, quit)."""

    lock_requested = Signal()
    settings_requested = Signal()
    quit_requested = Signal()
    sync_requested = Signal()
    export_requested = Signal()
    import_requested = Signal()
    home_requested = Signal()

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
        self.summary_view.operations_box.hide()  # the operations list beside it says it
        self.operations = OperationsPanel(self)
        self.details = OperationDetails(self)
        self.operations.view.selectionModel().currentRowChanged.connect(
            lambda *_: self.details.set_row(self.operations.current())
        )
        self.operations.model.modelReset.connect(
            lambda: self.details.set_row(self.operations.current())
        )
        self.overview = QtWidgets.QWidget(self)
        overview = QtWidgets.QVBoxLayout(self.overview)
        overview.setContentsMargins(16, 16, 16, 0)
        overview.addWidget(self.details)
        summary_layout = self.summary_view.layout()
        assert summary_layout is not None
        summary_layout.setContentsMargins(0, 8, 0, 0)
        overview.addWidget(self.summary_view)
        overview.addStretch(1)
        self.stack = QtWidgets.QStackedWidget(self)
        self.stack.addWidget(self.overview)
        self.workspace: QtWidgets.QWidget | None = None
        self.splitter = QtWidgets.QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.operations)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([430, 690])
        self.banner = AlertBanner(self)
        central = QtWidgets.QWidget(self)
        column = QtWidgets.QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.sync_status = SyncStatusWidget(self)
        self.statusBar().addPermanentWidget(self.sync_status, 1)
        self._build_menus()
        self.retranslate()
        self.resize(default_size(self))
        geometry = settings.geometry(GEOMETRY_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.geometry(GEOMETRY_KEY + "-splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

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

        self.operation_menu = bar.addMenu("")
        self.operation_menu.setObjectName("operation-menu")
        self.new_action = QtGui.QAction(self)
        self.new_action.setShortcut(QtGui.QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.operations.create_requested)
        self.join_action = QtGui.QAction(self)
        self.join_action.setShortcut(QtGui.QKeySequence("Ctrl+J"))
        self.join_action.triggered.connect(self.operations.join_requested)
        self.participants_action = QtGui.QAction(self)
        self.participants_action.setShortcut(QtGui.QKeySequence("Ctrl+Shift+P"))
        self.participants_action.triggered.connect(self.operations._participants_current)
        self.home_action = QtGui.QAction(self)
        self.home_action.setShortcut(QtGui.QKeySequence("Ctrl+Home"))
        self.home_action.triggered.connect(self.home_requested)
        self.sync_action = QtGui.QAction(self)
        self.sync_action.setShortcut(QtGui.QKeySequence("F5"))
        self.sync_action.triggered.connect(self.sync_requested)
        self.export_action = QtGui.QAction(self)
        self.export_action.triggered.connect(self.export_requested)
        self.import_action = QtGui.QAction(self)
        self.import_action.triggered.connect(self.import_requested)
        for action in (self.new_action, self.join_action, self.participants_action):
            self.operation_menu.addAction(action)
        self.operation_menu.addAction(self.home_action)
        self.operation_menu.addSeparator()
        self.operation_menu.addAction(self.sync_action)
        self.operation_menu.addAction(self.export_action)
        self.operation_menu.addAction(self.import_action)

        self.help_menu = bar.addMenu("")
        self.about_action = QtGui.QAction(self)
        self.about_action.setMenuRole(QtGui.QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self._about)
        self.help_menu.addAction(self.about_action)

    def set_sync_status(self, status: SyncStatus) -> None:
        self.sync_status.set_status(status)

    def show_workspace(self, workspace: QtWidgets.QWidget) -> None:
        """Put an operation's workspace beside the list (the previous one is deleted)."""
        self.close_workspace()
        self.workspace = workspace
        self.stack.addWidget(workspace)
        self.stack.setCurrentWidget(workspace)

    def close_workspace(self) -> None:
        """Back to the profile summary; the workspace and whatever it showed are deleted."""
        old, self.workspace = self.workspace, None
        self.stack.setCurrentWidget(self.overview)
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()

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
        self.operation_menu.setTitle(_("&Operation"))
        self.new_action.setText(_("&New operation…"))
        self.join_action.setText(_("&Join with an invitation…"))
        self.participants_action.setText(_("&Participants…"))
        self.home_action.setText(_("&Back to the overview"))
        self.sync_action.setText(_("&Sync now"))
        self.export_action.setText(_("&Export a sync file…"))
        self.import_action.setText(_("&Import a sync file…"))
        self.help_menu.setTitle(_("&Help"))
        self.about_action.setText(_("&About Cordon"))
        self.summary_view.retranslate()
        self.operations.retranslate()
        self.details.retranslate()
        self.banner.retranslate()
        self.splitter.setAccessibleName(_("Operations and workspace"))
        if self.workspace is not None and hasattr(self.workspace, "retranslate"):
            self.workspace.retranslate()
        self.sync_status.retranslate()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._settings.save_geometry(GEOMETRY_KEY, self.saveGeometry())
        self._settings.save_geometry(GEOMETRY_KEY + "-splitter", self.splitter.saveState())
        super().closeEvent(event)
