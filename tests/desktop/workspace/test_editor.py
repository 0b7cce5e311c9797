"""The record editor driven as an officer drives it: keys typed into the focused field, Tab,
the mouse wheel, clicks on the buttons (issue 22, items 1 and 3–9)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from desktop.qt import Qt, QtCore, QtGui, QtWidgets
from desktop.workspace.editor.dialog import EditorDialog
from tests.desktop.workspace.test_cases_room import EVAL, add

TEMPLATES_DIR = Path(__file__).resolve().parents[3] / "forms" / "templates"


def make_png(path: Path) -> Path:
    """A small photo on disk (what a camera's card holds)."""
    image = QtGui.QImage(320, 200, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("#2a6f97"))
    assert image.save(str(path), "PNG")
    return path


def open_editor(qtbot: Any, bench: Any, template: str, **kw: Any) -> EditorDialog:
    dialog = EditorDialog(bench.session, bench.operation, template, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.form is not None, timeout=10_000)
    return dialog


def focus(qtbot: Any, widget: QtWidgets.QWidget) -> None:
    """Click into a field, as a person does (a combo box is given the focus by Tab instead:
    a click would open its list)."""
    if isinstance(widget, QtWidgets.QComboBox):
        widget.setFocus(Qt.FocusReason.TabFocusReason)
    else:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(widget.hasFocus)


def key_text(widget: QtWidgets.QWidget, text: str) -> None:
    """Type characters a keyboard layout gives (Arabic-Indic digits too), one key at a time;
    QTest.keyClicks handles Latin letters only."""
    for ch in text:
        for kind in (QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.KeyRelease):
            event = QtGui.QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch)
            QtWidgets.QApplication.sendEvent(widget, event)


def type_into(qtbot: Any, widget: QtWidgets.QWidget, text: str) -> None:
    focus(qtbot, widget)
    qtbot.keyClicks(widget, text)


def choose(qtbot: Any, combo: QtWidgets.QComboBox, value: str) -> None:
    """Pick an entry of a drop-down by typing the start of its text into it."""
    index = combo.findData(value)
    assert index >= 0, value
    focus(qtbot, combo)
    key_text(combo, "".join(ch for ch in combo.itemText(index) if ch.isprintable()))
    for _ in range(combo.count()):  # a label that starts with a direction mark: arrow keys
        if combo.currentData() == value:
            break
        key = Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)
    assert combo.currentData() == value, (combo.currentText(), value)


def fill_seizure(qtbot: Any, form: Any) -> None:
    type_into(qtbot, form.field("place").edit, "NLRTM")
    choose(qtbot, form.field("conveyance").combo, "sea")
    entry = form.field("commodities").entries[0]
    choose(qtbot, entry.widgets["category"].combo, "drugs")
    type_into(qtbot, entry.widgets["quantity"].edit, "12")
    choose(qtbot, entry.widgets["unit"].combo, "kg")
    choose(qtbot, form.field("handling_code").combo, "H2")
    choose(qtbot, form.field("source_reliability").combo, "B")
    choose(qtbot, form.field("information_accuracy").combo, "2")


def stored(qtbot: Any, bench: Any, record_id: str) -> Any:
    op = bench.operation.operation_id
    return bench.call(qtbot, lambda p: p.store.records.get(op, record_id))


def all_records(qtbot: Any, bench: Any, template: str) -> list[Any]:
    op = bench.operation.operation_id
    return bench.call(qtbot, lambda p: p.store.records.list(op, template_id=template))


# -- 1. a seizure with a linked person ------------------------------------------------------


def create_person_from(qtbot: Any, dialog: EditorDialog, family_name: str) -> EditorDialog:
    persons = dialog.form.field("persons")
    qtbot.mouseClick(persons.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.child is not None and dialog.child.form is not None)
    child = dialog.child
    assert child is not None and child.form is not None
    qtbot.waitUntil(lambda: child.form.field("family_name").edit.hasFocus())
    qtbot.keyClicks(child.form.field("family_name").edit, family_name)
    choose(qtbot, child.form.field("role").combo, "courier")
    with qtbot.waitSignal(child.made, timeout=30_000):  # the first lookups load indexes
        qtbot.mouseClick(child.submit_button, Qt.MouseButton.LeftButton)
    return child


