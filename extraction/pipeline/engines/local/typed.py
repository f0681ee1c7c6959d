"""Typed values inside printed text, with the character span they came from, read with the
document's own conventions (``hints.DocumentHints``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local.dates import dates_in, find_any_date
from extraction.pipeline.engines.local.vocabulary import ENUM_SYNONYMS
from extraction.pipeline.patterns import word_matches
from extraction.pipeline.values import parse_bool, parse_number, parse_year_month

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.hints import DocumentHints

_AMOUNT = re.compile(
    r"(?<![\w.,])[-−(]?\s?(?:[A-Z]{3}\s?|[$€£]\s?)?"
    r"(?:\d{1,3}(?:[,.'’\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d])"
    r"(?:\s?\))?"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(
    r"(?<![\w])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,5}){1,4}(?![\w])"
)
URL = re.compile(r"https?://\S+|www\.\S+")
DOI = re.compile(r"\b10\.\d{4,9}/[^\s,;]+")


_DATE_SHAPED = re.compile(
    r"\d[./-]\d{1,2}[./-]\d|[A-Za-z]{3,9}\.?\s+\d{1,2}\s*,?\s*\d{4}|\d\s+[A-Za-z]{3,9}\.?,?\s+\d{4}"
)


def find_amount(text: str, hints: DocumentHints) -> tuple[float, int, int] | None:
    """The last money/number token in ``text`` (amounts sit at the end of a cell); figures
    inside a date ("Due on January 3, 2020") are not amounts."""
    dates: list[tuple[int, int]] = []
    if _DATE_SHAPED.search(text):
        dates = [(start, end) for _value, start, end in dates_in(text, hints)]
    best = None
    for match in _AMOUNT.finditer(text):
        token = match.group(0)
        if not re.search(r"\d", token):
            continue
        if re.search(r"\d\s?%", text[match.start() : match.end() + 2]):
            continue
        if any(start < match.end() and match.start() < end for start, end in dates):
            continue
        best = match
    if best is None:
        return None
    token = best.group(0).strip()
    value = parse_number(token, decimal_comma=_comma_for(token, hints))
    if value is None:
        return None
    return value, best.start(), best.end()


def _comma_for(token: str, hints: DocumentHints) -> bool | None:
    digits = re.sub(r"[^\d.,]", "", token)
    separators: list[str] = re.findall(r"[.,]", digits)
    # Only "1.234"/"1,234" is ambiguous; anything else explains itself.
    if len(separators) == 1 and re.search(r"[.,]\d{3}$", digits):
        return hints.decimal_comma
    if len(set(separators)) == 1 and len(separators) > 1:
        return separators[0] == "."
    return None


def read_value(
    kind: str, text: str, hints: DocumentHints, spec_schema: dict[str, Any]
) -> tuple[Any, int, int] | None:
    """A value of ``kind`` read from ``text`` as ``(value, start, end)``, or None."""
    text = text or ""
    if kind == "date":
        date = find_any_date(text, day_first=hints.day_first, default_year=hints.year)
        if date is None:
            return None
        return date[0].isoformat(), date[1], date[2]
    if kind == "yearmonth":
        year_month = parse_year_month(text)
        return (year_month, 0, len(text)) if year_month else None
    if kind in {"number", "integer"}:
        amount = find_amount(text, hints)
        if amount is None:
            return None
        number, start, end = amount
        if re.search(r"\d\s*(?:DR|Dr|D)\s*$", text):
            number = -abs(number)  # "120.00 DR": a debit printed unsigned
        if kind == "integer":
            if number != int(number):
                return None
            return int(number), start, end
        return number, start, end
    if kind == "boolean":
        flag = parse_bool(text)
        if flag is None:
            # "☑ Yes ☐ No" / "[x] Yes [ ] No": the ticked option.
            ticked = re.search(r"(?:[☑☒✓✔]|\[[xX✓]\])\s*([^\W\d]+)", text)
            flag = parse_bool(ticked.group(1)) if ticked else None
        return (flag, 0, len(text)) if flag is not None else None
    if kind == "enum":
        option = match_enum(text, spec_schema.get("enum") or [])
        return (option, 0, len(text)) if option is not None else None
    cleaned = re.sub(r"^#{1,6}\s+", "", text.strip()).strip(":").strip().strip("*_").strip()
    # "Net 60." ends a sentence; "Corp." keeps its abbreviation point.
    cleaned = re.sub(r"(?<=\d)\.$", "", cleaned)
    if not cleaned or cleaned in {"—", "-", "–", "n/a", "N/A"}:
        return None
    start = text.find(cleaned)
    pattern = spec_schema.get("pattern")
    if pattern and isinstance(pattern, str):
        # A pattern names the exact shape wanted ("^[0-9]{4}$": the last four digits of
        # "************8819"): take the last part of the text that has it. RE2 runs it (in
        # linear time: the pattern is the user's); one it cannot run is ignored as a hint.
        spans = word_matches(pattern.removeprefix("^").removesuffix("$"), text)
        if spans is not None:
            if not spans:
                return None
            first, last = spans[-1]
            return text[first:last], first, last
    return cleaned, start, start + len(cleaned)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", text.lower()).split())


def match_enum(text: str, options: list[Any]) -> Any | None:
    """The option ``text`` states: exact (case-insensitive), then a curated synonym."""
    lowered = _norm(text)
    strings = [o for o in options if isinstance(o, str)]
    for option in strings:
        if _norm(option) == lowered:
            return option
    for option in strings:
        if re.search(rf"(?<!\w){re.escape(_norm(option))}(?!\w)", lowered):
            return option
    for option in strings:
        for synonym in ENUM_SYNONYMS.get(_norm(option), []):
            if re.search(rf"(?<!\w){re.escape(synonym)}(?!\w)", lowered) or (
                not synonym[-1].isalnum() and synonym in lowered
            ):
                return option
    return None
