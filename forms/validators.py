"""One validator per field type: each takes an outside value (typed in, imported, or sent by
another participant) and returns the normalised value, or raises FieldProblem."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from forms.issues import FieldProblem
from forms.model import Field, FieldType
from forms.text import fold
from locales import N_

if TYPE_CHECKING:
    from forms.reference.unlocode import Location

TEXT_MAX = 500
TEXTAREA_MAX = 20000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s<>()\[\]\\,;:\"]{1,64}@([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$")
_FLIGHT = re.compile(r"^([A-Z0-9]{2}|[A-Z]{3})\s?(\d{1,4})([A-Z]?)$")
_RECORD_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:h.]([0-5]\d)(?::([0-5]\d))?$")


@dataclass(frozen=True)
class Hints:
    """What a validator may need beyond the value: the region for national phone numbers."""

    default_region: str | None = None


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        raise FieldProblem("invalid_text", N_("Enter text, not a yes/no value."))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    raise FieldProblem("invalid_text", N_("Enter text."))


def text(f: Field, value: Any, hints: Hints) -> str:
    result = _as_text(value)
    limit = f.max_length or (TEXTAREA_MAX if f.type is FieldType.TEXTAREA else TEXT_MAX)
    if len(result) > limit:
        raise FieldProblem("too_long", N_("Enter at most {limit} characters."), limit=limit)
    allowed = result if f.type is FieldType.TEXTAREA else result.replace("\n", " ")
    if _CONTROL.search(allowed):
        raise FieldProblem("control_characters", N_("Remove the control characters."))
    return allowed


# Spaces as thousands separators (plain, no-break, narrow no-break, Arabic thousands mark) go;
# the Arabic decimal separator becomes a point: "١٢٫٥" reads 12.5.
_NUMBER_MARKS = str.maketrans(
    {" ": None, "\u00a0": None, "\u202f": None, "\u066c": None, "\u066b": "."}
)


def _parse_number(value: Any) -> float:
    if isinstance(value, bool):
        raise FieldProblem("invalid_number", N_("Enter a number."))
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        raw = value.strip().translate(_NUMBER_MARKS)
        # "12,5" is a decimal comma; "1,234.5" and "1.234,5" carry thousands separators.
        if "," in raw and "." in raw:
            raw = (
                raw.replace(",", "")
                if raw.rfind(".") > raw.rfind(",")
                else (raw.replace(".", "").replace(",", "."))
            )
        elif raw.count(",") == 1:
            raw = raw.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?", raw):
            raise FieldProblem("invalid_number", N_("Enter a number."))
        number = float(raw)
    else:
        raise FieldProblem("invalid_number", N_("Enter a number."))
    if not math.isfinite(number):
        raise FieldProblem("invalid_number", N_("Enter a number."))
    return number


def _bounds(f: Field, number: float) -> None:
    if f.minimum is not None and number < f.minimum:
        raise FieldProblem("too_small", N_("Enter at least {minimum}."), minimum=f"{f.minimum:g}")
    if f.maximum is not None and number > f.maximum:
        raise FieldProblem("too_large", N_("Enter at most {maximum}."), maximum=f"{f.maximum:g}")


def number(f: Field, value: Any, hints: Hints) -> float | int:
    result = _parse_number(value)
    _bounds(f, result)
    return int(result) if result.is_integer() and abs(result) < 2**53 else result


def integer(f: Field, value: Any, hints: Hints) -> int:
    result = _parse_number(value)
    if not result.is_integer():
        raise FieldProblem("invalid_integer", N_("Enter a whole number."))
    _bounds(f, result)
    return int(result)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(value: Any) -> dt.date:
    """ISO dates, and day-first dates (DD/MM/YYYY, DD.MM.YYYY) as most of the world writes
    them; anything else is refused rather than guessed."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        raw = value.strip()
        fast = _ISO_DATE.match(raw) or _DMY_DATE.match(raw)
        if fast:  # the common shapes, without strptime's cost
            a, b, c = (int(g) for g in fast.groups())
            year, month, day = (a, b, c) if len(fast.group(1)) == 4 else (c, b, a)
            try:
                parsed = dt.date(year, month, day)
            except ValueError:
                parsed = None
            if parsed is not None and 1800 <= parsed.year <= 2200:
                return parsed
            raise FieldProblem("invalid_date", N_("Enter a date as YYYY-MM-DD (or DD/MM/YYYY)."))
        if "T" in raw or (len(raw) > 10 and raw[:4].isdigit()):
            raw = raw[:10]
        for fmt in _DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date
            except ValueError:
                continue
            if 1800 <= parsed.year <= 2200:
                return parsed
        named = _date_with_month_name(value.strip())
        if named is not None:
            return named
    raise FieldProblem("invalid_date", N_("Enter a date as YYYY-MM-DD (or DD/MM/YYYY)."))