def test_a_person_created_from_a_seizure_is_saved_with_it_and_linked(qtbot, bench):
    dialog = open_editor(qtbot, bench, "seizure-short")
    fill_seizure(qtbot, dialog.form)
    child = create_person_from(qtbot, dialog, "Okafor")
    # The evaluation of the seizure was taken over into the person.
    assert child.form.field("handling_code").value() == "H2"
    assert child.form.field("source_reliability").value() == "B"
    assert child.form.field("information_accuracy").value() == "2"
    persons = dialog.form.field("persons")
    qtbot.waitUntil(lambda: persons.list.count() == 1)
    shown = persons.list.item(0).text()
    assert "Okafor" in shown
    assert persons.ids()[0] not in shown  # a name, never a raw id
    assert all_records(qtbot, bench, "person") == []  # nothing written before the seizure
    qtbot.waitUntil(lambda: dialog.form.up_to_date, timeout=10_000)
    assert not persons.issue.isVisible(), persons.issue.text()
    with qtbot.waitSignal(dialog.saved, timeout=20_000) as saved:
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    seizure = stored(qtbot, bench, saved.args[0])
    (person,) = all_records(qtbot, bench, "person")
    assert seizure.status == "submitted"
    assert seizure.fields["persons"] == [{"template": "person", "record_id": person.record_id}]
    assert person.fields["family_name"] == "Okafor"
    assert person.fields["role"] == "courier"
    assert person.fields["handling_code"] == "H2"
    # The record view names the courier, in the fields and among the linked records.
    from desktop.workspace.record_view import RecordView

    view = RecordView(bench.session, bench.operation)
    qtbot.addWidget(view)
    view.show()
    view.show_record(seizure.record_id)
    qtbot.waitUntil(lambda: view.details is not None, timeout=10_000)
    assert "Okafor" in view.links.item(0).text()
    shown = [
        view.form.itemAt(row, QtWidgets.QFormLayout.ItemRole.FieldRole).widget().text()
        for row in range(view.form.rowCount())
    ]
    assert any("Okafor" in text for text in shown), shown


def test_cancelling_the_seizure_leaves_no_orphan_person(qtbot, bench):
    dialog = open_editor(qtbot, bench, "seizure-short")
    fill_seizure(qtbot, dialog.form)
    create_person_from(qtbot, dialog, "Okafor")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.discard_box is not None and dialog.discard_box.isVisible())
    discard = next(
        b
        for b in dialog.discard_box.buttons()
        if dialog.discard_box.buttonRole(b) == QtWidgets.QMessageBox.ButtonRole.DestructiveRole
    )
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert all_records(qtbot, bench, "person") == []
    assert all_records(qtbot, bench, "seizure-short") == []


def test_editing_a_seizure_links_a_picked_person(qtbot, bench):
    (person,) = add(bench, qtbot, "person", [{"family_name": "Mensah", "role": "driver", **EVAL}])
    (seizure,) = add(
        bench,
        qtbot,
        "seizure-short",
        [
            {
                "seizure_date": "2026-10-01",
                "place": "NLRTM",
                "conveyance": "sea",
                "commodities": [{"category": "drugs", "quantity": 3, "unit": "kg"}],
                **EVAL,
            }
        ],
    )
    dialog = open_editor(qtbot, bench, None, record_id=seizure)
    persons = dialog.form.field("persons")
    qtbot.mouseClick(persons.pick_button, Qt.MouseButton.LeftButton)
    picker = persons.findChild(QtWidgets.QDialog)
    assert picker is not None
    qtbot.waitUntil(lambda: picker.list.count() == 1)
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: persons.list.count() == 1)
    assert "Mensah" in persons.list.item(0).text()
    with qtbot.waitSignal(dialog.saved, timeout=20_000):
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    record = stored(qtbot, bench, seizure)
    assert record.fields["persons"] == [{"template": "person", "record_id": person}]
    # Opened again, the link shows the name.
    again = open_editor(qtbot, bench, None, record_id=seizure)
    linked = again.form.field("persons")
    qtbot.waitUntil(lambda: linked.list.count() == 1 and "Mensah" in linked.list.item(0).text())


