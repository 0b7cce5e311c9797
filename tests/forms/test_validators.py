"""Each validator with good and bad values, and hypothesis: no outside value makes a validator
fail any other way than with a field-level problem."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms import validators as v
from forms.issues import FieldProblem
from forms.model import Choice, Field, FieldType
from forms.validators import VALIDATORS, Hints

H = Hints()


def field(ftype: FieldType, **kw: Any) -> Field:
    if ftype is FieldType.CHOICE and "choices" not in kw:
        kw["choices"] = (Choice("air", "Air"), Choice("sea", "Sea"))
    return Field(id="f", type=ftype, label="F", **kw)


def ok(ftype: FieldType, value: Any, **kw: Any) -> Any:
    return VALIDATORS[ftype](field(ftype, **kw), value, H)


def bad(ftype: FieldType, value: Any, **kw: Any) -> str:
    with pytest.raises(FieldProblem) as info:
        VALIDATORS[ftype](field(ftype, **kw), value, H)
    return info.value.code


@pytest.mark.parametrize(
    "raw, e164",
    [
        ("+33 1 42 68 53 00", "+33142685300"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("+7 (912) 345-67-89", "+79123456789"),
        ("+86 139 1234 5678", "+8613912345678"),
        ("+971 50 123 4567", "+971501234567"),
    ],
)
def test_phone_good(raw: str, e164: str) -> None:
    assert ok(FieldType.PHONE, raw) == e164


@pytest.mark.parametrize("raw", ["12345", "+33 1", "call me", "+999 123 456", "06 12 34 56 78"])
def test_phone_bad(raw: str) -> None:
    assert bad(FieldType.PHONE, raw) == "invalid_phone"


def test_phone_national_number_with_a_region_hint() -> None:
    f = field(FieldType.PHONE)
    assert v.phone(f, "06 12 34 56 78", Hints(default_region="FR")) == "+33612345678"


@pytest.mark.parametrize("raw, norm", [("IMO 9319466", "9319466"), ("9074729", "9074729")])
def test_imo_good(raw: str, norm: str) -> None:
    assert ok(FieldType.IMO, raw) == norm


@pytest.mark.parametrize("raw", ["IMO 9319467", "931946", "IMO ABCDEFG", ""])
def test_imo_bad(raw: str) -> None:
    assert bad(FieldType.IMO, raw) == "invalid_imo"


@pytest.mark.parametrize(
    "raw, norm",
    [
        ("CSQU3054383", "CSQU3054383"),
        ("csqu 305438 3", "CSQU3054383"),
        ("MSKU 907032-3", "MSKU9070323"),
    ],
)
def test_container_good(raw: str, norm: str) -> None:
    assert ok(FieldType.CONTAINER, raw) == norm


@pytest.mark.parametrize("raw", ["CSQU3054384", "CSQ3054383", "1234567890A", "CSQU30543"])
def test_container_bad(raw: str) -> None:
    assert bad(FieldType.CONTAINER, raw) == "invalid_container"


@pytest.mark.parametrize(
    "raw, norm",
    [
        ("DE 136 695 976", "DE136695976"),
        ("FR40303265045", "FR40303265045"),
        ("NL004495445B01", "NL004495445B01"),
    ],
)
def test_vat_good(raw: str, norm: str) -> None:
    assert ok(FieldType.VAT, raw) == norm


@pytest.mark.parametrize("raw", ["DE136695977", "136695976", "XX123456", "FR00000000001"])
def test_vat_bad(raw: str) -> None:
    assert bad(FieldType.VAT, raw) == "invalid_vat"


@pytest.mark.parametrize(
    "raw, norm", [("50-36-2", "50-36-2"), ("7647-01-0", "7647-01-0"), ("53-21-4", "53-21-4")]
)
def test_cas_good(raw: str, norm: str) -> None:
    assert ok(FieldType.CAS, raw) == norm


@pytest.mark.parametrize("raw", ["50-36-3", "5036", "abc-de-f", "7647-01-1"])
def test_cas_bad(raw: str) -> None:
    assert bad(FieldType.CAS, raw) == "invalid_cas"


@pytest.mark.parametrize(
    "raw, norm", [("NLRTM", "NLRTM"), ("fr cdg", "FRCDG"), ("CO-BOG", "COBOG")]
)
def test_unlocode_good(raw: str, norm: str) -> None:
    assert ok(FieldType.UNLOCODE, raw) == norm


@pytest.mark.parametrize(
    "raw, code",
    [
        ("ZZZZZ", "unknown_unlocode"),
        ("NLRT", "invalid_unlocode"),
        ("12345", "invalid_unlocode"),
        ("Rotterdam", "ambiguous_unlocode"),  # NLRTM, and a Rotterdam in New York State
        ("Paris", "ambiguous_unlocode"),  # five letters, but written as a name
        ("Nowhere-on-Sea", "invalid_unlocode"),
    ],
)
def test_unlocode_bad(raw: str, code: str) -> None:
    assert bad(FieldType.UNLOCODE, raw) == code


@pytest.mark.parametrize(
    "raw, norm", [("0901.11", "090111"), ("2939", "2939"), ("29", "29"), ("2939.72.00", "29397200")]
)
def test_hs_good(raw: str, norm: str) -> None:
    assert ok(FieldType.HS_CODE, raw) == norm


@pytest.mark.parametrize("raw", ["77", "0000", "2939.99.99", "123", "cocaine"])
def test_hs_bad(raw: str) -> None:
    assert bad(FieldType.HS_CODE, raw) == "invalid_hs"


def test_vin_format_and_check_digit() -> None:
    assert ok(FieldType.VIN, "1m8gdm9axkp042788") == "1M8GDM9AXKP042788"
    assert v.vin_check_digit_ok("1M8GDM9AXKP042788")
    assert not v.vin_check_digit_ok("1M8GDM9A1KP042788")
    assert bad(FieldType.VIN, "1M8GDM9AXKP04278") == "invalid_vin"
    assert bad(FieldType.VIN, "IM8GDM9AXKP042788") == "invalid_vin"  # I is never used


@pytest.mark.parametrize(
    "raw, norm",
    [("af 719", "AF719"), ("AF0719", "AF0719"), ("U2 1234", "U21234"), ("KLM1234", "KLM1234")],
)
def test_flight_good(raw: str, norm: str) -> None:
    assert ok(FieldType.FLIGHT, raw) == norm


@pytest.mark.parametrize("raw", ["719", "12 345", "AFAF 12", "A"])
def test_flight_bad(raw: str) -> None:
    assert bad(FieldType.FLIGHT, raw) == "invalid_flight"


@pytest.mark.parametrize(
    "raw, iso",
    [
        ("2026-11-02", "2026-11-02"),
        ("02/11/2026", "2026-11-02"),
        ("2.11.2026", "2026-11-02"),
        ("2026/11/02", "2026-11-02"),
        ("2026-11-02T10:00:00", "2026-11-02"),
        ("２/１１/２０２６", "2026-11-02"),
    ],
)  # full-width digits
def test_dates_good(raw: str, iso: str) -> None:
    assert ok(FieldType.DATE, raw) == iso


@pytest.mark.parametrize(
    "raw",
    [
        "31/02/2026",
        "2026-13-01",
        "yesterday",
        "11/2026",
        "0/0/0",
        "2026-02-30",
        "32.01.2026",
        "1700-01-01",
    ],
)
def test_malformed_dates(raw: str) -> None:
    assert bad(FieldType.DATE, raw) == "invalid_date"


@pytest.mark.parametrize(
    "raw, number",
    [
        ("12,5", 12.5),
        ("1 234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("1\u202f234,5", 1234.5),  # narrow no-break space, as French software writes it
        ("١٢٫٥", 12.5),  # Arabic-Indic digits and the Arabic decimal separator
        ("١٬٢٣٤", 1234),
        (7, 7),
        ("1e3", 1000),
    ],
)
def test_numbers(raw: Any, number: float) -> None:
    assert ok(FieldType.NUMBER, raw) == number


@pytest.mark.parametrize("raw", ["twelve", "nan", "inf", "1,2,3", True, "--1"])
def test_bad_numbers(raw: Any) -> None:
    assert bad(FieldType.NUMBER, raw) == "invalid_number"


def test_number_bounds() -> None:
    assert bad(FieldType.NUMBER, "-1", minimum=0.0) == "too_small"
    assert bad(FieldType.INTEGER, "2.5") == "invalid_integer"
    assert bad(FieldType.INTEGER, "3000", maximum=2100.0) == "too_large"


def test_reference_values() -> None:
    assert ok(FieldType.COUNTRY, "fra") == "FR"
    assert ok(FieldType.COUNTRY, "Allemagne") == "DE"
    assert ok(FieldType.COUNTRY, "Германия") == "DE"
    assert bad(FieldType.COUNTRY, "Atlantis") == "invalid_country"
    assert ok(FieldType.CURRENCY, "eur") == "EUR"
    assert bad(FieldType.CURRENCY, "EUX") == "invalid_currency"
    assert ok(FieldType.UNIT, "KGS") == "kg"
    assert bad(FieldType.UNIT, "furlongs") == "invalid_unit"
    assert ok(FieldType.AIRPORT, "cdg") == "CDG"
    assert ok(FieldType.AIRPORT, "LFPG") == "LFPG"
    assert bad(FieldType.AIRPORT, "QQQ") == "invalid_airport"


def test_choice_accepts_value_or_label() -> None:
    assert ok(FieldType.CHOICE, "air") == "air"
    assert ok(FieldType.CHOICE, "SEA") == "sea"
    assert bad(FieldType.CHOICE, "space") == "invalid_choice"


@pytest.mark.parametrize(
    "raw, value",
    [("Aérien", "air"), ("aereo", "air"), ("Морской", "sea"), ("بحري", "sea"), ("海运", "sea")],
)
def test_choice_accepts_the_label_in_any_interface_language(raw: str, value: str) -> None:
    """Spreadsheets from partner agencies carry the labels of their own language."""
    assert ok(FieldType.CHOICE, raw) == value


def test_a_refused_choice_names_the_values() -> None:
    with pytest.raises(FieldProblem) as info:
        VALIDATORS[FieldType.CHOICE](field(FieldType.CHOICE), "Avion", H)
    assert info.value.params == {"choices": "air, sea"}


def test_a_place_name_only_one_entry_has_is_taken_as_its_code() -> None:
    assert ok(FieldType.UNLOCODE, "Le Havre") == "FRLEH"
    assert ok(FieldType.UNLOCODE, "le havre") == "FRLEH"
    with pytest.raises(FieldProblem) as info:
        VALIDATORS[FieldType.UNLOCODE](field(FieldType.UNLOCODE), "Santos", H)
    assert info.value.params == {"name": "Santos", "codes": "BRSSZ, HUHBG"}


def test_text_limits_and_control_characters() -> None:
    assert ok(FieldType.TEXT, "  Иванов 李 محمد  ") == "Иванов 李 محمد"
    assert bad(FieldType.TEXT, "x" * 501) == "too_long"
    assert bad(FieldType.TEXT, "a\x00b") == "control_characters"
    assert ok(FieldType.TEXTAREA, "line one\nline two") == "line one\nline two"


def test_email_link_photo_coordinates() -> None:
    assert ok(FieldType.EMAIL, "A.B@Example.COM") == "A.B@example.com"
    assert bad(FieldType.EMAIL, "not an email") == "invalid_email"
    assert ok(FieldType.LINK, "person:p-1", link_templates=("person",)) == {
        "template": "person",
        "record_id": "p-1",
    }
    assert bad(FieldType.LINK, "vehicle:v-1", link_templates=("person",)) == "wrong_link_kind"
    assert bad(FieldType.LINK, {"template": "person", "record_id": "../etc"}) == "invalid_link"
    assert ok(FieldType.PHOTO, "att-01") == "att-01"
    assert bad(FieldType.PHOTO, "/etc/passwd") == "invalid_attachment"
    assert ok(FieldType.COORDINATES, "51.9, 4.5") == [51.9, 4.5]
    assert bad(FieldType.COORDINATES, "91, 0") == "invalid_coordinates"
    assert ok(FieldType.TIME, "6h40") == "06:40"
    assert bad(FieldType.TIME, "25:00") == "invalid_time"


OUTSIDE = st.one_of(
    st.text(max_size=60),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)


@settings(max_examples=60, deadline=None)
@given(ftype=st.sampled_from(sorted(VALIDATORS, key=str)), value=OUTSIDE)
def test_validators_fail_only_with_field_problems(ftype: FieldType, value: Any) -> None:
    f = field(ftype)
    try:
        VALIDATORS[ftype](f, value, H)
    except FieldProblem as problem:
        assert problem.issue("f").message  # a readable sentence


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_date_parser_never_crashes(text: str) -> None:
    try:
        result = v.date(field(FieldType.DATE), text, H)
    except FieldProblem:
        return
    assert len(result) == 10


@pytest.mark.parametrize(
    "raw",
    [
        "3 octobre 2026",
        "3 Octobre 2026",
        "Oct 3, 2026",
        "October 3rd, 2026",
        "3-Oct-2026",
        "3. Oktober 2026",
        "3 de octubre de 2026",
        "3 de outubro de 2026",
        "3 окт. 2026",
        "3 октября 2026",
        "3 Ekim 2026",
        "3 أكتوبر 2026",
        "2026年10月3日",
    ],
)
def test_a_date_with_its_month_as_a_word_in_any_interface_language(raw: str) -> None:
    assert ok(FieldType.DATE, raw) == "2026-10-03"


@pytest.mark.parametrize("raw", ["03/10/26", "3 Oct 26", "Oct 2026", "31 Feb 2026", "3 Foo 2026"])
def test_dates_that_would_need_a_guess_are_refused(raw: str) -> None:
    assert bad(FieldType.DATE, raw) == "invalid_date"