_DATE_FILLERS = frozenset({"de", "del", "do", "da"})  # "3 de octubre de 2026"
_CJK_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_DATE_TOKENS = re.compile(r"(\d+)(?:st|nd|rd|th|er|e|º|°)?(?![^\W\d_])|[^\W\d_]+")


def _date_with_month_name(raw: str) -> dt.date | None:
    """ "3 octobre 2026", "Oct 3, 2026", "3-Oct-2026", "3 окт. 2026", "2026年10月3日": a month
    written as a word (in any interface language) leaves nothing to guess; a two-digit year
    still does, and is refused."""
    cjk = _CJK_DATE.match(raw)
    if cjk:
        year, month, day = (int(g) for g in cjk.groups())
    else:
        numbers: list[str] = []
        words: list[str] = []
        for match in _DATE_TOKENS.finditer(raw):
            if match.group(1) is not None:
                numbers.append(match.group(1))
            elif fold(match.group(0)) not in _DATE_FILLERS:
                words.append(match.group(0))
        if len(words) != 1 or len(numbers) != 2:
            return None
        month_number = _month_names().get(fold(words[0]))
        years = [n for n in numbers if len(n) == 4]
        days = [n for n in numbers if len(n) <= 2]
        if month_number is None or len(years) != 1 or len(days) != 1:
            return None
        year, month, day = int(years[0]), month_number, int(days[0])
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        return None
    return parsed if 1800 <= parsed.year <= 2200 else None


@functools.cache
def _month_names() -> dict[str, int]:
    """Month names and abbreviations of every interface language, folded ("oct", "octobre",
    "oktober", "октября", "ekim", "أكتوبر"); a name two months share is left out."""
    from babel.dates import get_month_names

    from locales import LANGUAGES, babel_locale

    found: dict[str, set[int]] = {}
    for lang in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names = get_month_names(width, context, locale=babel_locale(lang.code))
                for number, name in names.items():
                    found.setdefault(fold(name), set()).add(int(number))
    return {name: months.pop() for name, months in found.items() if name and len(months) == 1}


def date(f: Field, value: Any, hints: Hints) -> str:
    return parse_date(value).isoformat()


def datetime_(f: Field, value: Any, hints: Hints) -> str:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise FieldProblem(
                "invalid_datetime", N_("Enter a date and time as YYYY-MM-DD HH:MM.")
            ) from None
    else:
        raise FieldProblem("invalid_datetime", N_("Enter a date and time as YYYY-MM-DD HH:MM."))
    return parsed.isoformat(timespec="minutes")


def time(f: Field, value: Any, hints: Hints) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.datetime):
        return value.strftime("%H:%M")
    match = _TIME.match(_as_text(value))
    if not match:
        raise FieldProblem("invalid_time", N_("Enter a time as HH:MM."))
    return f"{int(match.group(1)):02d}:{match.group(2)}"


_LISTED_CHOICES = 24  # up to this many values are named in the error message


def choice(f: Field, value: Any, hints: Hints) -> str:
    """A value of the list, given as its code or its label in any interface language
    ("sea", "Sea", "maritime", "морской"); a label that fits two values is refused."""
    from forms.text import folded_labels

    raw = _as_text(value)
    if raw in f.choice_values():
        return raw
    folded = fold(raw)
    for option in f.choices:
        if folded in (fold(option.value), fold(option.label)):
            return option.value
    fits = {o.value for o in f.choices if folded and folded in folded_labels(o.label)}
    if len(fits) == 1:
        return fits.pop()
    from forms.reference.synonyms import synonym_value

    named = synonym_value(f.id, raw, f.choice_values())  # "Drogues", the word officers use
    if named is not None:
        return named
    values = [option.value for option in f.choices]
    if 0 < len(values) <= _LISTED_CHOICES:
        raise FieldProblem(
            "invalid_choice", N_("Choose one of: {choices}."), choices=", ".join(values)
        )
    raise FieldProblem("invalid_choice", N_("Choose one of the listed values."))


def boolean(f: Field, value: Any, hints: Hints) -> bool:
    if isinstance(value, bool):
        return value
    raw = _as_text(value).casefold()
    if raw in ("1", "true", "yes", "y", "oui", "si", "sí", "ja", "sim", "да", "evet", "نعم", "是"):
        return True
    if raw in ("0", "false", "no", "n", "non", "nein", "não", "nao", "нет", "hayır", "لا", "否"):
        return False
    raise FieldProblem("invalid_boolean", N_("Enter yes or no."))


def country(f: Field, value: Any, hints: Hints) -> str:
    from forms.reference.countries import lookup_country

    code = lookup_country(_as_text(value))
    if code is None:
        raise FieldProblem("invalid_country", N_("Choose a country from the list."))
    return code


