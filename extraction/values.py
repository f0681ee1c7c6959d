"""Typed values from printed text: numbers and money, dates, booleans.

Shared by the engines and by output coercion in ``schemas``. Every parser returns ``None`` when
the text does not hold a value of that type; none of them guesses.
"""

from __future__ import annotations

import datetime as dt
import re

_NUMBER = re.compile(r"[-+(]?\s*\d[\d\s.,'’\u00a0\u202f]*")


def parse_number(text: str, *, decimal_comma: bool | None = None) -> float | None:
    """``"$1,234.56"`` -> 1234.56, ``"1.234,56 €"`` -> 1234.56, ``"(12.00)"`` -> -12.0.

    ``decimal_comma`` forces the locale's decimal separator when known; otherwise it is inferred
    from the text (the last separator followed by exactly one or two digits is the decimal one).
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    match = _NUMBER.search(text or "")
    if match is None:
        return None
    raw = match.group(0).strip()
    negative = raw.startswith("-") or raw.startswith("(") or text.strip().endswith("-")
    digits = re.sub(r"[^\d.,]", "", raw)
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
    if decimal_comma:
        digits = digits.replace(".", "").replace(",", ".")
    else:
        digits = digits.replace(",", "")
    if digits.count(".") > 1:
        head, _, tail = digits.rpartition(".")
        digits = head.replace(".", "") + "." + tail
    try:
        value = float(digits)
    except ValueError:
        return None
    return -value if negative else value


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})\b")


def parse_date(text: str, *, day_first: bool | None = None) -> dt.date | None:
    """Parse a printed date; ``day_first`` decides ``05/03/2024`` (True: 5 March)."""
    text = (text or "").strip()
    if not text:
        return None
    iso = _ISO_DATE.search(text)
    if iso:
        try:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    numeric = _NUMERIC_DATE.search(text)
    if numeric:
        first, second, year = (int(part) for part in numeric.groups())
        if year < 100:
            year += 2000
        if first > 12:
            day_first = True
        elif second > 12:
            day_first = False
        day, month = (first, second) if day_first else (second, first)
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    import dateparser  # imported lazily: it takes ~0.3 s to load

    parsed = dateparser.parse(
        re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text),
        settings={"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return parsed.date() if parsed else None


_TRUE = {"yes", "y", "true", "1", "x", "checked", "☑", "☒", "ja", "oui", "sí", "si"}
_FALSE = {"no", "n", "false", "0", "unchecked", "☐", "nein", "non"}


def parse_bool(text: str) -> bool | None:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None
