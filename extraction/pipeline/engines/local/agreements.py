"""Agreements and letters: the parties, the date the agreement takes effect, and its term.

Legal drafting states these in a few conventional places, whatever the agreement is about:

- parties: see ``parties.agreement_parties`` (preamble, defined names, signature blocks,
  addressee);
- the effective date: a date defined as the "Effective Date", "effective as of <date>",
  "made/entered into as of <date>", else the date heading a letter;
- the term: a duration ("two (2) years", "eighteen months") in a sentence saying the
  agreement or its obligations terminate, expire or remain in effect, not a non-solicitation
  or standstill period.

``fill_agreement`` runs before the generic prose reader and fills only what it finds.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local.dates import dates_in
from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.meaning import meaning_of
from extraction.pipeline.engines.local.parties import SALUTATION, agreement_parties
from extraction.pipeline.engines.local.sentences import locate_in_sentence, sentences_of

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.hints import DocumentHints
    from extraction.pipeline.engines.local.labels import FieldSpec
    from extraction.pipeline.engines.local.layout import PageLayout

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "thirty-six": 36,
    "forty-eight": 48,
    "sixty": 60,
}
_DURATION = re.compile(
    r"\b(?:(?P<word>[a-z]+(?:-[a-z]+)?)\s*(?:\((?P<paren>\d+)\))?|(?P<digits>\d+))"
    r"[\s-]*(?P<unit>year|month|week|day)s?\b",
    re.I,
)
_TERM_VERBS = re.compile(
    r"\b(terminat\w*|expir\w*|cease\w*|remain\w* in (?:full )?(?:force|effect)|"
    r"in effect|continue\w* in effect|term\b|surviv\w*|effective)\b",
    re.I,
)
_TERM_ANCHOR = re.compile(
    r"\b(from|after)\s+(the\s+)?(date\s+(hereof|of\s+this\s+agreement)|effective\s+date|"
    r"date\s+first\s+written)|\bthe\s+date\s+hereof\b|\bthereafter\b",
    re.I,
)
_NOT_TERM = re.compile(
    r"\b(solicit\w*|hire|hiring|employ\w*|standstill|acquir\w*|purchase|securities|"
    r"proxy|preceding|prior to|notice|cure|days? after receipt)\b",
    re.I,
)
_THIS_AGREEMENT = re.compile(r"\b(this|the)\s+(letter\s+)?agreement\b|\bobligations?\b", re.I)
_DEFINED_EFFECTIVE = re.compile(r"[\"“]\s*effective\s+date\s*[\"”]", re.I)
_EFFECTIVE_AS_OF = re.compile(r"\beffective\s+(?:as\s+of|on|from)\b", re.I)
_MADE_AS_OF = re.compile(
    r"\b(?:made|entered\s+into|executed|dated|signed)(?:\s+and\s+entered\s+into)?"
    r"(?:\s*,)?\s+(?:as\s+of|on|this|effective)\b",
    re.I,
)
# The agreement itself, not one it mentions: 'This Agreement', 'this letter', '(“Agreement”)'.
_THIS_ONE = re.compile(r"\bthis\b[^.;]{0,80}\b(agreement|letter)\b|[\"“]\s*agreement\s*[\"”]", re.I)


def fill_agreement(
    specs: list[FieldSpec],
    leaves: list[FieldSpec],
    found: dict[str, Any],
    layouts: list[PageLayout],
    hints: DocumentHints,
) -> None:
    """Fill (in place) an agreement's effective date, term and parties list when the
    schema asks for them and the text states them."""
    if not layouts:
        return
    sentences: list[tuple[int, int, str]] | None = None
    for spec in leaves:
        if "." in spec.path or found.get(spec.path) is not None:
            continue
        meaning = meaning_of(spec)
        if meaning.concept == "date" and _effective(meaning.words, meaning.description):
            sentences = sentences or sentences_of(layouts)
            value = effective_date(layouts, sentences, hints)
        elif meaning.concept == "duration" and spec.kind == "string":
            sentences = sentences or sentences_of(layouts)
            value = agreement_term(sentences, layouts)
        else:
            continue
        if value is not None:
            found[spec.path] = value
    for spec in specs:
        if spec.kind == "array_str" and meaning_of(spec).concept == "names":
            if found.get(spec.path):
                continue
            sentences = sentences or sentences_of(layouts)
            names = agreement_parties(layouts, sentences)
            if names:
                found[spec.path] = names
                found[f"{spec.path}#how"] = "preamble, addressee and signature blocks"


def _effective(words: tuple[str, ...], description: str) -> bool:
    return bool(
        {"effective", "agreement", "contract", "commencement"} & set(words)
        or re.search(r"\b(agreement|contract)\b.*\beffective\b|\beffective\b", description)
    )


# --- effective date ---------------------------------------------------------------------------


def effective_date(
    layouts: list[PageLayout], sentences: list[tuple[int, int, str]], hints: DocumentHints
) -> Found | None:
    """The date the agreement takes effect (see the module docstring)."""
    ranked: list[tuple[float, int, Found]] = []
    for order, (page, start, sentence) in enumerate(sentences[:400]):
        dates = dates_in(sentence, hints)
        if not dates:
            continue
        defined = _DEFINED_EFFECTIVE.search(sentence)
        for value, s, e in dates:
            weight = 0.0
            if defined and s < defined.start() and defined.start() - e < 40:
                weight = 3.0
            elif _EFFECTIVE_AS_OF.search(sentence[max(0, s - 30) : s]):
                weight = 2.5
            elif (
                _MADE_AS_OF.search(sentence[max(0, s - 45) : s])
                and _THIS_ONE.search(sentence[:s])
                and order < 40
            ):
                weight = 2.0
            if weight:
                found = locate_in_sentence(value.isoformat(), layouts, page, start, sentence, s, e)
                ranked.append((weight, -order, found))
    if ranked:
        ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
        best = ranked[0]
        best[2].score = 0.8 if best[0] >= 2.5 else 0.7
        return best[2]
    return _letter_date(layouts[0], hints) or _signature_date(layouts[-1], hints)


def _signature_date(layout: PageLayout, hints: DocumentHints) -> Found | None:
    """A date on a line of the signature page that says "date" ("DATE 04/18/01")."""
    for row in reversed(layout.rows):
        if not re.search(r"\bdated?\b", row.text, re.I):
            continue
        for cell in row.cells:
            dates = dates_in(cell.text, hints)
            if dates:
                value, start, end = dates[0]
                return Found(
                    value.isoformat(),
                    layout.number,
                    cell.start + start,
                    cell.start + end,
                    0.5,
                    "date beside the signatures",
                )
    return None


def _letter_date(layout: PageLayout, hints: DocumentHints) -> Found | None:
    """The date heading a letter: the first date printed before the salutation."""
    for row in layout.rows[:30]:
        if SALUTATION.match(row.text):
            break
        for cell in row.cells:
            dates = dates_in(cell.text, hints)
            if dates:
                value, start, end = dates[0]
                return Found(
                    value.isoformat(),
                    layout.number,
                    cell.start + start,
                    cell.start + end,
                    0.6,
                    "date heading the letter",
                )
    return None


# --- term -------------------------------------------------------------------------------------


def agreement_term(
    sentences: list[tuple[int, int, str]], layouts: list[PageLayout]
) -> Found | None:
    """The agreement's duration as "<number> <unit>" (see the module docstring)."""
    ranked: list[tuple[float, int, Found]] = []
    for order, (page, start, sentence) in enumerate(sentences):
        if not _TERM_VERBS.search(sentence) or not _THIS_AGREEMENT.search(sentence):
            continue
        for match in _DURATION.finditer(sentence):
            amount = _amount(match)
            if amount is None:
                continue
            clause = sentence[max(0, match.start() - 120) : match.end() + 80]
            weight = 1.0
            if _TERM_ANCHOR.search(sentence[match.end() : match.end() + 60]):
                weight += 1.0
            if re.search(r"\bterminat\w*|\bexpir\w*|\bcease", clause, re.I):
                weight += 0.5
            if re.search(r"^\W*\d*\.?\s*term\b", sentence, re.I):
                weight += 1.0
            if _NOT_TERM.search(clause):
                weight -= 1.5
            if weight <= 1.0:
                continue
            unit = match.group("unit").lower()
            value = f"{amount} {unit}{'s' if amount != 1 else ''}"
            found = locate_in_sentence(
                value, layouts, page, start, sentence, match.start(), match.end()
            )
            found.score = 0.7 if weight >= 2.5 else 0.55
            found.how = "duration in a sentence on the agreement's term"
            ranked.append((weight, -order, found))
    if not ranked:
        return None
    ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return ranked[0][2]


def _amount(match: re.Match[str]) -> int | None:
    if match.group("digits"):
        return int(match.group("digits"))
    if match.group("paren"):
        return int(match.group("paren"))
    word = (match.group("word") or "").lower()
    return NUMBER_WORDS.get(word)
