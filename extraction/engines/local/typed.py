"""Typed values inside printed text, with the character span they came from.

``DocumentHints`` holds what one document says about its own conventions (day/month order,
decimal comma, the year of dates printed without one, the currency), inferred from its text so
that an ambiguous ``05/03/2024`` or ``1.234`` is read the way the rest of the document reads.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from extraction.engines.local.vocabulary import ENUM_SYNONYMS
from extraction.values import parse_bool, parse_number, parse_year_month

_AMOUNT = re.compile(
    r"(?<![\w.,])[-−(]?\s?(?:[A-Z]{3}\s?|[$€£]\s?)?"
    r"(?:\d{1,3}(?:[,.'’\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d])"
    r"(?:\s?\))?"
)
_DMY_VOTE = re.compile(r"\b(1[3-9]|2\d|3[01])[./-](0?[1-9]|1[0-2])[./-]\d{2,4}\b")
_MDY_VOTE = re.compile(r"\b(0?[1-9]|1[0-2])/(1[3-9]|2\d|3[01])/\d{2,4}\b")
_DOTTED = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")
_COMMA_DECIMAL = re.compile(r"\d,\d{2}(?![\d.,])")
_DOT_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d{2}(?![\d.,])")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_DATE_YEAR = re.compile(
    r"(?:\b\d{1,2}[./-]\d{1,2}[./-]|\b[A-Za-zÀ-ÿ]{3,9}\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?"
    r"|\b\d{1,2}\.?\s+[A-Za-zÀ-ÿ]{3,9}\.?,?\s+)(19[5-9]\d|20\d\d)\b"
    r"|\b(19[5-9]\d|20\d\d)(?=-\d{2}-\d{2}\b)"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(
    r"(?<![\w])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,5}){1,4}(?![\w])"
)
URL = re.compile(r"https?://\S+|www\.\S+")
DOI = re.compile(r"\b10\.\d{4,9}/[^\s,;]+")


@dataclass
class DocumentHints:
    """A document's conventions: day/month order, decimal comma, year, currency votes."""

    day_first: bool | None = None
    decimal_comma: bool | None = None
    year: int | None = None
    currency_votes: Counter[str] | None = None


def infer_hints(texts: list[str]) -> DocumentHints:
    """Conventions of a document from (a sample of) its page texts."""
    text = "\n".join(texts)
    dmy = len(_DMY_VOTE.findall(text)) + len(_DOTTED.findall(text))
    mdy = len(_MDY_VOTE.findall(text))
    day_first: bool | None = None
    if dmy or mdy:
        day_first = dmy > mdy
    comma = len(_COMMA_DECIMAL.findall(text))
    dot = len(_DOT_DECIMAL.findall(text))
    decimal_comma = comma > dot if (comma or dot) else None
    # The year of dates printed without one: the year the document's full dates use (a bare
    # four-digit number may be an account or a street number).
    years = Counter(a or b for a, b in _DATE_YEAR.findall(text)) or Counter(_YEAR.findall(text))
    year = int(years.most_common(1)[0][0]) if years else None
    votes: Counter[str] = Counter()
    lowered = text.lower()
    for code in ("usd", "eur", "gbp", "chf", "cad", "aud"):
        votes[code] = len(re.findall(rf"\b{code}\b", lowered)) * 3
    votes["eur"] += text.count("€") * 2
    votes["gbp"] += text.count("£") * 2
    # "A$"/"C$" are Australian/Canadian dollars; a bare "$" is the US dollar.
    prefixed = {
        "aud": len(re.findall(r"\bA(?:U)?\$", text)),
        "cad": len(re.findall(r"\bC(?:A)?\$", text)),
    }
    for code, count in prefixed.items():
        votes[code] += count * 3
    votes["usd"] += text.count("$") - sum(prefixed.values())
    # Ringgit ("RM 12.50"): day-first dates, like every currency but the US dollar.
    votes["myr"] += len(re.findall(r"\bRM\s?\d", text)) * 2
    if day_first is None and votes:
        top = votes.most_common(1)[0]
        if top[1]:
            day_first = top[0] not in {"usd"}
    return DocumentHints(day_first, decimal_comma, year, votes)


_DATE_SHAPED = re.compile(
    r"\d[./-]\d{1,2}[./-]\d|[A-Za-z]{3,9}\.?\s+\d{1,2}\s*,?\s*\d{4}|\d\s+[A-Za-z]{3,9}\.?,?\s+\d{4}"
)


def find_amount(text: str, hints: DocumentHints) -> tuple[float, int, int] | None:
    """The last money/number token in ``text`` (amounts sit at the end of a cell); figures
    inside a date ("Due on January 3, 2020") are not amounts."""
    dates: list[tuple[int, int]] = []
    if _DATE_SHAPED.search(text):
        from extraction.engines.local.dates import dates_in  # dates reads typed's hints

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
    separators = re.findall(r"[.,]", digits)
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
        from extraction.engines.local.dates import find_any_date  # dates reads typed's hints

        found = find_any_date(text, day_first=hints.day_first, default_year=hints.year)
        if found is None:
            return None
        return found[0].isoformat(), found[1], found[2]
    if kind == "yearmonth":
        value = parse_year_month(text)
        return (value, 0, len(text)) if value else None
    if kind in {"number", "integer"}:
        found = find_amount(text, hints)
        if found is None:
            return None
        value, start, end = found
        if re.search(r"\d\s*(?:DR|Dr|D)\s*$", text):
            value = -abs(value)  # "120.00 DR": a debit printed unsigned
        if kind == "integer":
            if value != int(value):
                return None
            return int(value), start, end
        return value, start, end
    if kind == "boolean":
        value = parse_bool(text)
        if value is None:
            # "☑ Yes ☐ No" / "[x] Yes [ ] No": the ticked option.
            ticked = re.search(r"(?:[☑☒✓✔]|\[[xX✓]\])\s*([^\W\d]+)", text)
            value = parse_bool(ticked.group(1)) if ticked else None
        return (value, 0, len(text)) if value is not None else None
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
    if pattern:
        # A pattern names the exact shape wanted ("^[0-9]{4}$": the last four digits of
        # "************8819"): take the last part of the text that has it.
        core = pattern.removeprefix("^").removesuffix("$")
        try:
            matches = list(re.finditer(rf"(?<![0-9A-Za-z]){core}(?![0-9A-Za-z])", text))
        except re.error:
            matches = []
        if not matches:
            return None
        last = matches[-1]
        return last.group(0), last.start(), last.end()
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
