"""Column mapping suggestions from headers in the nine interface languages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms.importing import ColumnMapping, check_mapping, suggest_mapping
from forms.records import AssignmentError, parse_assignments
from forms.registry import get_template

HEADERS = {
    "en": ["Date of seizure", "Place", "Conveyance", "Category", "Quantity", "Unit"],
    "fr": ["Date de saisie", "Lieu", "Moyen de transport", "Catégorie", "Quantité", "Unité"],
    "es": [
        "Fecha de incautación",
        "Lugar",
        "Medio de transporte",
        "Categoría",
        "Cantidad",
        "Unidad",
    ],
    "pt": [
        "Data da apreensão",
        "Local",
        "Meio de transporte",
        "Categoria",
        "Quantidade",
        "Unidade",
    ],
    "de": ["Beschlagnahmedatum", "Ort", "Verkehrsträger", "Kategorie", "Menge", "Einheit"],
    "ru": ["Дата изъятия", "Место", "Вид транспорта", "Категория", "Количество", "Единица"],
    "tr": ["Yakalama tarihi", "Yer", "Taşıma şekli", "Kategori", "Miktar", "Birim"],
    "ar": ["تاريخ الضبط", "المكان", "وسيلة النقل", "الفئة", "الكمية", "الوحدة"],
    "zh": ["查获日期", "地点", "运输方式", "类别", "数量", "单位"],
}
EXPECTED = [
    "seizure_date",
    "place",
    "conveyance",
    "commodities.category",
    "commodities.quantity",
    "commodities.unit",
]


@pytest.mark.parametrize("language", sorted(HEADERS))
def test_headers_in_every_interface_language(language: str) -> None:
    mapping = suggest_mapping(HEADERS[language], get_template("seizure-short"))
    assert [mapping.columns[h] for h in HEADERS[language]] == EXPECTED


def test_decorated_and_unknown_headers() -> None:
    mapping = suggest_mapping(
        ["QUANTITÉ (kg)", "N° conteneur", "Zzz"], get_template("seizure-long")
    )
    assert mapping.columns == {
        "QUANTITÉ (kg)": "commodities.quantity",
        "N° conteneur": "container_number",
        "Zzz": "",
    }


def test_field_paths_as_headers_map_to_themselves() -> None:
    mapping = suggest_mapping(["commodities.2.quantity", "place"], get_template("seizure-long"))
    assert mapping.columns == {"commodities.2.quantity": "commodities.2.quantity", "place": "place"}
    assert check_mapping(get_template("seizure-long"), mapping) == []
    assert check_mapping(get_template("vehicle"), mapping) == ["commodities.2.quantity", "place"]


def test_mapping_json_round_trip() -> None:
    mapping = ColumnMapping({"A": "plate", "B": ""}, "vehicle")
    assert ColumnMapping.from_dict(mapping.to_dict()) == mapping
    with pytest.raises(ValueError):
        ColumnMapping.from_dict({"columns": {"A": 3}})


def test_set_assignments_for_the_cli() -> None:
    template = get_template("seizure-long")
    values = parse_assignments(
        template,
        [
            "place=NLRTM",
            "transit=ESALG",
            "transit=PAPTY",
            "commodities.1.category=drugs",
            "commodities.1.quantity=3",
            "commodities.2.category=tobacco",
            "summary=a=b",
        ],
    )
    assert values == {
        "place": "NLRTM",
        "transit": ["ESALG", "PAPTY"],
        "summary": "a=b",
        "commodities": [{"category": "drugs", "quantity": "3"}, {"category": "tobacco"}],
    }
    for bad in ("nofield", "=x", "wings=2", "commodities.1.wings=3"):
        with pytest.raises(AssignmentError):
            parse_assignments(template, [bad])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=12))
def test_any_headers_get_a_usable_mapping(headers: list[str]) -> None:
    template = get_template("person")
    mapping = suggest_mapping(headers, template)
    assert check_mapping(template, mapping) == []
    targets = [t for t in mapping.columns.values() if t]
    assert len(targets) == len(set(targets))
