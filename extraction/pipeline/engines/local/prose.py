"""Fields stated in running text: contracts, letters, policies.

A missing leaf is looked for in the sentence that shares the most words with the field's name
(all of them must appear, stemmed) and description; the typed value is read from that sentence:
the first date, the number before the unit the field's name gives (``term_months``: "six (6)
months", years converted), the first amount after the name's last word. Strings come only from
two legal-drafting conventions: a defined term (``... located at 12 Main St (the "Premises")``)
named in the field's description, and "the laws of X" for a governing-law field. Parties are the
names listed after "between", with the defined role each is given.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.labels import FieldSpec, words_of
from extraction.pipeline.engines.local.parties import parties_after_between
from extraction.pipeline.engines.local.sentences import DEFINED, STOP, is_prose, sentences_of, stem
from extraction.pipeline.engines.local.typed import find_amount
from extraction.pipeline.values import find_date

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.hints import DocumentHints
    from extraction.pipeline.engines.local.layout import PageLayout

_NUMBER_WORDS = {
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
    "fourteen": 14,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "thirty-six": 36,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
}
_UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}


def _sentence_score(sentence: str, spec: FieldSpec) -> float:
    stems = {stem(w) for w in sentence.split()}
    # A unit in the name ("term_months") is what to read, not a word the text must repeat.
    # A type word in the name ("delivery_date") is what to read, not a word to match.
    implied = {"date"} if spec.kind == "date" else set()
    name_words = [
        w
        for w in words_of(spec.name).split()
        if w not in STOP and w.rstrip("s") not in _UNITS and w not in implied
    ]
    if not name_words or any(stem(w) not in stems for w in name_words):
        return 0.0
    described = {
        stem(w) for w in re.findall(r"[A-Za-z]{4,}", spec.description) if w.lower() not in STOP
    }
    # The sentence that defines the term ('... (the "Effective Date")') states its value.
    bonus = 3.0 if _defining_term(sentence, spec) is not None else 0.0
    return len(name_words) * 2 + len(described & stems) * 0.5 + bonus


def _defining_term(sentence: str, spec: FieldSpec) -> re.Match[str] | None:
    wanted = {stem(w) for w in words_of(spec.name).split() if w not in STOP}
    for match in DEFINED.finditer(sentence):
        if wanted and wanted <= {stem(w) for w in match.group(1).split()}:
            return match
    return None


def _number_before_unit(sentence: str, unit: str) -> tuple[int, int, int, str] | None:
    """The first "N unit(s)" in the sentence, preferring the wanted unit."""
    found = _numbers_with_units(sentence)
    for item in found:
        if item[3] == unit:
            return item
    return found[0] if found else None


def _numbers_with_units(sentence: str) -> list[tuple[int, int, int, str]]:
    pattern = re.compile(
        r"(?:\b([a-z]+(?:-[a-z]+)?)\s+)?(?:\((\d+)\)|(\d+))\s*(day|week|month|year)s?\b"
        r"|\b([a-z]+(?:-[a-z]+)?)\s+(day|week|month|year)s?\b",
        re.I,
    )
    out = []
    for match in pattern.finditer(sentence):
        digits = match.group(2) or match.group(3)
        found_unit = (match.group(4) or match.group(6) or "").lower()
        if digits:
            value = int(digits)
        else:
            word = (match.group(5) or "").lower()
            if word not in _NUMBER_WORDS:
                continue
            value = _NUMBER_WORDS[word]
        out.append((value, match.start(), match.end(), found_unit))
    return out


def _anchor(sentence: str, spec: FieldSpec) -> int:
    """Where the first word of the field's name (stemmed) appears in the sentence, or 0."""
    stems = {stem(w) for w in words_of(spec.name).split() if w not in STOP and w != "date"}
    for match in re.finditer(r"\w+", sentence):
        if stem(match.group(0)) in stems:
            return match.start()
    return 0


def _typed_from_sentence(
    spec: FieldSpec, sentence: str, hints: DocumentHints
) -> tuple[Any, int, int] | None:
    if spec.kind == "date":
        defined = _defining_term(sentence, spec)
        if defined is not None:
            # 'on 12/02/2023 (the "Effective Date")': the last date before the definition.
            before = sentence[: defined.start()]
            last = None
            position = 0
            while True:
                got = find_date(before[position:], day_first=hints.day_first)
                if got is None:
                    break
                last = (got[0], position + got[1], position + got[2])
                position += got[2]
            if last is not None:
                return last[0].isoformat(), last[1], last[2]
        # The date after the words that name the field ("deliver ... no later than <date>").
        anchor = _anchor(sentence, spec)
        got = find_date(sentence[anchor:], day_first=hints.day_first)
        if got is not None:
            return got[0].isoformat(), anchor + got[1], anchor + got[2]
        got = find_date(sentence, day_first=hints.day_first)
        return (got[0].isoformat(), got[1], got[2]) if got else None
    if spec.kind in {"integer", "number"}:
        name = spec.name.lower()
        name_words = words_of(name).split()
        unit = next((u for u in _UNITS if u in name_words or f"{u}s" in name_words), None)
        if unit:
            number = _number_before_unit(sentence, unit)
            if number is None:
                return None
            value, start, end, found_unit = number
            if found_unit == unit:
                return value, start, end
            # Only exact conversions: years to months, weeks to days.
            factor = {("year", "month"): 12, ("week", "day"): 7, ("year", "week"): 52}
            if (found_unit, unit) not in factor:
                return None
            return value * factor[(found_unit, unit)], start, end
        last_word = words_of(spec.name).split()[-1]
        named = re.search(rf"\b{re.escape(last_word)}", sentence, re.I)
        tail = sentence[named.end() :] if named else sentence
        offset = named.end() if named else 0
        money = re.search(
            r"(?:[A-Z]{3}|[$€£])\s?\d[\d,.' ]*\d|\d[\d,.' ]*\d\s?(?:[A-Z]{3}|[€$£])", tail
        )
        if money is None:
            return None
        got_amount = find_amount(money.group(0), hints)
        if got_amount is None:
            return None
        return got_amount[0], offset + money.start(), offset + money.end()
    return None


