"""Everyday words officers write in a spreadsheet for the values of a choice list, in the nine
interface languages, where they differ from the list's own labels: "Drogues" and "Drogas" for
drugs (the French label is "Stupéfiants"). Import and validation accept them; the stored value
is the list's code. Only words that name one value unambiguously are listed."""

from __future__ import annotations

import functools

from forms.text import fold

# field id -> choice value -> synonyms (any case and accents)
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "category": {
        "drugs": (
            "drug",
            "narcotics",
            "narcotic",
            "drogue",
            "drogues",
            "stupefiant",
            "stupefiants",
            "droga",
            "drogas",
            "estupefacientes",
            "entorpecentes",
            "drogen",
            "rauschgift",
            "betaubungsmittel",
            "наркотики",
            "наркотик",
            "uyusturucu",
            "مخدرات",
            "مخدر",
            "毒品",
            "麻醉品",
        ),
        "tobacco": (
            "cigarettes",
            "cigarette",
            "tabac",
            "tabaco",
            "cigarrillos",
            "tabak",
            "zigaretten",
            "табак",
            "сигареты",
            "tutun",
            "sigara",
            "تبغ",
            "سجائر",
            "烟草",
            "香烟",
        ),
        "alcohol": (
            "alcool",
            "spirits",
            "alkohol",
            "алкоголь",
            "alkol",
            "كحول",
            "酒",
            "酒类",
        ),
        "counterfeit": (
            "counterfeits",
            "fake goods",
            "contrefacon",
            "contrefacons",
            "falsificaciones",
            "falsificados",
            "contrafeitos",
            "falschungen",
            "контрафакт",
            "sahte",
            "مقلدة",
            "假冒",
            "假货",
        ),
        "medicines": (
            "medicine",
            "medication",
            "medicaments",
            "medicament",
            "medicamentos",
            "medikamente",
            "arzneimittel",
            "лекарства",
            "ilac",
            "ilaclar",
            "أدوية",
            "药品",
        ),
        "weapons": (
            "arms",
            "firearms",
            "armes",
            "arme",
            "armas",
            "waffen",
            "оружие",
            "silah",
            "silahlar",
            "أسلحة",
            "武器",
        ),
        "currency": (
            "cash",
            "money",
            "especes",
            "argent",
            "efectivo",
            "dinero",
            "dinheiro",
            "bargeld",
            "наличные",
            "деньги",
            "nakit",
            "نقود",
            "现金",
            "货币",
        ),
    },
}


@functools.cache
def _folded(field_id: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for value, words in SYNONYMS.get(field_id, {}).items():
        for word in words:
            table[fold(word)] = value
    return table


def synonym_value(field_id: str, text: str, allowed: frozenset[str]) -> str | None:
    """The choice value ``text`` names for field ``field_id`` (None when it names none)."""
    value = _folded(field_id).get(fold(text))
    return value if value in allowed else None
