"""Reference lists behind drop-downs and validators: countries, currencies, units, airports,
UN/LOCODE and HS codes. Each list loads lazily on first use and is cached for the process."""

from forms.reference.airports import Airport, get_airport, search_airports
from forms.reference.countries import Country, countries, country_name, is_country
from forms.reference.currencies import Currency, currencies, is_currency
from forms.reference.hs import HsCode, hs_index
from forms.reference.units import UNITS, Unit, is_unit, usual_units
from forms.reference.unlocode import Location, UnlocodeIndex, unlocode_index

__all__ = [
    "Airport",
    "get_airport",
    "search_airports",
    "UNITS",
    "Country",
    "Currency",
    "HsCode",
    "Location",
    "Unit",
    "UnlocodeIndex",
    "countries",
    "country_name",
    "currencies",
    "hs_index",
    "is_country",
    "is_currency",
    "is_unit",
    "unlocode_index",
    "usual_units",
]