def test_a_photo_from_disk_goes_into_the_library_and_the_seizure(qtbot, bench, tmp_path):
    png = make_png(tmp_path / "concealment.png")
    dialog = open_editor(qtbot, bench, "seizure-short")
    fill_seizure(qtbot, dialog.form)
    photos = dialog.form.field("photos")
    qtbot.mouseClick(photos.create_button, Qt.MouseButton.LeftButton)
    chooser = photos.file_dialog
    assert chooser is not None
    qtbot.waitUntil(chooser.isVisible)
    chooser.setDirectory(str(tmp_path))  # where the person went in the dialog
    name = chooser.findChild(QtWidgets.QLineEdit, "fileNameEdit")
    name.setFocus()
    qtbot.keyClicks(name, png.name)
    for _ in range(3):  # the first Enter may only take the completion offered
        if not chooser.isVisible():
            break
        qtbot.keyClick(name, Qt.Key.Key_Return)
        qtbot.wait(50)
    qtbot.waitUntil(lambda: photos.list.count() == 1, timeout=20_000)
    assert photos.list.item(0).text() == "concealment.png"
    with qtbot.waitSignal(dialog.saved, timeout=20_000) as saved:
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    record = stored(qtbot, bench, saved.args[0])
    op = bench.operation.operation_id
    items = bench.call(qtbot, lambda p: p.store.library.list(op))
    assert [i.title for i in items] == ["concealment.png"]
    assert record.fields["photos"] == [items[0].item_id]


# -- 3. dates ---------------------------------------------------------------------------------


def test_the_date_of_seizure_starts_on_today_and_the_calendar_opens_on_it(qtbot, bench):
    dialog = open_editor(qtbot, bench, "seizure-short")
    date = dialog.form.field("seizure_date")
    assert date.value() == dt.date.today().isoformat()
    date.edit.clear()
    calendar = date.open_calendar()
    today = QtCore.QDate.currentDate()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year(), today.month())
    assert calendar.selectedDate() == today


def test_the_calendar_opens_from_the_keyboard_and_enter_picks(qtbot, bench):
    dialog = open_editor(qtbot, bench, "person")
    born = dialog.form.field("date_of_birth")
    focus(qtbot, born.edit)
    qtbot.keyClick(born.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = born.calendar
    assert calendar is not None and calendar.isVisible()
    assert calendar.selectedDate() == QtCore.QDate.currentDate()  # never January 1900
    qtbot.waitUntil(lambda: calendar.isAncestorOf(QtWidgets.QApplication.focusWidget()))
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_PageUp)  # a month back
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Return)
    expected = QtCore.QDate.currentDate().addMonths(-1).toString("yyyy-MM-dd")
    assert born.value() == expected
    assert not calendar.isVisible() and born.edit.hasFocus()


