"""Readers that turn a printed or predicted value into something comparable.

Plain functions, no state, no Django: the scorer (``evaluation.scoring``) calls them per leaf.

* ``text_normalise``: case-folded, accents removed, ``&`` read as "and", every run of
  punctuation or whitespace one space. Letters of any script are kept.
* ``alnum_normalise``: letters and digits only (``123-45-6789`` = ``123456789``).
* ``number_read``: ``1234.5``, ``"1,234.56"``, ``"1.234,56"``, ``"$1,234.56"``, ``"RM 3.90"``,
  ``"(12.00)"`` (negative), ``"15%"``; ``None`` when the text is not one number.
* ``date_read``: ISO, numeric day/month/year in either order (an order hint settles the
  ambiguous ones), month names in several languages, partial dates (``2021``, ``2021-03``).
* ``boolean_read``: ``yes``/``no``/``checked``/``x``/``1``…
* ``duration_read``: ``3 years`` = ``36 months`` = ``three (3) years`` = ``P3Y`` (in months).
* ``currency_read``, ``party_core``, ``person_tokens``, ``email_read``, ``doi_read``.

A third-party date parser (``dateparser``) was tried and left out on purpose: it fills missing
parts from today's date and reads ``"N/A"`` as a date in Estonian, and a scorer must give the
same verdict every day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import unicodedata
from typing import Any

__all__ = [
    "PRESENT",
    "DateReading",
    "alnum_normalise",
    "boolean_read",
    "currency_read",
    "date_format",
    "date_read",
    "doi_read",
    "duration_read",
    "email_read",
    "number_read",
    "party_core",
    "person_tokens",
    "text_normalise",
]

# Letters that Unicode decomposition leaves alone but readers treat as their base letter.
_TRANSLITERATION = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ħ": "h",
        "ı": "i",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "ð": "d",
    }
)
_NOT_WORD = re.compile(r"[\W_]+")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def text_normalise(value: Any) -> str:
    """A value as comparable text: accents stripped, case-folded, ``&`` -> ``and``, runs of
    anything but letters and digits -> one space. ``None`` -> ``""``; lists and objects are
    read as their JSON text."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    text = _strip_accents(text).casefold().replace("&", " and ")
    return _NOT_WORD.sub(" ", text).strip()


def alnum_normalise(value: Any) -> str:
    """Letters and digits only: ``"12-345 678"`` -> ``"12345678"``."""
    return text_normalise(value).replace(" ", "")


# ------------------------------------------------------------------------------- numbers

_CURRENCY_WORDS = re.compile(
    r"(?i)\b(?:usd|eur|gbp|myr|rm|inr|rs|pln|zl|chf|jpy|cad|aud|us|sgd|hkd|nzd|sek|nok|dkk)\b\.?"
)
_CURRENCY_SIGNS = re.compile(r"[$€£¥₹₩₽₪₫฿₺₴₦%]")
_NUMBER = re.compile(r"^[-+]?\(?[-+]?(?:\d[\d.,' \u00a0\u202f]*\d|\d)\)?$|^[-+]?[.,]\d+$")