def currency(f: Field, value: Any, hints: Hints) -> str:
    from forms.reference.currencies import is_currency

    code = _as_text(value).upper()
    if not is_currency(code):
        raise FieldProblem("invalid_currency", N_("Enter an ISO 4217 currency code such as EUR."))
    return code


def unit(f: Field, value: Any, hints: Hints) -> str:
    from forms.reference.units import normalise_unit

    code = normalise_unit(_as_text(value))
    if code is None:
        raise FieldProblem("invalid_unit", N_("Choose a unit from the list."))
    return code


def unlocode(f: Field, value: Any, hints: Hints) -> str:
    """A UN/LOCODE ("NLRTM", "nl rtm"), or a place name that only one entry has ("Le Havre")."""
    from forms.reference.places import code_in_label
    from forms.reference.unlocode import normalise_code, unlocode_index

    text = _as_text(value)
    labelled = code_in_label(text)  # "Paris-Charles de Gaulle (FRCDG)", as the editor shows it
    if labelled is not None and unlocode_index().get(labelled) is not None:
        return labelled
    code = normalise_code(text)
    is_code = len(code) == 5 and code[:2].isalpha()
    if is_code and unlocode_index().get(code) is not None:
        return code
    # "Le Havre", or "Paris" and "Lagos", which look like codes but are written as names
    places = _places_named(text) if not (is_code and text.strip().isupper()) else []
    if len(places) == 1:
        return str(places[0].code)
    if places:
        shown = ", ".join(loc.code for loc in places[:6]) + (", …" if len(places) > 6 else "")
        raise FieldProblem(
            "ambiguous_unlocode",
            N_("{name} is the name of several places ({codes}); enter the UN/LOCODE."),
            name=text.strip(),
            codes=shown,
        )
    if is_code:
        raise FieldProblem("unknown_unlocode", N_("{code} is not a UN/LOCODE."), code=code)
    raise FieldProblem("invalid_unlocode", N_("Enter a five-character UN/LOCODE such as NLRTM."))


def _places_named(text: str) -> list[Location]:
    """The UN/LOCODE entries whose name is ``text`` (case, accents and spacing aside)."""
    from forms.reference.unlocode import unlocode_index
    from forms.text import fold_name

    key = fold_name(text)
    if len(key) < 3:
        return []
    return [
        loc
        for loc in unlocode_index().by_name_prefix(text, 50)
        if key in (fold_name(loc.name), fold_name(loc.name_ascii))
    ]


def airport(f: Field, value: Any, hints: Hints) -> str:
    from forms.reference.airports import get_airport
    from forms.reference.places import code_in_label

    text = _as_text(value)
    code = (code_in_label(text) or text).upper()  # "Paris-Charles de Gaulle (CDG)" too
    if len(code) not in (3, 4) or get_airport(code) is None:
        raise FieldProblem("invalid_airport", N_("Enter an IATA or ICAO airport code."))
    return code


def hs_code(f: Field, value: Any, hints: Hints) -> str:
    from forms.reference.hs import hs_index, normalise_hs

    raw = _as_text(value)
    digits = normalise_hs(raw)
    if not digits or not hs_index().is_valid(digits):
        raise FieldProblem(
            "invalid_hs", N_("Enter an HS code of 2, 4 or 6 digits from the nomenclature.")
        )
    return digits


def phone(f: Field, value: Any, hints: Hints) -> str:
    import phonenumbers

    raw = _as_text(value)
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        parsed = phonenumbers.parse(raw, hints.default_region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise FieldProblem(
            "invalid_phone", N_("Enter a valid phone number with its country code, e.g. +33 ...")
        )
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def email(f: Field, value: Any, hints: Hints) -> str:
    raw = _as_text(value)
    if len(raw) > 254 or not _EMAIL.match(raw):
        raise FieldProblem("invalid_email", N_("Enter a valid e-mail address."))
    local, _, domain = raw.rpartition("@")
    return f"{local}@{domain.lower()}"


def imo(f: Field, value: Any, hints: Hints) -> str:
    from stdnum import imo as std_imo
    from stdnum.exceptions import ValidationError

    try:
        return str(std_imo.validate(_as_text(value)))
    except ValidationError:
        raise FieldProblem(
            "invalid_imo", N_("Enter a seven-digit IMO number with a correct check digit.")
        ) from None


def container(f: Field, value: Any, hints: Hints) -> str:
    from stdnum import iso6346
    from stdnum.exceptions import ValidationError

    try:
        return str(iso6346.validate(_as_text(value).replace("-", "").replace(".", "")))
    except ValidationError:
        raise FieldProblem(
            "invalid_container",
            N_("Enter an ISO 6346 container number (4 letters, 7 digits) with its check digit."),
        ) from None


def cas(f: Field, value: Any, hints: Hints) -> str:
    from stdnum import casrn
    from stdnum.exceptions import ValidationError

    try:
        return str(casrn.validate(_as_text(value)))
    except ValidationError:
        raise FieldProblem(
            "invalid_cas", N_("Enter a CAS registry number such as 50-36-2 (check digit included).")
        ) from None


def vat(f: Field, value: Any, hints: Hints) -> str:
    from stdnum import vatin
    from stdnum.exceptions import ValidationError

    try:
        return str(vatin.validate(_as_text(value)))
    except ValidationError:
        raise FieldProblem(
            "invalid_vat", N_("Enter a valid VAT number with its country prefix, e.g. DE...")
        ) from None


_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMNPR", (1, 2, 3, 4, 5, 7, 9), strict=True)),
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit_ok(vin_text: str) -> bool:
    """The ninth-position check digit (mandatory in North America, optional elsewhere)."""
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin_text, _VIN_WEIGHTS, strict=True))
    expected = total % 11
    return vin_text[8] == ("X" if expected == 10 else str(expected))