@pytest.mark.parametrize(
    ("language", "typed", "stored_as"),
    [
        ("en", "2026-12-03", "2026-12-03"),
        ("en", "12/25/2026", "2026-12-25"),
        ("en", "25/12/2026", "2026-12-25"),
        ("en", "3 December 2026", "2026-12-03"),
        ("fr", "2026-12-03", "2026-12-03"),
        ("fr", "03/12/2026", "2026-12-03"),
        ("de", "3.12.2026", "2026-12-03"),
        ("ar", "٣/١٢/٢٠٢٦", "2026-12-03"),
    ],
)
def test_a_typed_date_is_stored_exactly(qtbot, bench, language, typed, stored_as):
    import locales

    previous = locales.current_language()
    locales.set_language(language)
    try:
        dialog = open_editor(qtbot, bench, "seizure-short")
        date = dialog.form.field("seizure_date")
        focus(qtbot, date.edit)
        date.edit.selectAll()
        qtbot.keyClick(date.edit, Qt.Key.Key_Delete)
        key_text(date.edit, typed)
        qtbot.keyClick(date.edit, Qt.Key.Key_Tab)
        assert date.value() == stored_as
        assert date.edit.text() == stored_as  # shown back the way the field shows dates
        assert date.understood.text()  # and in words
    finally:
        locales.set_language(previous)


@pytest.mark.parametrize("typed", ["03/12/2026", "3/12/26", "2026-02-30"])
def test_a_date_that_reads_two_ways_or_not_at_all_is_refused_in_words(qtbot, bench, typed):
    dialog = open_editor(qtbot, bench, "seizure-short")
    fill_seizure(qtbot, dialog.form)
    date = dialog.form.field("seizure_date")
    focus(qtbot, date.edit)
    date.edit.selectAll()
    qtbot.keyClick(date.edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(date.edit, typed)
    qtbot.keyClick(date.edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: date.issue.isVisible(), timeout=10_000)
    assert "✖" in date.issue.text() and len(date.issue.text()) > 20
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: date.edit.hasFocus(), timeout=10_000)
    assert all_records(qtbot, bench, "seizure-short") == []


def test_a_date_inside_a_repeated_group_is_refused_on_its_own_line(qtbot, bench):
    dialog = open_editor(qtbot, bench, "person")
    documents = dialog.form.field("identity_documents")
    qtbot.mouseClick(documents.add_button, Qt.MouseButton.LeftButton)
    issued = documents.entries[0].widgets["issue_date"]
    type_into(qtbot, issued.edit, "3/12/26")
    qtbot.keyClick(issued.edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: issued.issue.isVisible(), timeout=10_000)
    assert "four digits" in issued.issue.text()


def test_the_date_in_words_follows_a_language_switch(qtbot, bench):
    from babel.dates import format_date

    import locales

    dialog = open_editor(qtbot, bench, "seizure-short")
    date = dialog.form.field("seizure_date")
    today = dt.date.today()
    assert date.understood.text() == format_date(today, "long", locale="en")
    previous = locales.current_language()
    locales.set_language("fr")
    try:
        dialog.retranslate()
        assert date.understood.text() == format_date(today, "long", locale="fr")
    finally:
        locales.set_language(previous)


# -- 4. the wheel -----------------------------------------------------------------------------


