"""Reference lists: UN/LOCODE lookups (and their speed), HS codes, countries and currencies in
the interface language, units and airports."""

from __future__ import annotations

import time

from forms.reference import countries, country_name, currencies, hs_index, unlocode_index
from forms.reference.countries import lookup_country
from forms.reference.units import UNITS, normalise_unit, usual_units
from forms.reference.unlocode import UnlocodeIndex, read_locations


def test_unlocode_has_every_entry_and_exact_lookup() -> None:
    index = unlocode_index()
    assert len(index) > 115_000
    rotterdam = index.get("NL RTM")
    assert rotterdam is not None and rotterdam.name == "Rotterdam"
    algeciras = index.get("ESALG")
    assert algeciras is not None and algeciras.fits("sea") and not algeciras.fits("air")
    # A row the upstream file split on a comma inside the name is repaired.
    panama = index.get("PAPTY")
    assert panama is not None and panama.name == "Panama, Ciudad de" and panama.fits("air")
    cdg = index.get("FRCDG")
    assert cdg is not None and cdg.fits("air")
    assert index.get("ZZZZZ") is None


def test_unlocode_prefix_and_name_search() -> None:
    index = unlocode_index()
    assert "NLRTM" in [loc.code for loc in index.search("NLRT")]
    assert [loc.code for loc in index.search("nlrtm")][:1] == ["NLRTM"]
    assert "NLRTM" in [loc.code for loc in index.search("rotterd")]
    assert "ADALV" in [loc.code for loc in index.search("Vella")]  # a later word of the name
    assert all(loc.country == "DE" for loc in index.search("ber", country="DE"))
    assert len(index.search("s", limit=20)) == 20
    assert "SEGOT" in [loc.code for loc in index.search("goteb")]  # Göteborg, accents folded
    assert index.search("") == []


def test_unlocode_type_ahead_is_fast() -> None:
    index = unlocode_index()
    probes = [
        "a",
        "ro",
        "par",
        "FR",
        "CN",
        "sh",
        "New",
        "bo",
        "ber",
        "zz",
        "Mos",
        "sao",
        "NLR",
        "los a",
        "kin",
        "port",
        "san",
        "st",
        "m",
        "x",
    ] * 5
    times = []
    for probe in probes:
        start = time.perf_counter()
        index.search(probe)
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    assert p95 < 0.020, p95


def test_index_can_be_built_from_any_rows() -> None:
    rows = read_locations()[:100]
    small = UnlocodeIndex(rows)
    assert len(small) == 100 and small.get(rows[0].code) == rows[0]


def test_hs_codes() -> None:
    index = hs_index()
    assert len(index) > 6000
    assert index.is_valid("0901.11") and index.is_valid("09")
    assert not index.is_valid("0901.19.99.99.9")
    assert [c.code for c in index.search("2939")][:1] == ["2939"]
    assert any(c.code == "293972" for c in index.search("cocaine"))


def test_countries_in_the_interface_language() -> None:
    assert country_name("DE", "fr") == "Allemagne"
    assert country_name("DE", "ar") == "ألمانيا"
    assert country_name("DE", "zh_CN") == "德国"
    names = countries("es")
    assert len(names) >= 249 and any(c.name == "Alemania" for c in names)
    assert lookup_country("Deutschland") == "DE" and lookup_country("DEU") == "DE"


def test_currencies_units() -> None:
    codes = {c.code: c.name for c in currencies("fr")}
    assert codes["EUR"] == "euro" and "USD" in codes
    assert {u.code for u in UNITS} >= {"kg", "g", "l", "pieces", "sticks"}
    assert normalise_unit("Kgs") == "kg" and normalise_unit("шт") == "pieces"
    tobacco = usual_units("tobacco")
    assert tobacco is not None and "sticks" in tobacco
    assert usual_units("other") is None


def test_airports() -> None:
    from forms.reference import get_airport, search_airports

    cdg = get_airport("cdg")
    assert cdg is not None and cdg.icao == "LFPG" and cdg.country == "FR"
    assert get_airport("LFPG") == cdg and get_airport("QQQ") is None
    assert search_airports("CD")[0].iata.startswith("CD")
    assert any(a.iata == "BOG" for a in search_airports("bogota"))
