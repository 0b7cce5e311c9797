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
    texts = [room.model.index(r, column).data() for r in range(room.model.rowCount())]
    return [t.strip("\u2068\u2069") if isinstance(t, str) else t for t in texts]


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


def test_several_records_validated_returned_and_exported_at_once(qtbot, bench, room, tmp_path):
    """Shift+click selects a range; the bar under the list acts on every selected record."""
    from openpyxl import load_workbook

    _click_row(qtbot, room, 0)
    rect = room.table.visualRect(room.model.index(1, 0))
    qtbot.mouseClick(
        room.table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        rect.center(),
    )
    qtbot.waitUntil(lambda: len(_selected_ids(room)) == 2)
    chosen = _selected_ids(room)
    assert room.bulk_bar.isVisible()
    assert room.bulk_label.text() == "2 records selected"

    # Return without a comment: refused, in words.
    qtbot.mouseClick(room.bulk_return, Qt.MouseButton.LeftButton)
    assert room.bulk_error.isVisible() and "correct" in room.bulk_error.text()
    qtbot.keyClicks(room.bulk_comment, "Add the container number")
    with qtbot.waitSignal(room.bulk_done, timeout=20_000) as done:
        qtbot.mouseClick(room.bulk_return, Qt.MouseButton.LeftButton)
    assert done.args == [2]

    def statuses():
        op = bench.operation.operation_id
        return bench.call(
            qtbot,
            lambda p: {rid: p.store.records.get(op, rid) for rid in chosen},
        )

    records = statuses()
    assert {r.status for r in records.values()} == {"returned"}

    # The authors correct them (here: submitted again), then the coordinator validates both.
    from desktop.workspace.record_data import set_status

    op = bench.operation.operation_id
    for record_id in chosen:
        bench.call(qtbot, lambda p, rid=record_id: set_status(p, op, rid, "submitted"))
    with qtbot.waitSignal(room.model.loaded, timeout=10_000):
        room.session.notify_changed(op)
    room.table.clearSelection()
    for record_id in chosen:
        qtbot.waitUntil(lambda rid=record_id: room.model.row_of(rid) is not None)
        row = room.model.row_of(record_id)
        rect = room.table.visualRect(room.model.index(row, 0))
        qtbot.mouseClick(
            room.table.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ControlModifier,
            rect.center(),
        )
    qtbot.waitUntil(lambda: sorted(_selected_ids(room)) == sorted(chosen))
    with qtbot.waitSignal(room.bulk_done, timeout=20_000) as done:
        qtbot.mouseClick(room.bulk_validate, Qt.MouseButton.LeftButton)
    assert done.args == [2]
    assert {r.status for r in statuses().values()} == {"validated"}

    # Export the selected two, not the whole list.
    qtbot.waitUntil(lambda: sorted(_selected_ids(room)) == sorted(chosen))
    qtbot.mouseClick(room.bulk_export, Qt.MouseButton.LeftButton)
    wizard = room._dialogs[-1]
    qtbot.waitUntil(lambda: wizard.total == 2)
    assert "2 records selected in the list" in wizard.scope.text()
    target = tmp_path / "two.xlsx"
    qtbot.keyClicks(wizard.path, str(target))
    with qtbot.waitSignal(wizard.exported, timeout=20_000):
        qtbot.mouseClick(wizard.export_button, Qt.MouseButton.LeftButton)
    sheet = load_workbook(target).active
    assert sheet.max_row == 3  # a header and the two records
    wizard.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_cases_list_screens(qtbot, bench, language):
    """The list with its summaries and two rows selected (the bar under the list)."""
    from tests.desktop.screens import save_screen

    with qt_language(language):
        add(
            bench,
            qtbot,
            "seizure-long",
            [_seizure("2026-10-02", 412, "cocaine", "NLRTM", "ESMAD")],
            status="submitted",
        )
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
            [_seizure("2026-11-20", 1200, "cannabis resin", "MATNG", "ESALG")],
        )
        room = CasesRoom(bench.session, bench.operation)
        qtbot.addWidget(room)
        room.resize(1366, 700)
        room.show()
        qtbot.waitUntil(lambda: room.model.rowCount() == 3, timeout=10_000)
        _click_row(qtbot, room, 0)
        qtbot.waitUntil(lambda: room.view.details is not None)
        save_screen(room, "cases-10-list", language, check_size=False)
        rect = room.table.visualRect(room.model.index(1, 0))
        qtbot.mouseClick(
            room.table.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ShiftModifier,
            rect.center(),
        )
        qtbot.waitUntil(room.bulk_bar.isVisible)
        save_screen(room, "cases-11-list-several-selected", language, check_size=False)
