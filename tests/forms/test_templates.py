"""Templates: every shipped template loads and validates a realistic example; the model
refuses malformed definitions; the Babel extractor finds every label."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from forms.babel_extract import extract
from forms.model import HANDLING_CODES, FieldType, TemplateError, template_from_dict
from forms.registry import TEMPLATE_DIR, get_template, list_templates, template_source
from forms.validation import ValidationContext, validate_record
from tests.forms.examples import EXAMPLES

REQUIRED_TEMPLATES = {
    "seizure-long",
    "seizure-short",
    "person",
    "company",
    "vehicle",
    "vessel",
    "container",
    "document",
}


def test_all_required_templates_are_shipped_and_versioned() -> None:
    ids = {t.id for t in list_templates()}
    assert ids >= REQUIRED_TEMPLATES
    for template in list_templates():
        assert template.version >= 1
        assert template.key == f"{template.id}@{template.version}"


@pytest.mark.parametrize("template_id", sorted(REQUIRED_TEMPLATES))
def test_every_template_validates_a_realistic_example(
    template_id: str, ctx: ValidationContext
) -> None:
    result = validate_record(get_template(template_id), EXAMPLES[template_id], ctx)
    assert result.errors == [], [e.to_dict() for e in result.errors]
    # Every value given survives normalisation.
    assert set(result.values) == set(EXAMPLES[template_id])


@pytest.mark.parametrize("template_id", sorted(REQUIRED_TEMPLATES))
def test_every_template_carries_handling_code_and_evaluation(template_id: str) -> None:
    template = get_template(template_id)
    handling = template.field("handling_code")
    assert handling is not None and handling.required
    assert tuple(c.value for c in handling.choices) == HANDLING_CODES
    reliability = template.field("source_reliability")
    accuracy = template.field("information_accuracy")
    assert reliability is not None and [c.value for c in reliability.choices] == list("ABCX")
    assert accuracy is not None and [c.value for c in accuracy.choices] == list("1234")


def test_seizure_long_has_the_fields_the_issue_lists() -> None:
    t = get_template("seizure-long")
    for fid, ftype in [
        ("seizure_date", FieldType.DATE),
        ("place", FieldType.UNLOCODE),
        ("detection_method", FieldType.CHOICE),
        ("concealment_method", FieldType.CHOICE),
        ("conveyance", FieldType.CHOICE),
        ("carrier", FieldType.TEXT),
        ("flight_number", FieldType.FLIGHT),
        ("vessel_imo", FieldType.IMO),
        ("container_number", FieldType.CONTAINER),
        ("departure", FieldType.UNLOCODE),
        ("transit", FieldType.UNLOCODE),
        ("destination", FieldType.UNLOCODE),
        ("commodities", FieldType.GROUP),
    ]:
        f = t.field(fid)
        assert f is not None and f.type is ftype, fid
    conveyance = t.field("conveyance")
    assert conveyance is not None
    assert {c.value for c in conveyance.choices} == {
        "air",
        "sea",
        "road",
        "rail",
        "postal",
        "express_courier",
    }
    commodities = t.field("commodities")
    assert commodities is not None
    category = commodities.subfield("category")
    assert category is not None and len(category.choices) == 16
    for sub in (
        "description",
        "hs_code",
        "cas_number",
        "quantity",
        "unit",
        "estimated_value",
        "currency",
    ):
        assert commodities.subfield(sub) is not None, sub
    transit = t.field("transit")
    assert transit is not None and transit.multiple


def test_links_name_the_templates_they_point_to() -> None:
    t = get_template("seizure-long")
    for fid, target in [
        ("persons", "person"),
        ("vehicles", "vehicle"),
        ("containers", "container"),
        ("vessels", "vessel"),
    ]:
        f = t.field(fid)
        assert f is not None and f.type is FieldType.LINK and f.link_templates == (target,)


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ({"id": "x", "version": 1, "title": "X"}, "sections"),
        ({"id": "x", "version": 0, "title": "X", "sections": []}, "version"),
        (
            {
                "id": "x",
                "version": 1,
                "title": "X",
                "sections": [{"id": "s", "fields": [{"id": "a", "type": "nope", "label": "A"}]}],
            },
            "unknown field type",
        ),
        (
            {
                "id": "x",
                "version": 1,
                "title": "X",
                "sections": [{"id": "s", "fields": [{"id": "a", "type": "choice", "label": "A"}]}],
            },
            "needs choices",
        ),
        (
            {
                "id": "x",
                "version": 1,
                "title": "X",
                "sections": [
                    {
                        "id": "s",
                        "fields": [
                            {"id": "a", "type": "text", "label": "A"},
                            {"id": "a", "type": "text", "label": "B"},
                        ],
                    }
                ],
            },
            "twice",
        ),
        (
            {
                "id": "x",
                "version": 1,
                "title": "X",
                "sections": [
                    {"id": "s", "fields": [{"id": "a", "type": "text", "label": "A", "evil": 1}]}
                ],
            },
            "unknown keys",
        ),
        (
            {
                "id": "x",
                "version": 1,
                "title": "X",
                "sections": [],
                "rules": [{"kind": "after", "field": "a", "other": "b"}],
            },
            "unknown field",
        ),
    ],
)
def test_malformed_templates_are_refused(raw: dict[str, object], fragment: str) -> None:
    with pytest.raises(TemplateError, match=fragment):
        template_from_dict(raw)


def test_source_is_a_copy() -> None:
    source = template_source("person")
    source["title"] = "changed"
    assert template_source("person")["title"] == "Person"


def test_extractor_yields_every_label_help_title_and_choice() -> None:
    path = TEMPLATE_DIR / "seizure-long.json"
    messages = list(extract(io.BytesIO(path.read_bytes()), {}, [], {}))
    ids = {m[2] for m in messages}
    t = get_template("seizure-long")
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["title"] in ids and t.title in ids
    for f in t.fields():
        if f.id in {
            "handling_code",
            "source_reliability",
            "information_accuracy",
            "handling_conditions",
        }:
            continue  # the evaluation section lives in Python (N_ marked)
        assert f.label in ids
        if f.help:
            assert f.help in ids
        for choice in f.choices:
            assert choice.label in ids
    assert "The arrival date is before the departure date." in ids
    assert all(m[0] >= 1 and m[1] == "_" for m in messages)
    assert all(m[3] and m[3][0].startswith("Translators:") for m in messages)


def test_locale_tools_extract_template_strings() -> None:
    from locales import tools

    root = Path(__file__).resolve().parents[2]
    catalog = tools.extract(root, packages=("forms",))
    ids = {m.id for m in catalog if isinstance(m.id, str)}
    assert "Seizure report (short form)" in ids  # from a template file
    assert "Handling code" in ids  # from Python, N_ marked
    assert "Wildlife (CITES)" in ids


def test_babel_extractor_entry_point_is_registered() -> None:
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group="babel.extractors")}
    assert found.get("cordon_template") == "forms.babel_extract:extract"


def test_pybabel_extract_reads_templates(tmp_path: Path) -> None:
    """`pybabel extract` with a mapping naming the registered extractor picks up labels."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    mapping = tmp_path / "babel.cfg"
    mapping.write_text("[cordon_template: **.json]\n", encoding="utf-8")
    out = tmp_path / "t.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(mapping),
            "-o",
            str(out),
            "forms/templates",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    text = out.read_text(encoding="utf-8")
    assert 'msgid "Vessel IMO number"' in text
    assert 'msgid "Concealment method"' in text
