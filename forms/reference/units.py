"""Units of quantity for seizures, and which units are usual for each commodity category."""

from __future__ import annotations

from dataclasses import dataclass

from locales import N_


@dataclass(frozen=True)
class Unit:
    code: str
    label: str  # gettext message id


UNITS: tuple[Unit, ...] = (
    Unit("mg", N_("milligrams")),
    Unit("g", N_("grams")),
    Unit("kg", N_("kilograms")),
    Unit("t", N_("tonnes")),
    Unit("ml", N_("millilitres")),
    Unit("l", N_("litres")),
    Unit("m", N_("metres")),
    Unit("m2", N_("square metres")),
    Unit("m3", N_("cubic metres")),
    Unit("pieces", N_("pieces")),
    Unit("pairs", N_("pairs")),
    Unit("packs", N_("packs")),
    Unit("tablets", N_("tablets")),
    Unit("doses", N_("doses")),
    Unit("ampoules", N_("ampoules")),
    Unit("sticks", N_("cigarettes (sticks)")),
    Unit("cartons", N_("cartons")),
    Unit("bottles", N_("bottles")),
    Unit("head", N_("head (live animals)")),
    Unit("rounds", N_("rounds")),
    Unit("banknotes", N_("banknotes")),
)
_CODES = frozenset(u.code for u in UNITS)
_ALIASES = {
    "kgs": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg", "kilogramme": "kg",
    "gr": "g", "gram": "g", "gramme": "g", "grams": "g", "ltr": "l", "litre": "l",
    "liter": "l", "litres": "l", "liters": "l", "pcs": "pieces", "pc": "pieces",
    "piece": "pieces", "units": "pieces", "unit": "pieces", "pieces": "pieces",
    "pièces": "pieces", "piezas": "pieces", "stück": "pieces", "stk": "pieces",
    "шт": "pieces", "adet": "pieces", "件": "pieces", "cigarettes": "sticks",
    "tonne": "t", "tonnes": "t", "ton": "t", "tons": "t", "cbm": "m3", "m³": "m3",
    "m²": "m2", "кг": "kg", "г": "g", "л": "l", "公斤": "kg", "千克": "kg", "克": "g",
    "كغ": "kg", "كيلوغرام": "kg", "غرام": "g",
}

_WEIGHT = ("mg", "g", "kg", "t")
_VOLUME = ("ml", "l", "m3")
USUAL_UNITS: dict[str, frozenset[str]] = {
    "drugs": frozenset((*_WEIGHT, "ml", "l", "tablets", "doses", "pieces", "packs")),
    "precursors": frozenset((*_WEIGHT, *_VOLUME)),
    "nps": frozenset((*_WEIGHT, "ml", "l", "tablets", "doses", "pieces", "packs")),
    "tobacco": frozenset(("sticks", "cartons", "kg", "g", "t", "packs", "pieces")),
    "alcohol": frozenset(("l", "ml", "bottles", "m3", "pieces")),
    "counterfeit": frozenset(("pieces", "pairs", "packs", "kg", "t", "cartons")),
    "medicines": frozenset(("tablets", "doses", "ampoules", "packs", "pieces", *_WEIGHT,
                            "ml", "l")),
    "wildlife": frozenset(("head", "pieces", "pairs", *_WEIGHT, "m2")),
    "timber": frozenset(("m3", "t", "kg", "pieces")),
    "weapons": frozenset(("pieces", "rounds")),
    "explosives": frozenset(("kg", "g", "t", "pieces")),
    "currency": frozenset(("banknotes", "pieces", "packs")),
    "strategic_goods": frozenset(("pieces", *_WEIGHT, *_VOLUME)),
    "cultural_property": frozenset(("pieces",)),
    "hazardous_waste": frozenset(("kg", "t", "l", "m3")),
}


def is_unit(code: str) -> bool:
    return code in _CODES


def normalise_unit(text: str) -> str | None:
    """A unit code for a code or a common spelling (``KGS``, ``pcs``, ``кг``), or None."""
    folded = text.strip().casefold().rstrip(".")
    if folded in _CODES:
        return folded
    return _ALIASES.get(folded)


def usual_units(category: str) -> frozenset[str] | None:
    """Units usual for a commodity category; None when any unit is plausible."""
    return USUAL_UNITS.get(category)
