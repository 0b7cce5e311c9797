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
    assert room.total.text() == "60 seizure reports"

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
