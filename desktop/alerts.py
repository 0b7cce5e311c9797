"""Alerts from the operation: an in-app banner above the workspace and, when the desktop has a
system tray, a tray notification for each alert that arrives while the app runs.

:class:`AlertCenter` is told the current unread alerts (``show_alerts``); it remembers which it
has already announced, so a refresh never notifies twice. Alert text comes from another
participant: it is shown as plain text only and is never put in a log. Join requests waiting
for a coordinator take the banner and the tray the same way (``show_join_requests``).
"""

from __future__ import annotations

from typing import Any

from desktop.operations_data import AlertRow
from desktop.qt import QtCore, QtGui, QtWidgets, Signal
from desktop.widgets.plain_label import PlainLabel
from locales import _, ngettext


class AlertBanner(QtWidgets.QFrame):
    """A strip across the top of the main window: the newest unread alert, a button to open its
    operation, and one to hide the strip until the next alert."""

    open_requested = Signal(str)  # operation id
    join_open_requested = Signal(str)  # operation id: the coordinator reviews a join request

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alert-banner")
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        palette = self.palette()
        # Amber on both light and dark palettes, with dark text for contrast.
        palette.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor("#ffd54f"))
        palette.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor("#1b1b1b"))
        self.setPalette(palette)
        self.icon = QtWidgets.QLabel(self)
        icon = self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.icon.setPixmap(icon.pixmap(20, 20))
        self.heading = QtWidgets.QLabel(self)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.text = PlainLabel(parent=self)
        self.text.setWordWrap(True)
        self.open_button = QtWidgets.QPushButton(self)
        self.open_button.clicked.connect(self._open)
        self.dismiss_button = QtWidgets.QToolButton(self)
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setText("✕")
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.icon)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.dismiss_button)
        self._alerts: list[AlertRow] = []
        self._dismissed: set[str] = set()
        self.hide()
        self.retranslate()

    @property
    def alerts(self) -> list[AlertRow]:
        return list(self._alerts)

    def set_alerts(self, alerts: list[AlertRow]) -> None:
        self._alerts = [a for a in alerts if a.message_id not in self._dismissed]
        self.retranslate()
        self.setVisible(bool(self._alerts))

    def dismiss(self) -> None:
        self._dismissed.update(a.message_id for a in self._alerts)
        self._alerts = []
        self.hide()

    def _open(self) -> None:
        if self._alerts:
            newest = self._alerts[0]
            if is_join(newest):
                self.join_open_requested.emit(newest.operation_id)
            else:
                self.open_requested.emit(newest.operation_id)

    def retranslate(self) -> None:
        count = len(self._alerts)
        self.heading.setText(
            ngettext("{count} alert:", "{count} alerts:", max(count, 1)).format(count=count)
        )
        newest = self._alerts[0] if self._alerts else None
        if newest is not None and is_join(newest):
            # Translators: {subject} says who asks to join, {operation} the operation's name.
            self.text.setText(
                _("{subject} — {operation}").format(
                    subject=newest.subject, operation=newest.operation_name
                )
            )
        elif newest is not None:
            self.text.setText(
                _("{subject} — from {author}, {operation}").format(
                    subject=newest.subject, author=newest.author, operation=newest.operation_name
                )
            )
        if newest is not None and is_join(newest):
            self.open_button.setText(_("&Review the request"))
        else:
            self.open_button.setText(_("&Open operation"))
        self.open_button.setAccessibleName(_("Open the operation of the alert"))
        self.dismiss_button.setAccessibleName(_("Hide the alert banner"))
        self.dismiss_button.setToolTip(_("Hide until the next alert"))
        self.setAccessibleName(_("Alert"))
        self.setAccessibleDescription(self.text.text())


JOIN_PREFIX = "join:"


def is_join(row: AlertRow) -> bool:
    """A banner entry for a join request (not a message)."""
    return row.message_id.startswith(JOIN_PREFIX)


class AlertCenter(QtCore.QObject):
    """Feeds the banner and the tray; ``notified(AlertRow)`` for each newly announced alert."""

    notified = Signal(object)

    def __init__(self, banner: AlertBanner, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.banner = banner
        self._announced: set[str] = set()
        self._first = True
        self.tray: QtWidgets.QSystemTrayIcon | None = None
        if QtWidgets.QSystemTrayIcon.isSystemTrayAvailable():
            app = QtWidgets.QApplication.instance()
            icon = app.windowIcon() if isinstance(app, QtWidgets.QApplication) else QtGui.QIcon()
            if icon.isNull():
                icon = banner.style().standardIcon(
                    QtWidgets.QStyle.StandardPixmap.SP_MessageBoxWarning
                )
            self.tray = QtWidgets.QSystemTrayIcon(icon, self)
            self.tray.setToolTip(_("Cordon"))
            self.tray.messageClicked.connect(self._tray_clicked)
            self.tray.show()
        self._last: AlertRow | None = None
        self._messages: list[AlertRow] = []  # the unread alerts last shown
        self._joins: dict[str, list[AlertRow]] = {}  # operation id -> its join requests
        self._joins_announced: set[str] = set()

    def _show(self) -> None:
        joins = [row for rows in self._joins.values() for row in rows]
        self.banner.set_alerts(joins + self._messages)

    def show_join_requests(
        self, operation_id: str, operation_name: str, requests: list[Any]
    ) -> None:
        """The join requests waiting in an operation this device coordinates: on the banner,
        and each new one in the tray."""
        rows = []
        fresh = []
        for request in requests:
            key = JOIN_PREFIX + operation_id + ":" + request.device_id
            who = ", ".join(part for part in (request.agency, request.country) if part)
            subject = (
                _("{name} ({who}) asks to join").format(name=request.name, who=who)
                if who
                else _("{name} asks to join").format(name=request.name)
            )
            rows.append(AlertRow(operation_id, operation_name, key, subject, request.name))
            if key not in self._joins_announced:
                self._joins_announced.add(key)
                fresh.append(rows[-1])
        self._joins[operation_id] = rows
        self._show()
        for row in fresh:
            self._last = row
            self.notified.emit(row)
            if self.tray is not None:
                self.tray.showMessage(
                    _("Join request: {operation}").format(operation=operation_name),
                    row.subject,
                    QtWidgets.QSystemTrayIcon.MessageIcon.Information,
                    15_000,
                )

    def tell(self, title: str, text: str) -> None:
        """A notice in the tray (where there is one)."""
        if self.tray is not None:
            self.tray.showMessage(title, text, QtWidgets.QSystemTrayIcon.MessageIcon.Information)

    def show_alerts(self, alerts: list[AlertRow]) -> None:
        """The unread alerts now; new ones (not seen at start) go to the tray as well."""
        self._messages = list(alerts)
        self._show()
        fresh = [a for a in alerts if a.message_id not in self._announced]
        self._announced.update(a.message_id for a in alerts)
        if self._first:
            self._first = False  # alerts already there at unlock: the banner shows them
            return
        for alert in reversed(fresh):
            self._last = alert
            self.notified.emit(alert)
            if self.tray is not None:
                self.tray.showMessage(
                    _("Alert: {operation}").format(operation=alert.operation_name),
                    alert.subject,
                    QtWidgets.QSystemTrayIcon.MessageIcon.Warning,
                    15_000,
                )

    def _tray_clicked(self) -> None:
        if self._last is not None and is_join(self._last):
            self.banner.join_open_requested.emit(self._last.operation_id)
        elif self._last is not None:
            self.banner.open_requested.emit(self._last.operation_id)

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
            self.tray.deleteLater()
            self.tray = None
