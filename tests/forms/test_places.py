"""Places as officers name them: airports by IATA code, name or the town beside them, mapped to
UN/LOCODE; a place's own country first; codes shown with their names."""

from __future__ import annotations

import pytest

from forms.reference.places import (
    airport_locode,
    code_in_label,
    place_label,
    search_places,
)
from forms.registry import get_template
from forms.validation import ValidationContext, validate_record


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("CDG", "FRCDG"),
        ("cdg", "FRCDG"),
        ("Roissy", "FRCDG"),
        ("Charles de Gaulle", "FRCDG"),
        ("charles de g", "FRCDG"),
        ("Schiphol", "NLAMS"),
        ("JFK", "USJFK"),
        ("Barajas", "ESMAD"),
        ("Orly", "FRORY"),
    ],
)
def test_airports_are_found_as_officers_name_them(typed: str, code: str) -> None:
    found = [place.code for place in search_places(typed, 10)]
    assert code in found[:3], found


def test_an_iata_code_maps_to_the_airports_unlocode() -> None:
    assert airport_locode("CDG") == "FRCDG"
    assert airport_locode("JFK") == "USJFK"
    assert airport_locode("MAD") == "ESMAD"
    assert airport_locode("AMS") == "NLAMS"
    assert airport_locode("DSS") is not None  # Dakar's new airport has no IATA-named entry


def test_a_place_of_that_very_name_comes_before_its_airports() -> None:
    assert search_places("Paris", 5, "FR")[0].code == "FRPAR"
    assert search_places("Rotterdam", 5)[0].code == "NLRTM"
    assert "ESMAD" in [p.code for p in search_places("Madrid", 5)[:2]]


def test_the_officers_own_country_comes_first() -> None:
    assert search_places("Rotterdam", 5, "US")[0].code.startswith("US")
    assert search_places("Paris", 5, "CA")[0].code == "CAPAO"


def test_a_code_is_shown_with_its_name() -> None:
    assert place_label("FRCDG") == "Paris-Charles de Gaulle (FRCDG)"
    assert place_label("NLRTM") == "Rotterdam (NLRTM)"
    assert place_label("NLAMS") == "Amsterdam (NLAMS)"  # the city, which also has an airport
    assert place_label("XXZZZ") == "XXZZZ"
    assert code_in_label("Paris-Charles de Gaulle (FRCDG)") == "FRCDG"
    assert code_in_label("Rotterdam") is None


def test_the_shown_label_is_stored_as_its_code() -> None:
    template = get_template("seizure-long")
    values = {"place": "Paris-Charles de Gaulle (FRCDG)", "conveyance": "air"}
    result = validate_record(template, values, ValidationContext())
    assert result.values["place"] == "FRCDG"
    assert not [e for e in result.errors if e.field == "place"]


def test_the_route_warning_says_it_in_words() -> None:
    template = get_template("seizure-long")
    values = {"conveyance": "air", "departure": "ESALG", "destination": "FRCDG"}
    warnings = _route_warnings(template, values)
    assert [w.field for w in warnings] == ["departure"], "a seaport on an air route warns"
    text = warnings[0].message
    assert "Algeciras (ESALG)" in text and "airport" in text
    assert "transport function" not in text


def _route_warnings(template, values):
    import datetime as dt

    from forms import quality

    result = validate_record(template, values, ValidationContext())
    context = quality.QualityContext(dt.date.today())
    checks = quality.quality_warnings(template, result.values, context)
    return [w for w in checks if w.code == "route_function"]