def wheel(widget: QtWidgets.QWidget, steps: int = -3) -> None:
    centre = QtCore.QPointF(widget.rect().center())
    event = QtGui.QWheelEvent(
        centre,
        QtCore.QPointF(widget.mapToGlobal(widget.rect().center())),
        QtCore.QPoint(0, 0),
        QtCore.QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QtWidgets.QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_form_and_leaves_unfocused_drop_downs_alone(qtbot, bench):
    dialog = open_editor(qtbot, bench, "seizure-long")
    dialog.resize(720, 500)
    category = dialog.form.field("commodities").entries[0].widgets["category"].combo
    choose(qtbot, category, "drugs")
    dialog.form.field("place").edit.setFocus()
    qtbot.waitUntil(lambda: not category.hasFocus())
    dialog.scroller.ensureWidgetVisible(category)
    bar = dialog.scroller.verticalScrollBar()
    before = bar.value()
    assert before > 0
    wheel(category, steps=3)
    assert category.currentData() == "drugs"
    assert bar.value() < before  # the form scrolled instead
    # Once chosen with the focus in it, the wheel does change it.
    focus(qtbot, category)
    wheel(category, steps=-1)
    assert category.currentData() != "drugs"


# -- 5. Tab through every template ------------------------------------------------------------


@pytest.mark.parametrize("template", sorted(p.stem for p in TEMPLATES_DIR.glob("*.json")))
def test_tab_visits_every_input_of_every_template(qtbot, bench, template):
    dialog = open_editor(qtbot, bench, template)
    form = dialog.form
    for widget in form.widgets.values():  # one entry in every repeated group
        if hasattr(widget, "entries") and not widget.entries:
            qtbot.mouseClick(widget.add_button, Qt.MouseButton.LeftButton)
    qtbot.wait(10)
    inputs: list[QtWidgets.QWidget] = []
    for widget in form.widgets.values():
        if hasattr(widget, "entries"):  # a repeated group: every input of every entry
            inputs += [w.input for e in widget.entries for w in e.widgets.values()]
        elif hasattr(widget, "rows"):
            inputs += [row.input for row in widget.rows]
        elif hasattr(widget, "pick_button"):
            inputs += [widget.list]
        else:
            inputs.append(widget.input)
    first = next(iter(form.widgets.values())).input
    focus(qtbot, first)
    visited = [QtWidgets.QApplication.focusWidget()]
    for _ in range(300):
        qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Tab)
        now = QtWidgets.QApplication.focusWidget()
        if now is dialog.draft_button or now is visited[0]:
            break
        visited.append(now)

    def reached(widget: QtWidgets.QWidget) -> bool:
        return any(v is widget or (v is not None and widget.isAncestorOf(v)) for v in visited)

    missed = [w.accessibleName() or type(w).__name__ for w in inputs if not reached(w)]
    assert not missed, missed
    assert QtWidgets.QApplication.focusWidget() is dialog.draft_button


def tab_to(qtbot: Any, widget: QtWidgets.QWidget, limit: int = 80) -> None:
    """Press Tab until ``widget`` has the focus, as a person does watching the screen."""
    for _ in range(limit):
        if widget.hasFocus():
            return
        qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert widget.hasFocus(), f"Tab never reached {widget.accessibleName()!r}"


def keys(qtbot: Any, text: str) -> None:
    key_text(QtWidgets.QApplication.focusWidget(), text)


def test_a_seizure_with_its_courier_by_keyboard_alone(qtbot, bench):
    dialog = open_editor(qtbot, bench, "seizure-short")
    form = dialog.form
    qtbot.waitUntil(form.field("seizure_date").edit.hasFocus)  # today already
    tab_to(qtbot, form.field("place").edit)
    keys(qtbot, "NLRTM")
    tab_to(qtbot, form.field("conveyance").combo)
    keys(qtbot, "Sea")
    entry = form.field("commodities").entries[0]
    tab_to(qtbot, entry.widgets["category"].combo)
    keys(qtbot, "Drugs")
    tab_to(qtbot, entry.widgets["description"].edit)
    keys(qtbot, "Cocaine in banana boxes")
    tab_to(qtbot, entry.widgets["quantity"].edit)
    keys(qtbot, "48.5")
    tab_to(qtbot, entry.widgets["unit"].combo)
    keys(qtbot, "kg")
    tab_to(qtbot, form.field("handling_code").combo)  # the evaluation first: the courier takes it
    keys(qtbot, "H1")
    tab_to(qtbot, form.field("source_reliability").combo)
    keys(qtbot, "B")
    tab_to(qtbot, form.field("information_accuracy").combo)
    keys(qtbot, "2")
    qtbot.keyClick(
        QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier
    )
    persons = form.field("persons")
    for _ in range(40):  # back up to the Persons box's "Create…"
        if persons.create_button.hasFocus():
            break
        qtbot.keyClick(
            QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier
        )
    assert persons.create_button.hasFocus()
    qtbot.keyClick(persons.create_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.child is not None and dialog.child.form is not None)
    child = dialog.child
    qtbot.waitUntil(child.form.field("family_name").edit.hasFocus)
    keys(qtbot, "Okafor")
    tab_to(qtbot, child.form.field("role").combo)
    keys(qtbot, "Courier")
    with qtbot.waitSignal(child.made, timeout=30_000):  # the first lookups load indexes
        qtbot.keyClick(child.form.field("role").combo, Qt.Key.Key_Return)  # the default: Link
    qtbot.waitUntil(lambda: persons.list.count() == 1 and "Okafor" in persons.list.item(0).text())
    qtbot.waitUntil(lambda: form.up_to_date and form.result.ok, timeout=10_000)
    with qtbot.waitSignal(dialog.saved, timeout=20_000) as saved:
        qtbot.keyClick(form.field("information_accuracy").combo, Qt.Key.Key_Return)  # Submit
    seizure = stored(qtbot, bench, saved.args[0])
    (person,) = all_records(qtbot, bench, "person")
    assert seizure.fields["place"] == "NLRTM"
    assert seizure.fields["seizure_date"] == dt.date.today().isoformat()
    assert seizure.fields["commodities"] == [
        {
            "category": "drugs",
            "description": "Cocaine in banana boxes",
            "quantity": 48.5,
            "unit": "kg",
        }
    ]
    assert seizure.fields["persons"] == [{"template": "person", "record_id": person.record_id}]
    assert (person.fields["family_name"], person.fields["role"]) == ("Okafor", "courier")
    assert person.fields["handling_code"] == "H1"


