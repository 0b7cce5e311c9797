"""The cases room: the list, its filters and search, the editor, and the record view."""

from __future__ import annotations

from typing import Any

from desktop.qt import Qt
from desktop.workspace.cases import CasesRoom


def add(bench: Any, qtbot: Any, template: str, rows: list[dict[str, Any]], status: str = "draft"):
    from forms.registry import get_template
    from forms.validation import ValidationContext, validate_record
    from sync.client.local import LocalChanges

    t = get_template(template)
    values = []
    for row in rows:
        result = validate_record(t, row, ValidationContext())
        assert result.ok, result.errors
        values.append(result.values)
    op = bench.operation.operation_id
    return bench.call(
        qtbot, lambda p: LocalChanges(p, op).add_records(t.id, t.version, values, status)
    )


EVAL = {"handling_code": "H1", "source_reliability": "B", "information_accuracy": "2"}


def seizure(place: str = "NLRTM", **more: Any) -> dict[str, Any]:
    return {
        "seizure_date": "2026-10-01",
        "place": place,
        "conveyance": "sea",
        "commodities": [
            {"category": "drugs", "description": "cocaine", "quantity": 12, "unit": "kg"}
        ],
        **EVAL,
        **more,
    }


def test_list_filters_and_search(qtbot, bench):
    add(bench, qtbot, "seizure-short", [seizure("NLRTM"), seizure("BEANR")])
    add(
        bench,
        qtbot,
        "person",
        [{"family_name": "Okafor", "role": "suspect", **EVAL, "nationality": ["NG"]}],
    )
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.resize(1200, 700)
    room.show()
    qtbot.waitUntil(lambda: room.model.rowCount() == 3, timeout=10_000)
    room.template.setCurrentIndex(room.template.findData("person"))
    qtbot.waitUntil(lambda: room.model.rowCount() == 1)
    assert room.model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
    room.template.setCurrentIndex(0)
    room.country.setCurrentIndex(room.country.findData("NG"))
    qtbot.waitUntil(lambda: room.model.rowCount() == 1)
    room.clear_filters()
    qtbot.waitUntil(lambda: room.model.rowCount() == 3)
    qtbot.keyClicks(room.search, "BEANR")
    qtbot.waitUntil(lambda: room.model.rowCount() == 1 and room.model.filter.search == "BEANR")
    assert "BEANR" in room.model.index(0, 1).data()


def test_fill_a_seizure_report_through_the_editor(qtbot, bench):
    from desktop.qt import QtCore

    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.show()
    qtbot.waitUntil(lambda: not room.model.is_loading)
    dialog = room.open_editor("seizure-long")
    qtbot.addWidget(dialog)
    form = dialog.form
    assert form is not None
    form.field("seizure_date").edit.setDate(QtCore.QDate(2026, 10, 3))
    # UN/LOCODE type-ahead: type a name, wait for the suggestions, pick Rotterdam.
    place = form.field("place")
    place.edit.setFocus()
    qtbot.keyClicks(place.edit, "Rotterd")
    qtbot.waitUntil(
        lambda: any(s.startswith("NLRTM") for s in place.completer.suggestions()), timeout=20_000
    )
    line = next(s for s in place.completer.suggestions() if s.startswith("NLRTM"))
    place.completer.completer.activated[str].emit(line)
    qtbot.waitUntil(lambda: place.edit.text() == "NLRTM")
    country = form.field("reporting_country").combo
    country.setCurrentIndex(country.findData("NL"))
    for fid, value in (
        ("detection_method", "xray"),
        ("conveyance", "sea"),
        ("handling_code", "H1"),
        ("source_reliability", "B"),
        ("information_accuracy", "2"),
    ):
        combo = form.field(fid).combo
        combo.setCurrentIndex(combo.findData(value))
    # A bad container number: the error shows inline, under the field, as the person types.
    container = form.field("container_number")
    qtbot.keyClicks(container.edit, "MSCU1234565")
    qtbot.waitUntil(lambda: container.issue.isVisible() and "✖" in container.issue.text())
    container.edit.clear()
    qtbot.keyClicks(container.edit, "MSCU1234566")
    # A commodity line.
    commodities = form.field("commodities")
    entry = commodities.entries[0] if commodities.entries else commodities.add_entry()
    entry.widgets["category"].combo.setCurrentIndex(
        entry.widgets["category"].combo.findData("drugs")
    )
    qtbot.keyClicks(entry.widgets["description"].edit, "Cocaine in banana boxes")
    qtbot.keyClicks(entry.widgets["quantity"].edit, "48.5")
    entry.widgets["unit"].combo.setCurrentIndex(entry.widgets["unit"].combo.findData("kg"))
    qtbot.waitUntil(lambda: form.up_to_date and form.result.ok, timeout=10_000)
    assert not container.issue.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=20_000) as saved:
        qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)
    record_id = saved.args[0]
    # Found by search, and shown in the record view.
    qtbot.keyClicks(room.search, "banana")
    qtbot.waitUntil(lambda: room.model.rowCount() == 1 and room.model.filter.search == "banana")
    assert room.model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1) == record_id
    qtbot.waitUntil(
        lambda: room.view.details is not None and room.view.details.record_id == record_id
    )
    record = bench.call(
        qtbot, lambda p: p.store.records.get(bench.operation.operation_id, record_id)
    )
    assert record.fields["place"] == "NLRTM"
    assert record.fields["container_number"] == "MSCU1234566"
    assert record.fields["commodities"][0]["quantity"] == 48.5


def test_coordinator_validates_and_returns(qtbot, bench):
    first, second = add(
        bench, qtbot, "seizure-short", [seizure(), seizure("BEANR")], status="submitted"
    )
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.show()
    room.select_record(first)
    view = room.view
    qtbot.waitUntil(lambda: view.details is not None and view.details.record_id == first)
    assert view.validate_button.isVisible()
    with qtbot.waitSignal(view.status_changed):
        qtbot.mouseClick(view.validate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.details is not None and view.details.status == "validated")
    room.select_record(second)
    qtbot.waitUntil(lambda: view.details is not None and view.details.record_id == second)
    qtbot.mouseClick(view.return_button, Qt.MouseButton.LeftButton)
    assert view.error.text()  # a return needs a comment
    qtbot.keyClicks(view.comment, "Quantity unit missing on line 2")
    with qtbot.waitSignal(view.status_changed):
        qtbot.mouseClick(view.return_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.details is not None and view.details.status == "returned")
    assert view.banner.isVisible()
    assert "Quantity unit missing" in view.banner.text()
    assert any(e.comment == "Quantity unit missing on line 2" for e in view.details.history)
