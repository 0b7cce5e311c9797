"""Reading a date an officer typed, without guessing (Qt-free).

ISO dates (2026-12-03) are taken as they are. Numeric dates are read in the order of the
interface language (3/12/2026 is 3 December in French, in German and in Arabic); a date that
reads two ways where the language is written both ways (English: 3/12/2026 is 3 December in
Nairobi and 12 March in New York) is refused with both readings named, so nothing wrong is
stored. A two-digit year is refused. Month names in any interface language are left to
``forms.validators.parse_date``, which reads them exactly.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from forms.issues import FieldProblem, Issue
from forms.validators import parse_date
from locales import N_

_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"), None)
_ISO = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})\s*[-/. ]\s*(\d{1,2})\s*[-/. ]\s*(\d{2}|\d{4})$")
MAX_TEXT = 40  # nobody types a longer date; a longer text is refused unread


@dataclass(frozen=True)
class TypedDate:
    """The date read, or the problem (a gettext message id with its parameters)."""

    date: dt.date | None
    problem: Issue | None = None


def month_first(locale: str) -> bool:
    """Whether the language's short date pattern puts the month before the day."""
    from babel import Locale

    try:
        pattern = Locale.parse(locale).date_formats["short"].pattern
    except (ValueError, LookupError):
        return False
    day, month = pattern.find("d"), pattern.find("M")
    return 0 <= month < day


def _digits(text: str) -> str:
    """Arabic-Indic and other decimal digits as ASCII; bidi marks removed."""
    out = []
    for ch in text.translate(_MARKS):
        value = unicodedata.digit(ch, None) if not ch.isascii() else None
        out.append(str(value) if value is not None else ch)
    return "".join(out).strip()


def _refused(code: str, msgid: str, **params: object) -> TypedDate:
    return TypedDate(None, Issue("", code, msgid, dict(params)))


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date if 1800 <= date.year <= 2200 else None


def read_date(text: str, locale: str) -> TypedDate:
    """The date in ``text`` typed by a person whose interface is in ``locale``."""
    raw = _digits(text)
    if not raw:
        return TypedDate(None)
    if len(raw) > MAX_TEXT:
        return _refused("invalid_date", N_("Enter a date as YYYY-MM-DD, e.g. 2026-12-03."))
    iso = _ISO.match(raw)
    if iso:
        date = _make(int(iso[1]), int(iso[2]), int(iso[3]))
        if date is None:
            return _refused("invalid_date", N_("There is no such date: {text}."), text=raw)
        return TypedDate(date)
    numeric = _NUMERIC.match(raw)
    if numeric:
        a, b, year_text = int(numeric[1]), int(numeric[2]), numeric[3]
        if len(year_text) == 2:
            return _refused(
                "two_digit_year", N_("Write the year with four digits, e.g. 2026-12-03.")
            )
        year = int(year_text)
        day_first = _make(year, b, a)
        month_first_ = _make(year, a, b)
        if day_first is None and month_first_ is None:
            return _refused("invalid_date", N_("There is no such date: {text}."), text=raw)
        if day_first is None or month_first_ is None or day_first == month_first_:
            return TypedDate(day_first or month_first_)
        if month_first(locale):
            return _refused(
                "ambiguous_date",
                N_("{text} could be {first} or {second}; enter it as YYYY-MM-DD."),
                text=raw,
                first=day_first.isoformat(),
                second=month_first_.isoformat(),
            )
        return TypedDate(day_first)
    try:
        return TypedDate(parse_date(raw))
    except FieldProblem:
        return _refused("invalid_date", N_("Enter a date as YYYY-MM-DD, e.g. 2026-12-03."))
