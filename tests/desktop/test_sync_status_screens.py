"""The status bar's sync status in English and Arabic, online and after the relay went silent,
rendered into test-artifacts/desktop/ for people to look at."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.qt import QtWidgets
from desktop.status import SyncState, SyncStatus
from desktop.widgets import sync_status
from desktop.widgets.sync_status import SyncStatusWidget
from tests.desktop.screens import qt_language, save_screen


@pytest.mark.parametrize("language", ["en", "ar"])
def test_sync_status_screens(qtbot, language):
    with qt_language(language):
        window = QtWidgets.QMainWindow()
        qtbot.addWidget(window)
        clock = [0.0]
        contact = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=4)
        widget = SyncStatusWidget(window, clock=lambda: clock[0])
        window.statusBar().addWidget(widget, 1)
        window.setCentralWidget(QtWidgets.QWidget(window))
        window.resize(900, 80)
        window.show()
        widget.set_status(SyncStatus(SyncState.ONLINE, outbox=0, last_sync=contact))
        save_screen(window, "sync-status-01-online", language, check_size=False)
        widget.set_status(SyncStatus(SyncState.SYNCING, outbox=3, last_sync=contact))
        clock[0] += sync_status.SILENT_SECONDS + 1
        qtbot.waitUntil(lambda: widget.silent and widget.state_label.text() != "Syncing…")
        widget.retranslate()
        save_screen(window, "sync-status-02-offline", language, check_size=False)
