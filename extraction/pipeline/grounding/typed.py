"""Where a typed value is printed, in any format: numbers, dates and year-months.

``printed_spans(kind, value, text)`` yields the character spans of ``text`` that print the value:
``1234.56`` as ``$1,234.56``, ``1.234,56 €`` or ``CHF 1'234.56``; ``2024-03-05`` as
``5 Mar 2024``, ``03/05/2024`` or ``05.03.2024`` (either day order: a printing that reads as the
value in some convention supports it). Amounts match by absolute value, as statements print
debits unsigned in their own column.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from extraction.pipeline.values import find_date, month_number, parse_number

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

NUMBER_TOLERANCE = 0.005
# Characters read around a printed day number to parse the date it belongs to.
DATE_WINDOW_BEFORE = 16
DATE_WINDOW_AFTER = 28

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
# Digit runs with the separators amounts use; a space only as a thousands separator.
_NUMBER_TOKENS = (
    re.compile(r"\d(?:[\d.,'’]*\d)?"),
    # Spaces as thousands separators ("1 829,88") overlap plain tokens ("6 304,98" is a
    # quantity and a price), so they are read separately.
    re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?"),
)
_WORD_START = re.compile(r"(?<!\S)\S")
_MONTH_NAME_YEAR = re.compile(r"\b([A-Za-zÀ-ÿ]{3,10})\.?,?\s+(\d{4})\b")
_NUMERIC_YEAR_MONTH = re.compile(r"\b(\d{4})[-/.](\d{1,2})\b|\b(\d{1,2})[-/.](\d{4})\b")


def value_kind(value: Any) -> str:
    """The leaf kind of a typed output value: number, date, month, bool, string or null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    text = str(value)
    if _ISO_DATE.match(text):
        return "date"
    if _YEAR_MONTH.match(text):
        return "month"
    return "string"


def printed_spans(
    kind: str, value: Any, text: str, *, year_printed: bool = False
) -> Iterable[tuple[int, int]]:
    """``(start, end)`` of each printing of ``value`` in ``text``; ``kind`` is
    ``value_kind(value)`` and must be number, date or month (raises ValueError otherwise).
    ``year_printed``: the document prints the date's year elsewhere (a statement period), so
    a date printed without one (``12/05``, ``05 Mar``) may be it."""
    if kind == "number":
        return _number_spans(float(value), text)
    if kind == "date":
        return _date_spans(dt.date.fromisoformat(str(value)), text, year_printed)
    if kind == "month":
        return _month_spans(str(value), text)
    raise ValueError(f"no printed form is searched for a {kind} value")


def _number_spans(value: float, text: str) -> Iterator[tuple[int, int]]:
    whole = str(int(abs(value)))
    # Cheap pre-check: the last digits of the whole part are printed whatever the separators.
    if whole[-3:] not in text:
        return
    for pattern in _NUMBER_TOKENS:
        for match in pattern.finditer(text):
            token = match.group(0)
            readings = {parse_number(token), parse_number(token, decimal_comma=True)}
            readings.add(parse_number(token, decimal_comma=False))
            if any(
                r is not None and abs(abs(r) - abs(value)) <= NUMBER_TOLERANCE for r in readings
            ):
                yield match.start(), match.end()


def _date_spans(value: dt.date, text: str, year_printed: bool) -> Iterator[tuple[int, int]]:
    """Printings of the date: each place its day number is printed is parsed in a small window
    (the whole page once per candidate would be quadratic). The window starts at each word
    just before the day, as ``find_date`` reads only the first date-like text it meets. A date
    printed without a year counts only when the document prints the value's year somewhere."""
    default_year = value.year if year_printed or str(value.year) in text else None
    seen: set[tuple[int, int]] = set()
    for day in re.finditer(rf"(?<!\d)0?{value.day}(?!\d)", text):
        low = max(0, day.start() - DATE_WINDOW_BEFORE)
        starts = [low + m.start() for m in _WORD_START.finditer(text[low : day.start()])]
        for start in [*starts, day.start()]:
            window = text[start : day.end() + DATE_WINDOW_AFTER]
            for day_first in (None, True, False):
                found = find_date(window, day_first=day_first, default_year=default_year)
                if found is None or found[0] != value:
                    continue
                span = (start + found[1], start + found[2])
                if span[0] <= day.start() < span[1] and span not in seen:
                    seen.add(span)
                    yield span


def _month_spans(value: str, text: str) -> Iterator[tuple[int, int]]:
    year, month = int(value[:4]), int(value[5:7])
    if str(year) not in text:
        return
    for match in _MONTH_NAME_YEAR.finditer(text):
        if month_number(match.group(1)) == month and int(match.group(2)) == year:
            yield match.start(), match.end()
    for match in _NUMERIC_YEAR_MONTH.finditer(text):
        if match.group(1):
            found = (int(match.group(1)), int(match.group(2)))
        else:
            found = (int(match.group(4)), int(match.group(3)))
        if found == (year, month):
            yield match.start(), match.end()