def vin(f: Field, value: Any, hints: Hints) -> str:
    raw = _as_text(value).upper().replace(" ", "").replace("-", "")
    if not _VIN.match(raw):
        raise FieldProblem(
            "invalid_vin", N_("Enter a 17-character VIN (letters I, O and Q are never used).")
        )
    return raw


def flight(f: Field, value: Any, hints: Hints) -> str:
    raw = _as_text(value).upper()
    match = _FLIGHT.match(raw)
    if not match or not any(ch.isalpha() for ch in match.group(1)):
        raise FieldProblem(
            "invalid_flight", N_("Enter an airline designator and a number, e.g. AF0719.")
        )
    return "".join(g for g in match.groups() if g)


def coordinates(f: Field, value: Any, hints: Hints) -> list[float]:
    pair: Any = value
    if isinstance(value, str):
        pair = [part for part in re.split(r"[,;\s]+", value.strip()) if part]
    elif isinstance(value, dict):
        pair = [value.get("lat"), value.get("lon")]
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        raise FieldProblem("invalid_coordinates", N_("Enter latitude and longitude."))
    lat, lon = _parse_number(pair[0]), _parse_number(pair[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise FieldProblem("invalid_coordinates", N_("Enter latitude and longitude."))
    return [round(lat, 7), round(lon, 7)]


def photo(f: Field, value: Any, hints: Hints) -> str:
    raw = _as_text(value)
    if not _RECORD_ID.match(raw):
        raise FieldProblem("invalid_attachment", N_("Choose a photo from the library."))
    return raw


def link(f: Field, value: Any, hints: Hints) -> dict[str, str]:
    """A link is ``{"template": T, "record_id": R}``; ``T:R`` is accepted from the CLI."""
    if isinstance(value, str) and ":" in value:
        template_id, _, record_id = value.strip().partition(":")
        value = {"template": template_id, "record_id": record_id}
    if not isinstance(value, dict) or set(value) != {"template", "record_id"}:
        raise FieldProblem("invalid_link", N_("Choose a record to link to."))
    template_id, record_id = value["template"], value["record_id"]
    if not isinstance(record_id, str) or not _RECORD_ID.match(record_id):
        raise FieldProblem("invalid_link", N_("Choose a record to link to."))
    if f.link_templates and template_id not in f.link_templates:
        raise FieldProblem("wrong_link_kind", N_("This field cannot link to that kind of record."))
    return {"template": str(template_id), "record_id": record_id}


Validator = Callable[[Field, Any, Hints], Any]
VALIDATORS: dict[FieldType, Validator] = {
    FieldType.TEXT: text,
    FieldType.TEXTAREA: text,
    FieldType.INTEGER: integer,
    FieldType.NUMBER: number,
    FieldType.DATE: date,
    FieldType.DATETIME: datetime_,
    FieldType.TIME: time,
    FieldType.CHOICE: choice,
    FieldType.BOOLEAN: boolean,
    FieldType.COUNTRY: country,
    FieldType.CURRENCY: currency,
    FieldType.UNIT: unit,
    FieldType.UNLOCODE: unlocode,
    FieldType.AIRPORT: airport,
    FieldType.HS_CODE: hs_code,
    FieldType.PHONE: phone,
    FieldType.EMAIL: email,
    FieldType.IMO: imo,
    FieldType.CONTAINER: container,
    FieldType.CAS: cas,
    FieldType.VAT: vat,
    FieldType.VIN: vin,
    FieldType.FLIGHT: flight,
    FieldType.COORDINATES: coordinates,
    FieldType.PHOTO: photo,
    FieldType.LINK: link,
}