def _defined_term_value(spec: FieldSpec, sentences: list[tuple[int, int, str]]) -> Found | None:
    wanted = {stem(w) for w in re.findall(r"[A-Za-z]{4,}", spec.description + " " + spec.name)}
    for page, start, sentence in sentences:
        for match in DEFINED.finditer(sentence):
            term = match.group(1)
            if not any(stem(w) in wanted for w in term.split()):
                continue
            before = sentence[: match.start()].rstrip(" ,")
            lead = list(
                re.finditer(r"\b(?:located at|situated at|known as|premises at|at)\s+", before)
            )
            if not lead:
                continue
            value = before[lead[-1].end() :].strip(" ,")
            if 5 < len(value) < 120:
                offset = start + sentence.find(value)
                return Found(
                    value,
                    page,
                    offset,
                    offset + len(value),
                    0.6,
                    f"defined term '{term}' in the text",
                )
    return None


_LAWS_OF = re.compile(
    r"laws?(?:\s+in\s+force)?\s+(?:of|in)\s+(?:the\s+)?(?:(?i:state|province|commonwealth|canton|"
    r"republic|kingdom|federal republic)\s+of\s+)?([A-Z][\w'.-]*(?:\s+(?:and\s+)?[A-Z][\w'.-]*)*)"
)
# "... entered into in the Commonwealth of Massachusetts ... governed under the laws of said
# State": the place the sentence names.
_SAID_STATE = re.compile(
    r"laws?\s+of\s+(?:said|such|that|the\s+said)\s+(?i:state|commonwealth|country)"
)
_PLACE_LAW = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+law\b")
_NOT_PLACES = {"Federal", "Applicable", "Common", "Governing", "The", "This", "Such", "Any", "Case"}
_PLACE_OF = re.compile(
    r"(?i:state|commonwealth|province|republic|kingdom)\s+of\s+([A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)*)"
)


def _governing_law(spec: FieldSpec, sentences: list[tuple[int, int, str]]) -> Found | None:
    candidates = []
    for page, start, sentence in sentences:
        governing = re.search(r"govern|construed", sentence, re.I) is not None
        match = _LAWS_OF.search(sentence)
        if match is None or match.group(1) in {"Said", "Such", "That"}:
            match = _PLACE_OF.search(sentence) if _SAID_STATE.search(sentence) else None
        place_law = None
        if match is None and governing:
            # "... governed by Delaware law": the place names the law.
            place_law = next(
                (m for m in _PLACE_LAW.finditer(sentence) if m.group(1) not in _NOT_PLACES), None
            )
        match = match or place_law
        if match is None:
            continue
        # The governing-law clause, not an incorporation statement.
        weight: float = 2 if governing else 1
        if place_law is not None:
            weight = 1.5
        value = match.group(1).rstrip(".")
        offset = start + sentence.find(value, match.start())
        candidates.append(
            (
                weight,
                -page,
                Found(value, page, offset, offset + len(value), 0.7, "'laws of' clause"),
            )
        )
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c[0], c[1]))[2]


def fill(
    leaves: list[FieldSpec],
    found: dict[str, Any],
    layouts: list[PageLayout],
    hints: DocumentHints,
    specs: list[FieldSpec],
) -> None:
    """Fill missing leaves from sentences (in place), and party lists."""
    sentences: list[tuple[int, int, str]] | None = None
    for spec in leaves:
        prior = found.get(spec.path)
        # A labelled "value" that is a whole sentence still holds the value inside it.
        sentence_like = (
            prior is not None and isinstance(prior.value, str) and len(prior.value.split()) > 8
        )
        if (prior is not None and not sentence_like) or spec.kind in {"enum", "boolean"}:
            continue
        if sentences is None:
            sentences = sentences_of(layouts)
        if spec.kind == "string":
            words = words_of(spec.name)
            if re.search(r"\blaw\b|jurisdiction", words + " " + spec.description.lower()):
                value = _governing_law(spec, sentences)
            else:
                value = _defined_term_value(spec, sentences)
            if value is not None:
                found[spec.path] = value
            continue
        scored = [
            (_sentence_score(s[2], spec), s)
            for s in sentences
            if is_prose(s[2]) or _defining_term(s[2], spec) is not None
        ]
        scored = [item for item in scored if item[0] > 0]
        # Ties go to the shorter sentence: a long run of layout text mentions everything.
        scored.sort(key=lambda item: (-item[0], len(item[1][2])))
        for _score, (page, start, sentence) in scored[:3]:
            got = _typed_from_sentence(spec, sentence, hints)
            if got is None:
                continue
            value, s, e = got
            found[spec.path] = Found(
                value,
                page,
                start + s,
                start + e,
                0.6,
                f"sentence mentioning '{words_of(spec.name)}'",
            )
            break
    for spec in specs:
        if spec.kind == "array_obj" and spec.item is not None and not found.get(spec.path):
            parties = parties_after_between(spec, sentences or sentences_of(layouts))
            if parties:
                found[spec.path] = parties
                found[f"{spec.path}#how"] = "names listed after 'between' with their roles"
