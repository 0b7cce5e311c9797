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
    room.country.ensure_filled()
    room.country.setCurrentIndex(room.country.findData("NG"))
    qtbot.waitUntil(lambda: room.model.rowCount() == 1)
    room.clear_filters()
    qtbot.waitUntil(lambda: room.model.rowCount() == 3)
    qtbot.keyClicks(room.search, "BEANR")
    qtbot.waitUntil(lambda: room.model.rowCount() == 1 and room.model.filter.search == "BEANR")
    assert "BEANR" in room.model.index(0, 1).data()


def test_fill_a_seizure_report_through_the_editor(qtbot, bench):

    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.show()
    qtbot.waitUntil(lambda: not room.model.is_loading)
    dialog = room.open_editor("seizure-long")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.form is not None)
    form = dialog.form
    assert form is not None
    form.field("seizure_date").set_value("2026-10-03")
    # UN/LOCODE type-ahead: type a name, wait for the suggestions, pick Rotterdam.
    place = form.field("place")
    place.edit.setFocus()
    qtbot.keyClicks(place.edit, "Rotterd")
    qtbot.waitUntil(lambda: "Rotterdam (NLRTM)" in place.completer.suggestions(), timeout=20_000)
    place.completer.completer.activated[str].emit("Rotterdam (NLRTM)")
    qtbot.waitUntil(lambda: place.edit.text() == "Rotterdam (NLRTM)")
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


def _sheet(path, rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Date",
            "Place",
            "Conveyance",
            "Category",
            "Description",
            "Quantity",
            "Unit",
            "Handling code",
            "Source reliability",
            "Information accuracy",
        ]
    )
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_import_a_spreadsheet_through_the_wizard(qtbot, bench, tmp_path):
    sheet = tmp_path / "seizures.xlsx"
    good = ["2026-10-04", "FRLEH", "sea", "tobacco", "cigarettes", 300, "kg", "H0", "A", "1"]
    bad = ["2026-10-05", "XXXXX", "sea", "drugs", "cannabis", 2, "kg", "H0", "A", "1"]
    _sheet(
        sheet,
        [good, bad, ["2026-10-06", "BEANR", "sea", "drugs", "heroin", 5, "kg", "H1", "B", "2"]],
    )
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.show()
    qtbot.waitUntil(lambda: not room.model.is_loading)
    wizard = room.open_import()
    qtbot.addWidget(wizard)
    wizard.file_page.path.setText(str(sheet))
    wizard.file_page.template.setCurrentIndex(wizard.file_page.template.findData("seizure-short"))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=10_000)
    # The suggestions mapped the headers; the person re-maps one column by hand.
    combos = wizard.mapping_page.combos
    assert combos["Place"].currentData() == "place"
    assert combos["Quantity"].currentData() == "commodities.quantity"
    combos["Description"].setCurrentIndex(combos["Description"].findData(""))
    combos["Description"].setCurrentIndex(combos["Description"].findData("commodities.description"))
    wizard.next()
    dry = wizard.dry_page
    qtbot.waitUntil(lambda: dry.report is not None, timeout=20_000)
    assert dry.report.valid_rows == 2 and dry.report.refused_rows == 1
    assert dry.refused.rowCount() == 1 and dry.refused.item(0, 0).text() == "3"
    assert "XXXXX" in dry.refused.item(0, 3).text()
    assert not dry.isComplete()  # all or nothing, unless the person asks for the valid rows
    dry.valid_only.setChecked(True)
    assert dry.isComplete()
    with qtbot.waitSignal(wizard.imported, timeout=30_000) as imported:
        wizard.next()
    assert imported.args == [2]
    qtbot.waitUntil(lambda: room.model.rowCount() == 2, timeout=10_000)
    rows = bench.call(qtbot, lambda p: p.store.records.list(bench.operation.operation_id))
    assert sorted(r.fields["place"] for r in rows) == ["BEANR", "FRLEH"]
    assert {r.status for r in rows} == {"submitted"}  # a file is a report made: shared


def test_export_leaves_restricted_records_out_unless_confirmed(qtbot, bench, tmp_path):
    add(bench, qtbot, "seizure-short", [seizure(), {**seizure("BEANR"), "handling_code": "H3"}])
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.show()
    export = room.open_export()
    qtbot.addWidget(export)
    qtbot.waitUntil(lambda: export.total == 2)
    assert export.restricted == 1 and export.confirm.isVisible()
    export.path.setText(str(tmp_path / "out.csv"))
    export.format.setCurrentIndex(export.format.findData("csv"))
    with qtbot.waitSignal(export.exported, timeout=20_000) as done:
        qtbot.mouseClick(export.export_button, Qt.MouseButton.LeftButton)
    summary = done.args[0]
    assert summary.records == 1 and summary.left_out_restricted == 1
    text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert "NLRTM" in text and "BEANR" not in text