# -- 6. a refused submit ----------------------------------------------------------------------


def test_a_refused_submit_goes_to_the_first_field_to_fix_and_the_counter_moves_on(qtbot, bench):
    dialog = open_editor(qtbot, bench, "seizure-short")
    form = dialog.form
    assert not dialog.summary.isVisible()  # a fresh form is not a list of faults
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    place = form.field("place")
    qtbot.waitUntil(lambda: place.edit.hasFocus(), timeout=10_000)
    assert dialog.message.isVisible() and dialog.message.text()
    assert dialog.summary.isVisible() and "to fix" in dialog.summary.text()
    assert place.issue.isVisible()
    qtbot.mouseClick(dialog.summary, Qt.MouseButton.LeftButton)
    conveyance = form.field("conveyance").combo
    qtbot.waitUntil(conveyance.hasFocus)
    # Far down the form: the counter scrolls to it.
    dialog.resize(720, 400)
    for _ in range(10):
        if form.field("handling_code").combo.hasFocus():
            break
        qtbot.mouseClick(dialog.summary, Qt.MouseButton.LeftButton)
    handling = form.field("handling_code").combo
    assert handling.hasFocus()
    viewport = dialog.scroller.viewport()
    top_left = handling.mapTo(viewport, QtCore.QPoint(0, 0))
    assert viewport.rect().contains(top_left)
    assert all_records(qtbot, bench, "seizure-short") == []


def test_the_counter_waits_for_a_field_to_be_left(qtbot, bench):
    dialog = open_editor(qtbot, bench, "seizure-short")
    form = dialog.form
    date = form.field("seizure_date")
    qtbot.waitUntil(date.edit.hasFocus)  # the form opens with the cursor in its first field
    date.edit.selectAll()
    qtbot.keyClicks(date.edit, "2026-02-30")
    qtbot.waitUntil(lambda: form.up_to_date and date.issue.isVisible(), timeout=10_000)
    assert not dialog.summary.isVisible()  # still typing: no counter yet
    qtbot.keyClick(date.edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: dialog.summary.isVisible(), timeout=10_000)
    assert "1 field to fix" in dialog.summary.text()


# -- 7. cancel and drafts kept ------------------------------------------------------------------


def test_cancel_asks_before_discarding_and_keep_editing_keeps_the_form(qtbot, bench):
    dialog = open_editor(qtbot, bench, "seizure-short")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())  # nothing entered: no question
    dialog = open_editor(qtbot, bench, "seizure-short")
    type_into(qtbot, dialog.form.field("place").edit, "NLRTM")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.discard_box is not None and dialog.discard_box.isVisible())
    assert dialog.isVisible()
    keep = dialog.discard_box.escapeButton()
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.discard_box.isVisible())
    assert dialog.isVisible()
    assert dialog.form.field("place").value() == "NLRTM"


