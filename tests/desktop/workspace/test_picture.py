"""The operation picture: counts that match the store, charts, and a valid PDF summary in
English and Arabic."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

import pytest
from PySide6 import QtPdf

import locales
from desktop.qt import Qt
from desktop.workspace.picture import PictureRoom
from desktop.workspace.picture_data import SCOPES, compute
from sync.client.local import LocalChanges
from tests.desktop.workspace.rooms_support import Rooms, solo  # noqa: F401 - fixture

PLACES = ["NGLOS", "FRCDG", "BRSSZ", "NLRTM", "ESALG", "DEHAM"]
ROUTES = [("COBOG", "FRCDG"), ("BRGRU", "NGLOS"), ("BRSSZ", "NLRTM"), ("ECGYE", "ESALG")]
CATEGORIES = ["drugs", "tobacco", "wildlife", "counterfeit", "medicines"]


def seizures(count: int, seed: int = 7) -> list[dict]:
    rnd = random.Random(seed)
    start = dt.date(2026, 9, 7)
    rows = []
    for n in range(count):
        departure, destination = rnd.choice(ROUTES)
        lines = [
            {"category": rnd.choice(CATEGORIES), "quantity": rnd.randint(1, 50), "unit": "kg"}
            for _ in range(rnd.randint(1, 2))
        ]
        row = {
            "seizure_date": (start + dt.timedelta(days=rnd.randint(0, 60))).isoformat(),
            "place": rnd.choice(PLACES),
            "conveyance": "air",
            "commodities": lines,
        }
        if n % 3:
            row["departure"], row["destination"] = departure, destination
        if n % 5 == 0:
            row["reporting_country"] = "PT"
        rows.append(row)
    return rows


def expected(rows: list[dict]) -> tuple[Counter, Counter, Counter, Counter]:
    commodity: Counter = Counter()
    country: Counter = Counter()
    week: Counter = Counter()
    route: Counter = Counter()
    for row in rows:
        for category in {line["category"] for line in row["commodities"]}:
            commodity[category] += 1
        country[row.get("reporting_country") or row["place"][:2]] += 1
        day = dt.date.fromisoformat(row["seizure_date"])
        week[day - dt.timedelta(days=day.weekday())] += 1
        if "departure" in row:
            route[(row["departure"], row["destination"])] += 1
    return commodity, country, week, route


def fill(rooms: Rooms, rows: list[dict], status: str = "submitted") -> None:
    op = rooms.op
    rooms.on_writer(lambda p: LocalChanges(p, op).add_records("seizure-long", 1, rows, status))
    rooms.on_writer(
        lambda p: LocalChanges(p, op).add_records("person", 1, [{"family_name": "Okafor"}], "draft")
    )


def open_room(qtbot, rooms: Rooms) -> PictureRoom:
    room = PictureRoom(rooms.session, rooms.operation)
    qtbot.addWidget(room)
    room.resize(1100, 760)
    with qtbot.waitSignal(room.loaded, timeout=20_000):
        room.show()
    return room


def test_counts_match_the_store(qtbot, solo: Rooms) -> None:  # noqa: F811
    rooms = solo
    rows = seizures(60)
    fill(rooms, rows)
    fill(rooms, seizures(5, seed=9), status="draft")
    room = open_room(qtbot, rooms)
    # by default the picture counts what was reported: submitted and validated, no drafts
    assert room.current_scope() == "reported"
    assert room.scope.currentText() == "Submitted and validated reports"
    assert room.picture is not None and room.picture.total == 60
    assert room.total.text() == "60 seizure reports"

    # every report, drafts included, when the coordinator asks for it (with the keyboard)
    room.scope.setFocus()
    with qtbot.waitSignal(room.loaded, timeout=20_000):
        qtbot.keyClick(room.scope, Qt.Key.Key_Up)
    assert room.current_scope() == "all"
    picture = room.picture
    assert picture is not None and picture.total == 65
    commodity, country, week, route = expected(rows + seizures(5, seed=9))
    assert dict(picture.by_commodity) == dict(commodity)
    assert dict(picture.by_country) == dict(country)
    assert {w: n for w, n in picture.by_week if n} == dict(week)
    top = sorted(route.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [((r.departure, r.destination), r.count) for r in picture.routes] == top
    assert picture.routes[0].departure_name  # a UN/LOCODE name, not only the code
    assert room.total.text() == "65 seizure reports"
    assert room.routes.rowCount() == len(top)
    # the charts show the same figures
    bars = room.commodities.chart().series()[0].barSets()[0]
    assert sorted(bars.at(i) for i in range(bars.count())) == sorted(commodity.values())

    # counting only submitted and validated reports leaves the drafts out
    with qtbot.waitSignal(room.loaded, timeout=20_000):
        room.scope.setCurrentIndex(SCOPES.index("reported"))
    assert room.picture is not None and room.picture.total == 60

    # the picture follows the store
    with qtbot.waitSignal(room.loaded, timeout=20_000):
        fill(rooms, seizures(3, seed=11))
        rooms.session.notify_changed(rooms.op)
    assert room.picture.total == 63


def test_an_empty_operation_has_an_empty_picture(qtbot, solo: Rooms) -> None:  # noqa: F811
    room = open_room(qtbot, solo)
    assert room.picture is not None and room.picture.total == 0
    assert room.routes.rowCount() == 0


@pytest.mark.parametrize("language", ["en", "ar"])
def test_pdf_summary_is_a_valid_pdf(qtbot, solo: Rooms, tmp_path: Path, language: str) -> None:  # noqa: F811
    locales.set_language(language)
    rooms = solo
    fill(rooms, seizures(20))
    room = open_room(qtbot, rooms)
    target = tmp_path / f"picture-{language}.pdf"
    with qtbot.waitSignal(room.exported, timeout=30_000):
        room.export_pdf(str(target))
    data = target.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    document = QtPdf.QPdfDocument()
    document.load(str(target))
    assert document.status() == QtPdf.QPdfDocument.Status.Ready
    assert document.pageCount() >= 2
    text = "".join(document.getAllText(page).text() for page in range(document.pageCount()))
    assert "20" in text
    if language == "en":
        assert "Top routes" in text and "Bogota" in text.replace("á", "a")
    assert not list(tmp_path.glob("*.part"))


def test_compute_ignores_malformed_fields(solo: Rooms, qtbot) -> None:  # noqa: F811
    rooms = solo
    bad = [
        {"seizure_date": "not a date", "commodities": "none", "place": 7},
        {"seizure_date": "2026-13-45", "commodities": [{"category": None}], "departure": "X"},
    ]
    fill(rooms, bad)
    picture = rooms.on_writer(lambda p: compute(p.store, rooms.op))
    assert picture.total == 2 and picture.undated == 2
    assert picture.routes == []


def test_compute_counts_odd_values_as_the_records_hold_them(tmp_path: Path, monkeypatch) -> None:
    """Values of unexpected types, empty and missing ones, ties between commodities: counted
    and ordered exactly (commodities by reports, then by category as SQLite orders it)."""
    from sync.store import keyfile
    from sync.store import profile as profiles
    from sync.store.operations import Operation

    monkeypatch.setenv(keyfile.TEST_MEMORY_ENV, "256")
    profile = profiles.create(tmp_path / "p", "pw", "Ana", "AT", "PT")
    store, op = profile.store, "cd" * 16
    store.operations.save(Operation(op, "Odd", "coordinator", "active"))
    rows = [
        {
            "seizure_date": 20260101,
            "place": "nlrtm",
            "departure": "brssz",
            "destination": "nlrtm",
            "commodities": [
                {"category": "drugs", "quantity": 2, "unit": "kg"},
                {"category": "drugs", "quantity": 500, "unit": "g"},
            ],
        },
        {
            "seizure_date": "20260101",
            "reporting_country": "",
            "place": "BEANR",
            "departure": "BRSSZ",
            "destination": "NLRTM",
            "commodities": [
                {"category": "tobacco", "quantity": 1.5, "unit": "kg"},
                {"quantity": 3},
            ],
        },
        {
            "seizure_date": "",
            "reporting_country": "pt",
            "departure": "",
            "destination": "NLRTM",
            "commodities": [{"category": ""}, {"category": 7, "quantity": 1, "unit": "kg"}],
        },
        {"seizure_date": None, "place": ["NL"], "commodities": {"category": "drugs"}},
        {"commodities": [{"category": "tobacco"}, {"category": "zebra", "unit": "kg"}]},
    ]
    with store.transaction():
        for n, fields in enumerate(rows):
            store.records.create(
                op,
                "seizure-long",
                1,
                fields,
                "dev",
                f"{n:013d}.0.x",
                status="submitted" if n else "draft",
            )
    picture = compute(store, op)
    reported = compute(store, op, "reported")
    profile.close()
    assert picture.total == 5 and picture.by_status == {"draft": 1, "submitted": 4}
    assert reported.total == 4
    # Ties at one report each: NULL category, then the number 7, then text in binary order.
    assert [name for name, _n in picture.by_commodity] == [
        "tobacco",
        "other",
        "7",
        "other",
        "drugs",
        "zebra",
    ]
    assert picture.kilograms == {"tobacco": 1.5, "7": 1.0, "drugs": 2.0}
    assert dict(picture.by_country) == {"NL": 1, "BE": 1, "PT": 1, '["': 1, "??": 1}
    # "20260101", as text or as a number, is an ISO date (basic format); "", null and missing
    # are not.
    assert picture.undated == 3
    assert [(w, n) for w, n in picture.by_week if n] == [(dt.date(2025, 12, 29), 2)]
    assert [(r.departure, r.destination, r.count) for r in picture.routes] == [
        ("BRSSZ", "NLRTM", 2)
    ]
