"""What one document says about its own conventions: day/month order, decimal comma, the year
of dates printed without one, the currency. Inferred from its text, so that an ambiguous
``05/03/2024`` or ``1.234`` is read the way the rest of the document reads."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

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
