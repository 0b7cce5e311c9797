"""Small widgets and plain-data pieces: PlainLabel, sync status, preferences, countries,
strength estimate, relay address check."""

from __future__ import annotations

import datetime as dt

import locales
from desktop.countries import countries, country_name
from desktop.qt import Qt
from desktop.settings import AppSettings, Preferences
from desktop.status import SyncState, SyncStatus
from desktop.views.settings_dialog import relay_url_problem
from desktop.widgets.plain_label import PlainLabel
from desktop.widgets.strength import estimate
from desktop.widgets.sync_status import SyncStatusWidget


def test_plain_label_never_renders_rich_text(qtbot):
    hostile = '<b>bold</b><a href="file:///etc/passwd">click</a><img src="x">'
    label = PlainLabel(hostile)
    qtbot.addWidget(label)
    assert label.textFormat() == Qt.TextFormat.PlainText
    label.setTextFormat(Qt.TextFormat.RichText)
    assert label.textFormat() == Qt.TextFormat.PlainText
    label.setText(hostile)
    assert label.text() == hostile
    assert not label.openExternalLinks()
    # Plain text is laid out as written: the tags take room on screen, nothing is interpreted.
    rich = PlainLabel("bold")
    qtbot.addWidget(rich)
    assert label.sizeHint().width() > rich.sizeHint().width() * 5


def test_sync_status_widget_shows_the_status(qtbot):
    widget = SyncStatusWidget()
    qtbot.addWidget(widget)
    assert widget.state_label.text() == "Offline"
    assert widget.last_sync_label.text() == "Last sync: never"
    when = dt.datetime(2026, 3, 4, 10, 30, tzinfo=dt.UTC)
    widget.set_status(
        SyncStatus(SyncState.SYNCING, outbox=1, last_sync=when, transfer_done=5, transfer_total=10)
    )
    assert widget.state_label.text() == "Syncing…"
    assert widget.outbox_label.text() == "1 change waiting to send"
    assert "2026" in widget.last_sync_label.text() or "26" in widget.last_sync_label.text()
    assert not widget.transfer.isHidden() and widget.transfer.value() == 500
    widget.set_status(SyncStatus(SyncState.ONLINE, outbox=3))
    assert widget.outbox_label.text() == "3 changes waiting to send"
    assert widget.transfer.isHidden()
    assert "Online" in widget.accessibleDescription()


def test_sync_status_says_offline_since_the_relay_last_answered(qtbot):
    """A round that hears nothing from the relay for a few seconds reads "Offline since 14:02"
    (it said "Syncing…" for as long as the network time-outs lasted); "packages" are called
    changes, and an empty queue says so."""
    from desktop.widgets import sync_status

    clock = [1000.0]
    contact = dt.datetime(2026, 3, 4, 14, 2, tzinfo=dt.UTC)
    widget = SyncStatusWidget(clock=lambda: clock[0], now=lambda: contact + dt.timedelta(minutes=3))
    qtbot.addWidget(widget)
    widget.set_status(SyncStatus(SyncState.ONLINE, outbox=0, last_sync=contact))
    assert widget.state_label.text() == "Online"
    assert widget.outbox_label.text() == "All changes sent"
    widget.set_status(SyncStatus(SyncState.SYNCING, outbox=2, last_sync=contact))
    assert widget.state_label.text() == "Syncing…"
    clock[0] += sync_status.SILENT_SECONDS + 0.5  # the relay says nothing
    qtbot.waitUntil(lambda: widget.state_label.text().startswith("Offline since"), timeout=3000)
    from desktop.i18n import format_time

    assert widget.state_label.text() == "Offline since " + format_time(contact, "short")
    # The round gives up: still offline since the same moment, also through the next retries.
    widget.set_status(SyncStatus(SyncState.OFFLINE, outbox=2, last_sync=contact))
    widget.set_status(SyncStatus(SyncState.SYNCING, outbox=2, last_sync=contact))
    assert widget.state_label.text() == "Offline since " + format_time(contact, "short")
    # The relay answers again.
    later = contact + dt.timedelta(minutes=5)
    widget.set_status(SyncStatus(SyncState.SYNCING, outbox=0, last_sync=later))
    assert widget.state_label.text() == "Syncing…"
    widget.set_status(SyncStatus(SyncState.ONLINE, outbox=0, last_sync=later))
    assert widget.state_label.text() == "Online"


