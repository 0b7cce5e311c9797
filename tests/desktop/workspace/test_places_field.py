"""A place field as an officer uses it: type "CDG" or "Roissy", pick the airport from the list
with the keyboard, see "Paris-Charles de Gaulle (FRCDG)" in the field and in the record view;
the record stores the UN/LOCODE."""

from __future__ import annotations

from desktop.qt import Qt, QtWidgets
from desktop.workspace.cases import CasesRoom
from tests.desktop.workspace.test_cases_room import EVAL


def _pick_by_keyboard(qtbot, field, typed: str, wanted: str) -> None:
    field.edit.setFocus()
    qtbot.keyClicks(field.edit, typed)
    qtbot.waitUntil(lambda: wanted in field.completer.suggestions(), timeout=30_000)
    popup = field.completer.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    row = field.completer.suggestions().index(wanted)
    for _ in range(len(field.completer.suggestions()) + 1):  # as a person does: down to it
        if popup.currentIndex().row() == row:
            break
        qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: field.edit.text() == wanted)


def test_airport_by_code_and_by_town_shown_with_its_name(qtbot, bench):
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.resize(1200, 760)
    room.show()
    qtbot.waitUntil(lambda: not room.model.is_loading)
    dialog = room.open_editor("seizure-long")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.form is not None)
    form = dialog.form
    dialog.activateWindow()

    place = form.field("place")
    _pick_by_keyboard(qtbot, place, "CDG", "Paris-Charles de Gaulle (FRCDG)")
    destination = form.field("destination")
    _pick_by_keyboard(qtbot, destination, "Barajas", "Madrid Barajas (ESMAD)")
    departure = form.field("departure")
    _pick_by_keyboard(qtbot, departure, "Roissy", "Paris-Charles de Gaulle (FRCDG)")

    date = form.field("seizure_date").edit
    date.setFocus()
    date.selectAll()
    qtbot.keyClicks(date, "2026-10-03")
    qtbot.keyClick(date, Qt.Key.Key_Tab)
    for fid, value in (
        ("reporting_country", "FR"),
        ("conveyance", "air"),
        ("detection_method", "xray"),
    ):
        combo = form.field(fid).combo
        combo.setCurrentIndex(combo.findData(value))
    for fid, value in EVAL.items():
        combo = form.field(fid).combo
        combo.setCurrentIndex(combo.findData(value))
    commodities = form.field("commodities")
    entry = commodities.entries[0] if commodities.entries else commodities.add_entry()
    entry.widgets["category"].combo.setCurrentIndex(
        entry.widgets["category"].combo.findData("drugs")
    )
    qtbot.keyClicks(entry.widgets["description"].edit, "Cocaine in a suitcase")
    qtbot.keyClicks(entry.widgets["quantity"].edit, "4")
    entry.widgets["unit"].combo.setCurrentIndex(entry.widgets["unit"].combo.findData("kg"))
    qtbot.waitUntil(lambda: form.up_to_date and form.result.ok, timeout=10_000)
    with qtbot.waitSignal(dialog.saved, timeout=20_000) as saved:
        qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
    record_id = saved.args[0]
    record = bench.call(
        qtbot, lambda p: p.store.records.get(bench.operation.operation_id, record_id)
    )
    assert record.fields["place"] == "FRCDG"
    assert record.fields["departure"] == "FRCDG"
    assert record.fields["destination"] == "ESMAD"

    room.view.show_record(record_id)
    qtbot.waitUntil(
        lambda: room.view.details is not None and room.view.details.record_id == record_id
    )
    labels = [w.text() for w in room.view.fields_box.findChildren(QtWidgets.QLabel)]
    assert "Paris-Charles de Gaulle (FRCDG)" in labels
    assert "Madrid (ESMAD)" in labels  # the entry is the city, which the airport serves
