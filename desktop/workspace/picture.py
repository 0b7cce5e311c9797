"""The operation picture room: how many seizures, of what, where, when, on which routes, as
charts, with a printable PDF summary. Figures are aggregated on the writer thread."""

from __future__ import annotations

from desktop.errors import user_text
from desktop.i18n import format_number
from desktop.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from desktop.session import Session
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace.context import OperationRef
from desktop.workspace.picture_charts import (
    ChartView,
    commodity_chart,
    country_chart,
    weekly_chart,
)
from desktop.workspace.picture_data import DEFAULT_SCOPE, SCOPES, Picture, load_picture
from desktop.workspace.picture_pdf import SummaryInput, current_rtl, write_summary
from locales import _, ngettext


def scope_text(scope: str) -> str:
    return {
        "all": _("All reports, drafts included"),
        "reported": _("Submitted and validated reports"),
        "validated": _("Validated reports only"),
    }[scope]


class PictureRoom(QtWidgets.QWidget):
    """``loaded`` after the figures are shown; ``exported(path)`` after a PDF is written."""

    loaded = Signal()
    exported = Signal(str)

    def __init__(
        self, session: Session, operation: OperationRef, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operation = operation
        self.picture: Picture | None = None
        self._stale = True

        self.scope = QtWidgets.QComboBox(self)
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        self.total = PlainLabel(parent=self)
        font = self.total.font()
        font.setBold(True)
        self.total.setFont(font)
        self.export_button = QtWidgets.QPushButton(self)
        self.export_button.setShortcut(QtGui.QKeySequence("Ctrl+P"))
        self.export_button.clicked.connect(self._ask_export)
        self.refresh_button = QtWidgets.QPushButton(self)
        self.refresh_button.setShortcut(QtGui.QKeySequence("F5"))
        self.refresh_button.clicked.connect(self.refresh)
        self.error = PlainLabel(parent=self)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.error.setVisible(False)

        self.commodities = ChartView(self)
        self.countries = ChartView(self)
        self.weeks = ChartView(self)
        self.routes = QtWidgets.QTableWidget(0, 3, self)
        self.routes.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.routes.verticalHeader().setVisible(False)
        self.routes.horizontalHeader().setStretchLastSection(True)
        self.routes_title = PlainLabel(parent=self)
        self.routes_title.setFont(font)

        top = QtWidgets.QHBoxLayout()
        self.scope_label = QtWidgets.QLabel(self)
        self.scope_label.setBuddy(self.scope)
        top.addWidget(self.scope_label)
        top.addWidget(self.scope)
        top.addWidget(self.total, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)
        routes_box = QtWidgets.QWidget(self)
        routes_layout = QtWidgets.QVBoxLayout(routes_box)
        routes_layout.setContentsMargins(0, 0, 0, 0)
        routes_layout.addWidget(self.routes_title)
        routes_layout.addWidget(self.routes, 1)
        grid = QtWidgets.QGridLayout()
        grid.addWidget(self.commodities, 0, 0)
        grid.addWidget(self.countries, 0, 1)
        grid.addWidget(self.weeks, 1, 0)
        grid.addWidget(routes_box, 1, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addLayout(grid, 1)

        # A sync applying many packages says "changed" many times: refresh once after a pause.
        self._refresh_timer = QtCore.QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.refresh)
        session.changed.connect(self._on_changed)
        session.closed.connect(self._on_closed)
        self.retranslate()
        self.refresh()

    def current_scope(self) -> str:
        return SCOPES[max(self.scope.currentIndex(), 0)]

    def _on_changed(self, operation_id: str) -> None:
        if operation_id != self.operation.operation_id:
            return
        # Aggregating is not free: refresh now if shown, else when next shown.
        if self.isVisible():
            self._refresh_timer.start()
        else:
            self._stale = True

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_closed(self) -> None:
        self.picture = None
        self.routes.setRowCount(0)

    def refresh(self) -> None:
        if not self.session.is_open:
            return
        self._stale = False
        op, scope = self.operation.operation_id, self.current_scope()
        self.session.call(lambda profile: load_picture(profile, op, scope)).success(
            self._loaded
        ).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(user_text(exc))
        self.error.setVisible(True)

    def _loaded(self, picture: Picture) -> None:
        if picture.scope != self.current_scope():
            return  # an older answer for another scope
        self.picture = picture
        self.error.setVisible(False)
        self._show()
        self.loaded.emit()

    def _show(self) -> None:
        picture = self.picture
        if picture is None:
            return
        self.total.setText(
            ngettext("{count} seizure report", "{count} seizure reports", picture.total).format(
                count=format_number(picture.total)
            )
        )
        self.commodities.show_chart(commodity_chart(picture))
        self.countries.show_chart(country_chart(picture))
        self.weeks.show_chart(weekly_chart(picture))
        self.routes.setRowCount(len(picture.routes))
        for row, route in enumerate(picture.routes):
            cells = [
                f"{route.departure_name} ({route.departure})",
                f"{route.destination_name} ({route.destination})",
                format_number(route.count),
            ]
            for column, text in enumerate(cells):
                cell = QtWidgets.QTableWidgetItem(text)
                if column == 2:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignTrailing
                    )
                self.routes.setItem(row, column, cell)
        self.routes.resizeColumnsToContents()
        self.export_button.setEnabled(True)

    # -- PDF ---------------------------------------------------------------------------------

    def _ask_export(self) -> None:
        path, _filter = QtWidgets.QFileDialog.getSaveFileName(
            self,
            _("Save the operation picture as PDF"),
            _("operation-picture.pdf"),
            _("PDF documents (*.pdf)"),
        )
        if path:
            self.export_pdf(path)

    def export_pdf(self, path: str) -> None:
        """Draw the charts here, then write the PDF on a worker thread."""
        if self.picture is None:
            return
        data = SummaryInput(
            self.operation.name,
            self.picture,
            (
                self.commodities.to_image(900, 480),
                self.countries.to_image(900, 480),
                self.weeks.to_image(900, 480),
            ),
            current_rtl(),
            scope_text(self.picture.scope),
        )
        self.export_button.setEnabled(False)
        self.session.runner.op(lambda _progress: write_summary(path, data)).success(
            self._exported
        ).failure(self._failed).finally_(lambda: self.export_button.setEnabled(True)).run()

    def _exported(self, path: str) -> None:
        self.exported.emit(path)

    # -- language ----------------------------------------------------------------------------

    def retranslate(self) -> None:
        index = self.scope.currentIndex()
        if index < 0:  # at first: what was reported, not the drafts officers are still writing
            index = SCOPES.index(DEFAULT_SCOPE)
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItems([scope_text(s) for s in SCOPES])
        self.scope.setCurrentIndex(index)
        self.scope.blockSignals(False)
        self.scope_label.setText(_("&Count:"))
        self.scope.setAccessibleName(_("Which reports to count"))
        self.export_button.setText(_("Save as P&DF…"))
        self.export_button.setToolTip(_("A printable summary of the picture (Ctrl+P)"))
        self.refresh_button.setText(_("R&efresh"))
        self.routes_title.setText(_("Top routes"))
        self.routes.setHorizontalHeaderLabels([_("Departure"), _("Destination"), _("Seizures")])
        self.routes.setAccessibleName(_("Top routes"))
        self._show()