def test_a_request_outside_a_round_that_hangs_reads_offline_too(qtbot):
    """Between rounds the window asks the relay for join requests; if the relay goes silent
    then, the status must not stay "Online"."""
    from desktop.widgets import sync_status

    clock = [50.0]
    contact = dt.datetime(2026, 3, 4, 9, 15, tzinfo=dt.UTC)
    widget = SyncStatusWidget(clock=lambda: clock[0], now=lambda: contact)
    qtbot.addWidget(widget)
    widget.set_status(SyncStatus(SyncState.ONLINE, last_sync=contact))
    widget.request_started()
    assert widget.state_label.text() == "Online"
    clock[0] += sync_status.SILENT_SECONDS + 1
    qtbot.waitUntil(lambda: widget.state_label.text().startswith("Offline since"), timeout=3000)
    widget.request_ended(True)
    assert widget.state_label.text() == "Online"


def test_preferences_round_trip_and_bounds(tmp_path):
    settings = AppSettings(tmp_path / "p" / "desktop.ini")
    assert settings.load() == Preferences()
    prefs = Preferences("fr", 5, "https://relay.example.org", 30, 0)
    settings.save(prefs)
    assert AppSettings(tmp_path / "p" / "desktop.ini").load() == prefs
    assert (tmp_path / "p").stat().st_mode & 0o777 == 0o700
    # A hand-edited file with nonsense falls back or is clamped, never crashes.
    (tmp_path / "p" / "desktop.ini").write_text(
        "[preferences]\nauto_lock_minutes=banana\nretention_days=999999\n", encoding="utf-8"
    )
    loaded = AppSettings(tmp_path / "p" / "desktop.ini").load()
    assert loaded.auto_lock_minutes == Preferences().auto_lock_minutes
    assert loaded.retention_days == 3650


def test_countries_in_the_interface_language():
    names = {c.code: c.name for c in countries("en")}
    assert len(names) >= 249 and names["PT"] == "Portugal"
    assert country_name("DE", "fr") == "Allemagne"
    assert country_name("DE", "ar") == "ألمانيا"
    assert country_name("CN", "zh_CN") == "中国"
    assert country_name("DE", locales.PSEUDO_LANGUAGE) == "Germany"
    ordered = [c.name for c in countries("fr")]
    assert ordered.index("Égypte") < ordered.index("Espagne")  # accents sort as letters


def test_countries_sorted_with_the_locale_collation(qtbot):
    from desktop.qt import QtCore
    from desktop.views.first_start import collator_key

    QtCore.QLocale.setDefault(QtCore.QLocale("fr"))
    try:
        ordered = [c.name for c in countries("fr", collator_key())]
    finally:
        QtCore.QLocale.setDefault(QtCore.QLocale("en"))
    assert ordered.index("Égypte") < ordered.index("Espagne") < ordered.index("Éthiopie")


def test_strength_estimate():
    assert not estimate("").acceptable
    assert not estimate("password123456").acceptable
    assert not estimate("Tr0ub4dor&3").acceptable  # too short
    assert estimate("correct horse battery staple 42").acceptable
    # The person's own name and agency count as guessable words.
    plain = estimate("Ana Silva Customs")
    hinted = estimate("Ana Silva Customs", ("Ana Silva", "Customs"))
    assert hinted.guesses_log10 < plain.guesses_log10


def test_relay_url_problem():
    assert relay_url_problem("") is None
    assert relay_url_problem("https://relay.example.org") is None
    assert relay_url_problem("http://127.0.0.1:8765") is None
    assert relay_url_problem("ftp://relay") is not None
    assert relay_url_problem("relay.example.org") is not None
    assert relay_url_problem("https://") is not None


def test_latency_probe_sees_a_stall(qtbot):
    import time

    from desktop.latency import LatencyProbe
    from desktop.qt import QtCore

    probe = LatencyProbe(interval_ms=5)
    probe.start()
    qtbot.waitUntil(lambda: probe.ticks >= 3)

    def block_ui() -> None:  # keeps the UI thread busy, as a slow slot would
        end = time.perf_counter() + 0.12
        while time.perf_counter() < end:
            pass

    QtCore.QTimer.singleShot(0, block_ui)
    ticks = probe.ticks
    qtbot.waitUntil(lambda: probe.ticks >= ticks + 3)
    assert probe.stop() >= 100


def test_babel_formats_follow_the_language():
    import datetime as dt

    from desktop.i18n import format_datetime, format_number

    locales.set_language("fr")
    assert format_number(1234567.5) == "1\u202f234\u202f567,5"
    assert "mars" in format_datetime(dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC), "long")
    locales.set_language("de")
    assert format_number(1234567.5) == "1.234.567,5"
    locales.set_language("en")
    assert format_number(1234567.5) == "1,234,567.5"
