"""Typed values from printed text: numbers and money, dates, booleans.

Shared by the engines and by output coercion in ``schemas``. Every parser returns ``None`` when
the text does not hold a value of that type; none of them guesses.

Dates are read in English, German, French, Dutch, Spanish and Italian month names, numeric
``dd/mm/yyyy`` / ``mm/dd/yyyy`` / ``dd.mm.yyyy``, ISO, and legal prose ("5th day of March,
2024"). Numbers accept symbols, codes, thousands separators (``,`` ``.`` ``'`` and spaces) and
decimal commas.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_NUMBER = re.compile(r"[-+(−]?\s*\d[\d\s.,'’\u00a0\u202f]*")


def parse_number(text: str, *, decimal_comma: bool | None = None) -> float | None:
    """``"$1,234.56"`` -> 1234.56, ``"1.234,56 €"`` -> 1234.56, ``"(12.00)"`` -> -12.0.

    ``decimal_comma`` forces the locale's decimal separator when known; otherwise it is inferred
    from the text (the last separator followed by exactly one or two digits is the decimal one).
    Returns None when the text holds no digits.
    """
    match = _NUMBER.search(text or "")
    if match is None:
        return None
    raw = match.group(0).strip()
    prefix = (text or "")[: match.start()].rstrip()
    negative = (
        raw.startswith(("-", "(", "−"))
        or prefix.endswith(("-", "−"))
        or re.search(r"[-−]\s*(?:[A-Z]{3}|[$€£])$", prefix) is not None
        or text.strip().endswith("-")
    )
    # A trailing separator ("12.") belongs to the sentence, not the number.
    digits = re.sub(r"[^\d.,]", "", raw).rstrip(".,")
    if not digits:
        return None
    if decimal_comma is None:
        last_dot, last_comma = digits.rfind("."), digits.rfind(",")
        last = max(last_dot, last_comma)
        tail = digits[last + 1 :] if last >= 0 else ""
        separator = digits[last] if last >= 0 else ""
        is_decimal = last >= 0 and (
            len(tail) in (1, 2) or (len(tail) != 3 and digits.count(separator) == 1)
        )
        decimal_comma = is_decimal and separator == ","
        if not is_decimal:
            digits = digits.replace(".", "").replace(",", "")
    digits = digits.replace(".", "").replace(",", ".") if decimal_comma else digits.replace(",", "")
    if digits.count(".") > 1:
        head, _, tail = digits.rpartition(".")
        digits = head.replace(".", "") + "." + tail
    try:
        value = float(digits)
    except ValueError:
        return None
    return -value if negative else value


MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan januar janv janvier januari jän jänner enero ene gennaio gen",
        "february feb febr februar fév févr fevrier février februari febrero febbraio",
        "march mar mär märz maerz mrt mars maart marzo",
        "april apr avr avril abril aprile",
        "may mai mei mayo maggio mag",
        "june jun juni juin junio giugno giu",
        "july jul juli juil juillet julio luglio lug",
        "august aug august aoû aout août augustus ago agosto",
        "september sep sept septembre septiembre set settembre",
        "october oct okt oktober octobre octubre ott ottobre",
        "november nov novembre noviembre",
        "december dec dez dezember déc decembre décembre dic diciembre dicembre",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_MONTH_WORD = r"([A-Za-zÀ-ÿ]{3,10})\.?"
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th|er|e|º|\.)?"
_YEAR = r"(\d{4})"
# "5 March 2024", "5. März 2024", "5th day of March, 2024", "5 de marzo de 2024"
_DAY_MONTH_YEAR = re.compile(
    rf"\b{_ORDINAL}\s*(?:day\s+of\s+|de\s+)?{_MONTH_WORD},?\s*(?:de\s+)?{_YEAR}\b", re.I
)
# "March 5, 2024", "Mar 5 2024"
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH_WORD}\s+{_ORDINAL},?\s+{_YEAR}\b", re.I)
_MONTH_YEAR = re.compile(rf"\b{_MONTH_WORD}\s+{_YEAR}\b", re.I)
_DAY_MONTH = re.compile(rf"\b{_ORDINAL}\s*{_MONTH_WORD}(?![\w])", re.I)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_YMD_DATE = re.compile(r"\b(\d{4})[/.](\d{1,2})[/.](\d{1,2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})\b")
_NUMERIC_NO_YEAR = re.compile(r"(?<![\d./-])(\d{1,2})[./](\d{1,2})(?![\d/]|\.\d)")
_NUMERIC_YEAR_MONTH = re.compile(r"\b(\d{4})[-/.](\d{1,2})\b|\b(\d{1,2})[-/.](\d{4})\b")


def month_number(word: str) -> int | None:
    """``"März"`` -> 3, ``"Sept."`` -> 9; None when the word is not a month name."""
    key = unicodedata.normalize("NFC", word.strip(".").lower())
    return MONTHS.get(key)


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(
    text: str, *, day_first: bool | None = None, default_year: int | None = None
) -> dt.date | None:
    """Parse a printed date; ``day_first`` decides ``05/03/2024`` (True: 5 March).

    ``default_year`` completes dates printed without a year (``09/01``, ``05 Mar``); without it
    such text gives None. An ambiguous numeric date with ``day_first=None`` is read month-first
    unless one part is above 12.
    """
    found = find_date(text, day_first=day_first, default_year=default_year)
    if found:
        return found[0]
    if not re.search(r"\d", text or "") or not re.search(r"[^\W\d_]{3}", text or ""):
        return None
    import dateparser  # imported lazily: it takes ~0.3 s to load; last resort only

    parsed = dateparser.parse(
        re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text),
        settings={"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return parsed.date() if parsed else None


def find_date(
    text: str, *, day_first: bool | None = None, default_year: int | None = None
) -> tuple[dt.date, int, int] | None:
    """The first date in ``text`` as ``(date, start, end)`` of its characters, or None."""
    text = text or ""
    if not re.search(r"\d", text):
        return None
    best: tuple[dt.date, int, int] | None = None

    def offer(value: dt.date | None, match: re.Match[str]) -> None:
        nonlocal best
        if value is not None and (best is None or match.start() < best[1]):
            best = (value, match.start(), match.end())

    for match in _ISO_DATE.finditer(text):
        offer(_make(int(match[1]), int(match[2]), int(match[3])), match)
        break
    for match in _YMD_DATE.finditer(text):
        offer(_make(int(match[1]), int(match[2]), int(match[3])), match)
        break
    for match in _NUMERIC_DATE.finditer(text):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if year < 100:
            year += 2000
        # Dotted numeric dates are a day-first convention everywhere they are used.
        first_is_day = day_first if day_first is not None else "." in match[0]
        if first > 12:
            first_is_day = True
        elif second > 12:
            first_is_day = False
        day, month = (first, second) if first_is_day else (second, first)
        offer(_make(year, month, day), match)
        break
    for match in _DAY_MONTH_YEAR.finditer(text):
        named = month_number(match[2])
        if named:
            offer(_make(int(match[3]), named, int(match[1])), match)
            break
    for match in _MONTH_DAY_YEAR.finditer(text):
        named = month_number(match[1])
        if named:
            offer(_make(int(match[3]), named, int(match[2])), match)
            break
    if best is None and default_year is not None:
        for match in _DAY_MONTH.finditer(text):
            named = month_number(match[2])
            if named:
                offer(_make(default_year, named, int(match[1])), match)
                break
        for match in _NUMERIC_NO_YEAR.finditer(text):
            first, second = int(match[1]), int(match[2])
            day_leads = day_first
            if first > 12:
                day_leads = True
            elif second > 12:
                day_leads = False
            day, month = (first, second) if day_leads else (second, first)
            offer(_make(default_year, month, day), match)
            break
    return best


def parse_year_month(text: str) -> str | None:
    """``"Sep 2020"``, ``"09/2020"``, ``"2020-09"`` -> ``"2020-09"``; None otherwise."""
    text = text or ""
    for match in _MONTH_YEAR.finditer(text):
        month = month_number(match[1])
        if month:
            return f"{match[2]}-{month:02d}"
    numeric = _NUMERIC_YEAR_MONTH.search(text)
    if numeric:
        year, month_digits = (numeric[1], numeric[2]) if numeric[1] else (numeric[4], numeric[3])
        if 1 <= int(month_digits) <= 12:
            return f"{year}-{int(month_digits):02d}"
    return None


_TRUE = {"yes", "y", "true", "1", "x", "checked", "☑", "☒", "✓", "✔", "ja", "oui", "sí", "si"}
_FALSE = {"no", "n", "false", "0", "unchecked", "☐", "nein", "non", "nee"}


def parse_bool(text: str) -> bool | None:
    """``"Yes"``/``"☑"``/``"ja"`` -> True, ``"No"``/``"☐"`` -> False, anything else None."""
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None
