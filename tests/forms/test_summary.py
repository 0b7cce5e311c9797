"""The one-line summary of a record says what and how much, the route and the date."""

from __future__ import annotations

from forms.registry import get_template
from forms.summary import record_summary


def _seizure(**more):
    return {
        "seizure_date": "2026-10-02",
        "place": "NLRTM",
        "conveyance": "sea",
        "commodities": [
            {"category": "drugs", "description": "cocaine", "quantity": 412, "unit": "kg"}
        ],
        **more,
    }


def test_a_seizure_says_what_how_much_the_route_and_the_date() -> None:
    fields = _seizure(departure="NLRTM", destination="ESMAD")
    assert record_summary(get_template("seizure-long"), fields) == (
        "412 kg cocaine · NLRTM → ESMAD · 2026-10-02"
    )


def test_without_a_route_the_place_and_a_long_description_gives_way_to_the_category() -> None:
    fields = _seizure(
        commodities=[
            {"category": "tobacco", "description": "x" * 80, "quantity": 12000, "unit": "sticks"},
            {"category": "drugs", "description": "heroin", "quantity": 1.5, "unit": "kg"},
            {"category": "drugs", "description": "khat", "quantity": 20, "unit": "kg"},
        ]
    )
    text = record_summary(get_template("seizure-short"), fields)
    assert (
        text
        == "12\u202f000 cigarettes (sticks) Tobacco, 1.5 kg heroin +1 more · NLRTM · 2026-10-02"
    )


def test_other_templates_show_their_first_values() -> None:
    person = {"family_name": "Okafor", "given_names": "Chidi", "role": "suspect"}
    assert record_summary(get_template("person"), person) == "Okafor · Chidi · Suspect"