def number_read(value: Any) -> float | None:
    """A number from a JSON number or from text with currency marks and separators.

    ``"1.234,56"`` and ``"1,234.56"`` -> 1234.56; ``"12,5"`` -> 12.5 (one or two digits after a
    lone comma make it decimal); ``"1,500"`` -> 1500; ``"(12.00)"`` -> -12.0; ``"RM 3.90"`` ->
    3.9. Returns ``None`` for booleans, empty text and text that holds anything but one number
    (``"2 x 3.90"``, ``"abc"``).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u2212", "-")
    text = _CURRENCY_SIGNS.sub(" ", _CURRENCY_WORDS.sub(" ", text)).strip()
    text = re.sub(r"(?<=[-+(])\s+", "", text)
    if not text or not _NUMBER.match(text):
        return None
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    digits = re.sub(r"[^\d.,]", "", text)
    if "." in digits and "," in digits:
        if digits.rfind(",") > digits.rfind("."):
            digits = digits.replace(".", "").replace(",", ".")
        else:
            digits = digits.replace(",", "")
    elif "," in digits:
        parts = digits.split(",")
        if len(parts) == 2 and len(parts[1]) in (1, 2):
            digits = f"{parts[0]}.{parts[1]}"
        else:
            digits = digits.replace(",", "")
    elif digits.count(".") > 1:
        digits = digits.replace(".", "")
    try:
        number = float(digits)
    except ValueError:
        return None
    return -number if negative else number


# ------------------------------------------------------------------------------- dates

PRESENT = "present"
# A date read from text: (year,), (year, month) or (year, month, day); PRESENT for "ongoing".
DateReading = tuple[int, ...] | str

_MONTHS = {
    "jan": 1, "january": 1, "januar": 1, "januari": 1, "janvier": 1, "enero": 1, "gennaio": 1,
    "styczen": 1, "janeiro": 1,
    "feb": 2, "february": 2, "februar": 2, "februari": 2, "fevrier": 2, "febrero": 2,
    "febbraio": 2, "luty": 2, "fevereiro": 2,
    "mar": 3, "march": 3, "marz": 3, "maerz": 3, "maart": 3, "mars": 3, "marzo": 3, "marzec": 3,
    "marco": 3,
    "apr": 4, "april": 4, "avril": 4, "abril": 4, "aprile": 4, "kwiecien": 4,
    "may": 5, "mai": 5, "mei": 5, "mayo": 5, "maggio": 5, "maj": 5, "maio": 5,
    "jun": 6, "june": 6, "juni": 6, "juin": 6, "junio": 6, "giugno": 6, "czerwiec": 6,
    "junho": 6,
    "jul": 7, "july": 7, "juli": 7, "juillet": 7, "julio": 7, "luglio": 7, "lipiec": 7,
    "julho": 7,
    "aug": 8, "august": 8, "augustus": 8, "aout": 8, "agosto": 8, "sierpien": 8,
    "sep": 9, "sept": 9, "september": 9, "septembre": 9, "septiembre": 9, "settembre": 9,
    "wrzesien": 9, "setembro": 9,
    "oct": 10, "october": 10, "oktober": 10, "octobre": 10, "octubre": 10, "okt": 10,
    "ottobre": 10, "pazdziernik": 10, "outubro": 10,
    "nov": 11, "november": 11, "novembre": 11, "noviembre": 11, "listopad": 11, "novembro": 11,
    "dec": 12, "december": 12, "dezember": 12, "decembre": 12, "diciembre": 12, "dez": 12,
    "dicembre": 12, "grudzien": 12, "dezembro": 12,
}  # fmt: skip
_PRESENT_WORDS = {"present", "current", "now", "ongoing", "today", "currently", "to date"}
# Digits must not continue around a date, but letters may: "2018-03-21T10:00:00" is a date.
_ISO_DAY = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_ISO_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[-/.](\d{4})")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{2}|\d{4})(?!\d)")
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th|er|e)\b")


def _is_day(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _full_year(text: str) -> int:
    year = int(text)
    if year < 100:  # two-digit years: 00-69 -> 2000s, 70-99 -> 1900s
        year += 2000 if year < 70 else 1900
    return year


def date_read(value: Any, order: str | None = None) -> set[DateReading]:
    """The dates a value may mean: a set of ``(y,)``, ``(y, m)``, ``(y, m, d)`` or ``{PRESENT}``.

    ``order`` (``"dmy"`` or ``"mdy"``) settles numeric dates that read both ways
    (``03/04/2020``); without it both readings are returned. An empty set means no date.
    """
    if value is None or isinstance(value, bool):
        return set()
    if isinstance(value, (int, float)):
        return {(int(value),)} if 1000 <= value <= 2999 and float(value).is_integer() else set()
    if not isinstance(value, str):
        return set()
    text = _strip_accents(value).casefold().strip()
    if not text:
        return set()
    if text.strip(" .!") in _PRESENT_WORDS:
        return {PRESENT}
    text = _ORDINAL.sub(r"\1", text).replace("day of", " ")
    match = _ISO_DAY.search(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return {(year, month, day)} if _is_day(year, month, day) else set()
    match = _ISO_MONTH.fullmatch(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return {(int(match.group(1)), int(match.group(2)))}
    match = _MONTH_YEAR.fullmatch(text)
    if match and 1 <= int(match.group(1)) <= 12:
        return {(int(match.group(2)), int(match.group(1)))}
    match = _NUMERIC.search(text)
    if match:
        return _numeric_readings(match, order)
    return _worded_reading(text)


def _numeric_readings(match: re.Match[str], order: str | None) -> set[DateReading]:
    first, second, year = int(match.group(1)), int(match.group(2)), _full_year(match.group(3))
    day_first = (year, second, first) if _is_day(year, second, first) else None
    month_first = (year, first, second) if _is_day(year, first, second) else None
    if day_first and month_first and day_first != month_first:
        if order == "dmy":
            return {day_first}
        if order == "mdy":
            return {month_first}
        return {day_first, month_first}
    return {reading for reading in (day_first, month_first) if reading}


def _worded_reading(text: str) -> set[DateReading]:
    month: int | None = None
    numbers: list[str] = []
    for word in re.findall(r"[a-z]+|\d+", text):
        if word.isdigit():
            numbers.append(word)
        elif month is None:
            month = _MONTHS.get(word)
            if month is None and len(word) > 3 and word[:3] != "mai":
                month = _MONTHS.get(word[:3])
    if month is None:
        match = re.fullmatch(r"\s*(\d{4})\s*", text)
        return {(int(match.group(1)),)} if match else set()
    years = [int(number) for number in numbers if len(number) == 4]
    days = [int(number) for number in numbers if len(number) <= 2 and 1 <= int(number) <= 31]
    if years:
        if days and _is_day(years[0], month, days[0]):
            return {(years[0], month, days[0])}
        return {(years[0], month)}
    if len(days) >= 2:  # "24 MAR 18": day, month, two-digit year
        year = _full_year(str(days[-1]))
        if _is_day(year, month, days[0]):
            return {(year, month, days[0])}
    return set()


def date_format(reading: DateReading) -> str:
    """ISO text for a reading: ``2021-03-04``, ``2021-03``, ``2021`` or ``present``."""
    if isinstance(reading, str):
        return reading
    if len(reading) == 3:
        return dt.date(*reading).isoformat()
    return "-".join(f"{part:02d}" if index else str(part) for index, part in enumerate(reading))


# ------------------------------------------------------------------------------- the rest

_TRUE_WORDS = {"true", "yes", "y", "x", "checked", "selected", "1", "on", "ticked", "marked"}
_TRUE_WORDS |= {"ja", "oui", "si"}
_FALSE_WORDS = {"false", "no", "n", "unchecked", "unselected", "not selected", "not checked"}
_FALSE_WORDS |= {"0", "off", "empty", "nein", "non"}


def boolean_read(value: Any) -> bool | None:
    """``True``/``False`` from a boolean, a number or a word (yes, checked, x, 0, off…);
    ``None`` when the value says neither."""
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return bool(value)
    words = text_normalise(value)
    if words in _TRUE_WORDS:
        return True
    if words in _FALSE_WORDS:
        return False
    return None


_UNIT_MONTHS = {
    "year": 12.0, "years": 12.0, "yr": 12.0, "yrs": 12.0, "month": 1.0, "months": 1.0,
    "mo": 1.0, "mos": 1.0, "week": 12 / 52, "weeks": 12 / 52, "day": 12 / 365, "days": 12 / 365,
}  # fmt: skip
_ISO_UNIT_MONTHS = {"y": 12.0, "m": 1.0, "w": 12 / 52, "d": 12 / 365}
_UNITS = r"(years?|yrs?|months?|mos?|weeks?|days?)"
_SMALL_NUMBERS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}


def _number_word(words: list[str]) -> float | None:
    if words in (["a"], ["an"]):
        return 1.0
    total = 0
    for word in words:
        if word in _TENS:
            total += _TENS[word]
        elif word in _SMALL_NUMBERS:
            total += _SMALL_NUMBERS.index(word)
        else:
            return None
    return float(total) if words else None


def _adjacent_sum(matches: list[tuple[int, int, float]], text: str) -> float | None:
    """The first stated duration, with the parts that continue it ("1 year and 6 months")."""
    if not matches:
        return None
    total, end = matches[0][2], matches[0][1]
    for start, stop, months in matches[1:]:
        if text[end:start].strip() not in ("", "and"):
            break
        total, end = total + months, stop
    return total


def duration_read(value: Any) -> float | None:
    """A duration in months: ``"3 years"``, ``"three (3) years"``, ``"36 months"``, ``"P3Y"``,
    ``"1 year and 6 months"`` (18). ``None`` when no duration is stated (a bare number too)."""
    if value is None or isinstance(value, (bool, int, float)):
        return None
    text = text_normalise(value)
    match = re.fullmatch(r"p(\d+)([ymwd])", text.replace(" ", ""))
    if match:
        return int(match.group(1)) * _ISO_UNIT_MONTHS[match.group(2)]
    # "three (3) years": the digits win; the words in front of them are their spelling.
    digits = [
        (found.start(), found.end(), float(found.group(1)) * _UNIT_MONTHS[found.group(2)])
        for found in re.finditer(rf"\b(\d+)\s*{_UNITS}\b", text)
    ]
    if digits:
        return _adjacent_sum(digits, text)
    words_pattern = "|".join([*_SMALL_NUMBERS, *_TENS, "a", "an"])
    worded: list[tuple[int, int, float]] = []
    for found in re.finditer(rf"\b((?:(?:{words_pattern})\s)+){_UNITS}\b", text):
        number = _number_word(found.group(1).split())
        if number is not None:
            worded.append((found.start(), found.end(), number * _UNIT_MONTHS[found.group(2)]))
    return _adjacent_sum(worded, text)


_CURRENCY_ALIASES = {
    "$": "USD", "us$": "USD", "us dollar": "USD", "us dollars": "USD", "dollar": "USD",
    "dollars": "USD", "€": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP", "pound": "GBP",
    "pounds": "GBP", "₹": "INR", "rs": "INR", "rupee": "INR", "rupees": "INR", "rm": "MYR",
    "ringgit": "MYR", "zl": "PLN", "zloty": "PLN", "zlotys": "PLN", "¥": "JPY", "yen": "JPY",
}  # fmt: skip


def currency_read(value: Any) -> str:
    """An ISO 4217 code from a code, a sign or a name (``"€"``, ``"euro"`` -> ``"EUR"``)."""
    if value is None:
        return ""
    raw = str(value).strip().casefold()
    for candidate in (raw, raw.rstrip("."), text_normalise(raw)):
        if candidate in _CURRENCY_ALIASES:
            return _CURRENCY_ALIASES[candidate]
    return text_normalise(raw).upper()


_TITLES = {"dr", "mr", "mrs", "ms", "miss", "prof", "professor", "sir", "herr", "frau", "mme", "m"}
_CORPORATE_WORDS = {
    "inc", "incorporated", "corp", "corporation", "co", "company", "llc", "ltd", "limited",
    "plc", "sa", "bv", "nv", "gmbh", "ag", "the", "lp", "llp", "sdn", "bhd", "pvt", "private",
}  # fmt: skip


def person_tokens(value: Any) -> list[str]:
    """The words of a person's name without leading titles (Dr, Mrs…)."""
    tokens = text_normalise(value).split()
    while tokens and tokens[0] in _TITLES:
        tokens = tokens[1:]
    return tokens


def party_core(value: Any) -> str:
    """A party's name without corporate words (Inc., Corporation, LLC, the…)."""
    return " ".join(word for word in text_normalise(value).split() if word not in _CORPORATE_WORDS)


def email_read(value: Any) -> str:
    """An e-mail address trimmed, case-folded, without ``mailto:``."""
    text = str(value).strip().casefold()
    return text.removeprefix("mailto:")


def doi_read(value: Any) -> str:
    """A DOI without its resolver URL or ``doi:`` prefix, case-folded."""
    text = str(value).strip().casefold()
    text = re.sub(r"^(?:https?://)?(?:dx\.)?doi\.org/", "", text)
    text = re.sub(r"^doi\s*:?\s*", "", text)
    return text.rstrip(".")