def test_unread_marks_and_filters_by_author(qtbot, bench):
    from sync.client import state  # noqa: F401 - the store is reached through the session

    op = bench.operation.operation_id
    other = "ab" * 16

    def received(profile):
        profile.store.records.create(
            op, "seizure-short", 1, seizure("DEHAM"), other, profile.clock.now(), status="submitted"
        )

    bench.call(qtbot, received)
    add(bench, qtbot, "seizure-short", [seizure()])
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.show()
    qtbot.waitUntil(lambda: room.model.rowCount() == 2)
    from desktop.workspace.cases_model import UnreadRole

    unread = [room.model.index(r, 0).data(UnreadRole) for r in range(2)]
    assert sorted(unread) == [False, True]  # another's record is unread, mine is not
    row = unread.index(True)
    rect = room.table.visualRect(room.model.index(row, 1))
    qtbot.mouseClick(room.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: room.view.details is not None)
    assert room.model.index(row, 0).data(UnreadRole) is False
    room.model.reload()
    qtbot.waitUntil(lambda: not room.model.is_loading)
    assert [room.model.index(r, 0).data(UnreadRole) for r in range(2)] == [False, False]
    room.author.addItem("other", other)
    room.author.setCurrentIndex(room.author.findData(other))
    qtbot.waitUntil(lambda: room.model.rowCount() == 1)


def test_locking_drops_every_row_shown(qtbot, bench):
    (first,) = add(bench, qtbot, "seizure-short", [seizure()])
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.show()
    qtbot.waitUntil(lambda: room.model.rowCount() == 1)
    room.select_record(first)
    qtbot.waitUntil(lambda: room.view.details is not None)
    bench.session.closed.emit()
    assert room.model.rowCount() == 0 and room.view.details is None


def test_record_view_marks_a_conflict_with_both_values(qtbot, bench):
    from sync.client.apply import Applier
    from sync.client.items import RevisionItem
    from sync.client.local import LocalChanges
    from sync.store.ids import new_id

    (rid,) = add(bench, qtbot, "seizure-short", [seizure()])
    op = bench.operation.operation_id
    other = "cd" * 16

    def race(profile):
        record = profile.store.records.get(op, rid)
        seen = record.field_hlc["place"]
        LocalChanges(profile, op).revise(rid, {"place": "BEANR"})
        # A coordinator elsewhere changed the same field from the same base, concurrently.
        item = RevisionItem(
            rid, new_id(), {"place": "DEHAM"}, None, None, profile.clock.now(), {"place": seen}
        )
        with profile.store.transaction():
            Applier(profile.store, profile.identity, op)._revision(item, other, "coordinator")

    bench.call(qtbot, race)
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    room.show()
    room.select_record(rid)
    view = room.view
    qtbot.waitUntil(lambda: view.details is not None)
    assert [c.field for c in view.details.conflicts] == ["place"]
    marked = view.fields_box.findChild(type(view.state), "conflict")
    assert marked is not None
    assert "BEANR" in marked.text() and "DEHAM" in marked.text()
    assert any(e.conflict for e in view.details.history)


def test_editor_hides_what_the_operation_template_set_hides(qtbot, bench):
    from forms.templateset import TemplateSet

    op = bench.operation.operation_id
    chosen = TemplateSet.from_builtin(["seizure-long"], {"seizure-long": ["place_detail"]})

    def store_set(profile):
        operation = profile.store.operations.get(op)
        profile.store.operations.save(
            type(operation)(**{**operation.__dict__, "templates": chosen.to_dict()})
        )

    bench.call(qtbot, store_set)
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    dialog = room.open_editor("seizure-long")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.form is not None)
    assert "place_detail" not in dialog.form.widgets
    assert "place" in dialog.form.widgets


def test_link_a_person_by_picking_it(qtbot, bench):
    (person,) = add(bench, qtbot, "person", [{"family_name": "Okafor", "role": "suspect", **EVAL}])
    room = CasesRoom(bench.session, bench.operation)
    qtbot.addWidget(room)
    dialog = room.open_editor("seizure-short")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.form is not None)
    persons = dialog.form.field("persons")
    picker = persons.pick()
    qtbot.waitUntil(lambda: picker.list.count() == 1)
    assert "Okafor" in picker.list.item(0).text()
    picker.accept()
    assert persons.value() == [{"template": "person", "record_id": person}]