def test_a_form_is_kept_every_few_seconds_and_offered_back(qtbot, bench, monkeypatch):
    from desktop.workspace.editor import dialog as module

    monkeypatch.setattr(module, "AUTOSAVE_MS", 200)
    dialog = open_editor(qtbot, bench, "seizure-short")
    fill_seizure(qtbot, dialog.form)
    create_person_from(qtbot, dialog, "Okafor")
    op = bench.operation.operation_id

    def kept(p: Any) -> Any:
        from sync.store import drafts

        return drafts.find(p.store, op, "seizure-short", None)

    qtbot.waitUntil(
        lambda: (d := bench.call(qtbot, kept)) is not None and "persons" in d.values,
        timeout=10_000,
    )
    # Kept in the encrypted store, not in a file beside it.
    for path in bench.home.rglob("*"):
        if path.is_file():
            assert b"Okafor" not in path.read_bytes(), path
    # The window goes away without a word (a crash, a lock): the next editor offers it back.
    dialog._closing = True
    dialog._autosave_timer.stop()
    dialog.hide()
    again = open_editor(qtbot, bench, "seizure-short")
    qtbot.waitUntil(again.restore_bar.isVisible, timeout=10_000)
    qtbot.mouseClick(again.restore_button, Qt.MouseButton.LeftButton)
    assert "NLRTM" in again.form.field("place").value()
    persons = again.form.field("persons")
    qtbot.waitUntil(lambda: persons.list.count() == 1 and "Okafor" in persons.list.item(0).text())
    with qtbot.waitSignal(again.saved, timeout=20_000) as saved:
        qtbot.mouseClick(again.submit_button, Qt.MouseButton.LeftButton)
    assert stored(qtbot, bench, saved.args[0]).fields["place"] == "NLRTM"
    (person,) = all_records(qtbot, bench, "person")
    assert person.fields["family_name"] == "Okafor"
    assert bench.call(qtbot, kept) is None  # saved: the kept copy is gone


# -- 9. defaults from the profile ---------------------------------------------------------------


def test_reporting_country_and_agency_come_from_the_profile(qtbot, bench):
    dialog = open_editor(qtbot, bench, "seizure-long")
    assert dialog.form.field("reporting_country").value() == "PT"
    assert dialog.form.field("reporting_agency").value() == "Customs"


# -- the window on a small screen ---------------------------------------------------------------


def test_the_buttons_stay_on_a_1366_by_768_screen(qtbot, bench, monkeypatch):
    monkeypatch.setattr(
        QtGui.QScreen, "availableGeometry", lambda _s: QtCore.QRect(0, 0, 1366, 728)
    )
    dialog = open_editor(qtbot, bench, "seizure-long")
    assert dialog.height() <= 728 - 40
    for button in (dialog.draft_button, dialog.submit_button, dialog.cancel_button):
        bottom = button.mapTo(dialog, QtCore.QPoint(0, button.height())).y()
        assert button.isVisible() and bottom <= dialog.height()


def test_drafts_module_keeps_a_bounded_number(qtbot, bench):
    from sync.store import drafts

    op = bench.operation.operation_id

    def fill(p: Any) -> list[Any]:
        for i in range(drafts.MAX_DRAFTS + 5):
            drafts.save(p.store, f"k{i}", op, "person", None, {"family_name": str(i)})
        too_big = drafts.save(p.store, "big", op, "person", None, {"x": "y" * drafts.MAX_BYTES})
        assert not too_big
        return drafts.list_all(p.store, op)

    kept = bench.call(qtbot, fill)
    assert len(kept) == drafts.MAX_DRAFTS
    assert json.dumps(kept[0].values)
