"""The cases list as a coordinator reads it: the summary says what and how much, every column
sorts when its header is clicked, and Status and Author fit their words in every language."""

from __future__ import annotations

import pytest

from desktop.qt import Qt, QtCore
from desktop.workspace.cases import CasesRoom
from tests.desktop.screens import qt_language
from tests.desktop.workspace.test_cases_room import EVAL, add


def _seizure(date: str, quantity: float, description: str, departure: str, destination: str):
    return {
        "seizure_date": date,
        "place": destination,
        "conveyance": "road",
        "detection_method": "xray",
        "departure": departure,
        "destination": destination,
        "reporting_country": "NL",
        "commodities": [
            {"category": "drugs", "description": description, "quantity": quantity, "unit": "kg"}
        ],
        **EVAL,
    }


@pytest.fixture
def room(qtbot, bench):
    add(bench, qtbot, "seizure-long", [_seizure("2026-10-02", 412, "cocaine", "NLRTM", "ESMAD")])
    add(
        bench,
        qtbot,
        "seizure-long",
        [_seizure("2026-09-15", 7.5, "heroin", "BEANR", "FRLEH")],
        status="submitted",
    )
    add(
        bench,
        qtbot,
        "seizure-long",
        [_seizure("2026-11-20", 30, "khat", "NLRTM", "DEHAM")],
        status="submitted",
    )
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.resize(1280, 760)
    room.show()
    qtbot.waitUntil(lambda: room.model.rowCount() == 3, timeout=10_000)
    return room


def _column(room, key):
    return next(c for c in range(room.model.columnCount()) if room.model.column_key(c) == key)


def _texts(room, column):
    return [room.model.index(r, column).data() for r in range(room.model.rowCount())]


def _click_header(qtbot, room, column):
    header = room.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    before = room.model.sort_order
    with qtbot.waitSignal(room.model.loaded, timeout=10_000):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QtCore.QPoint(x, 5))
    assert room.model.sort_order != before and room.model.rowCount() == 3
    qtbot.waitUntil(lambda: None not in _texts(room, column))


def test_the_summary_says_what_how_much_the_route_and_the_date(room):
    summaries = _texts(room, _column(room, "summary"))
    assert "412 kg cocaine · NLRTM → ESMAD · 2026-10-02" in summaries
    assert "7.5 kg heroin · BEANR → FRLEH · 2026-09-15" in summaries


def test_every_column_sorts_by_what_it_shows(qtbot, room):
    summary = _column(room, "summary")
    _click_header(qtbot, room, summary)
    dates = [text.rsplit(" · ", 1)[-1] for text in _texts(room, summary)]
    assert dates in (sorted(dates), sorted(dates, reverse=True)), dates
    _click_header(qtbot, room, summary)  # and the other way
    assert [t.rsplit(" · ", 1)[-1] for t in _texts(room, summary)] == dates[::-1]
    status = _column(room, "status")
    _click_header(qtbot, room, status)
    shown = _texts(room, status)
    assert shown in (sorted(shown), sorted(shown, reverse=True)), shown
    for key in ("template", "handling", "author", "updated"):
        column = _column(room, key)
        _click_header(qtbot, room, column)
        assert room.table.horizontalHeader().sortIndicatorSection() == column


@pytest.mark.parametrize("language", ["ru", "de", "ar", "tr"])
def test_status_and_author_columns_fit_in_every_language(qtbot, bench, room, language):
    from desktop.workspace.cases_model import STATUS_LABELS, status_label

    with qt_language(language):
        room.retranslate()
        header = room.table.horizontalHeader()
        metrics = room.table.fontMetrics()
        for key, texts in (
            ("status", [status_label(s) for s in STATUS_LABELS]),
            ("author", room.model.author_names()),
        ):
            column = _column(room, key)
            widest = max(metrics.horizontalAdvance(t) for t in texts)
            title = room.model.headerData(column, Qt.Orientation.Horizontal)
            assert header.sectionSize(column) > widest, (key, texts)
            assert header.sectionSize(column) > header.fontMetrics().horizontalAdvance(title)


def _click_row(qtbot, room, row):
    rect = room.table.visualRect(room.model.index(row, 0))
    qtbot.mouseClick(room.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _selected_ids(room):
    from desktop.workspace.cases_model import RecordIdRole

    rows = room.table.selectionModel().selectedRows()
    return [index.data(RecordIdRole) for index in rows]


def test_the_detail_pane_and_the_selected_row_stay_together_after_validate_and_return(qtbot, room):
    """Validate moves the record to the top of a list sorted by update time; the row
    highlighted must move with it, not stay on the row number that now holds another record."""
    view = room.view
    _click_row(qtbot, room, 1)  # a submitted report below the newest
    qtbot.waitUntil(lambda: view.details is not None and view.details.status == "submitted")
    chosen = view.details.record_id
    assert _selected_ids(room) == [chosen]
    with qtbot.waitSignal(room.model.loaded, timeout=10_000):
        qtbot.mouseClick(view.validate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: room.model.row_of(chosen) == 0)  # re-sorted: now the newest
    qtbot.waitUntil(lambda: view.details is not None and view.details.status == "validated")
    assert view.details.record_id == chosen
    assert _selected_ids(room) == [chosen]

    _click_row(qtbot, room, 1)  # the other submitted report, now second
    qtbot.waitUntil(lambda: view.details is not None and view.details.record_id != chosen)
    other = view.details.record_id
    qtbot.keyClicks(view.comment, "The quantity is missing its unit")
    with qtbot.waitSignal(room.model.loaded, timeout=10_000):
        qtbot.mouseClick(view.return_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: room.model.row_of(other) == 0)
    qtbot.waitUntil(lambda: view.details is not None and view.details.status == "returned")
    assert view.details.record_id == other
    assert _selected_ids(room) == [other]
