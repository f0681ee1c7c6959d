"""Dates as scans and tills print them, and the date a document bears.

``find_any_date`` reads what ``pipeline.values.find_date`` reads plus the forms of receipts
and OCR text: a month name between separators with a two-digit year ("24 Mar 18",
"25/Feb/2017", "01-NoV-2017") and a month name with a zero read for an O ("10 0CT 2017").
``document_date`` picks, for a field that means the document's own date (a receipt's
transaction date, an invoice date, an agreement's date) and has no label, the date printed
in the top part of page 1, preferring one on a line that says "date".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from extraction.pipeline.values import find_date, month_number

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.hints import DocumentHints

# Month words OCR'd with a digit for a letter ("0CT", "N0V"): same length, so offsets hold.
_MONTHISH = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{3,9}(?![A-Za-z])")
_DAY_MONTH_SHORT_YEAR = re.compile(
    r"(?<![\d])(\d{1,2})\s?[-/. ]?\s?([A-Za-z]{3,9})\.?\s?[-/. ,]?\s?(\d{4}|\d{2})(?![\d])"
)
# "December 11,2014", "January 3 , 2020": a month-first date with its comma's space moved.
_MONTH_DAY_YEAR_TIGHT = re.compile(
    r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s*,\s*(\d{4})\b"
)


def _unconfuse(text: str) -> str:
    """``0CT`` -> ``OCT``, ``N0V`` -> ``NOV``: digits inside a would-be month word."""

    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        if not re.search(r"[A-Za-z]", token) or not re.search(r"[015]", token):
            return token
        letters = token.translate(str.maketrans("015", "OIS"))
        return letters if month_number(letters) else token

    return _MONTHISH.sub(fix, text)


# A year run into the time after it ("25/Feb/201707:43:54", "28/06/20183:11:35"): a scan
# lost the space.
_GLUED_TIME = re.compile(
    r"(?<!\d)(\d{1,2}[./-](?:\d{1,2}|[A-Za-z]{3,9})[./-](?:19|20)\d{2})(?=\d{1,2}:\d{2})"
)


def find_any_date(
    text: str, *, day_first: bool | None = None, default_year: int | None = None
) -> tuple[dt.date, int, int] | None:
    """The first date in ``text`` as ``(date, start, end)``; None when there is none."""
    if not text or not re.search(r"\d", text):
        return None
    glued = [match.end() for match in _GLUED_TIME.finditer(text)]
    if glued:
        spaced = _GLUED_TIME.sub(r"\1 ", text)
        found = find_any_date(spaced, day_first=day_first, default_year=default_year)
        if found is None:
            return None
        # Offsets back in ``text``: one character less for each space put in before them.
        value, start, end = found
        shift_start = sum(1 for i, position in enumerate(glued) if position + i < start)
        shift_end = sum(1 for i, position in enumerate(glued) if position + i < end)
        return value, start - shift_start, end - shift_end
    cleaned = _unconfuse(text)
    best = find_date(cleaned, day_first=day_first, default_year=default_year)
    for match in _DAY_MONTH_SHORT_YEAR.finditer(cleaned):
        month = month_number(match.group(2))
        if month is None:
            continue
        year = int(match.group(3))
        year += 2000 if year < 100 else 0
        try:
            value = dt.date(year, month, int(match.group(1)))
        except ValueError:
            continue
        if best is None or match.start() < best[1]:
            best = (value, match.start(), match.end())
        break
    for match in _MONTH_DAY_YEAR_TIGHT.finditer(cleaned):
        month = month_number(match.group(1))
        if month is None:
            continue
        try:
            value = dt.date(int(match.group(3)), month, int(match.group(2)))
        except ValueError:
            continue
        if best is None or match.start() < best[1]:
            best = (value, match.start(), match.end())
        break
    if best is not None and not 1950 <= best[0].year <= 2100:
        return None
    return best


def dates_in(text: str, hints: DocumentHints) -> list[tuple[dt.date, int, int]]:
    """Every date in ``text``, left to right."""
    out = []
    position = 0
    while position < len(text):
        found = find_any_date(text[position:], day_first=hints.day_first)
        if found is None:
            break
        value, start, end = found
        out.append((value, position + start, position + end))
        position += max(end, 1)
    return out
