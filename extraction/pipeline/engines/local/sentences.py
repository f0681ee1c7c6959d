"""Sentences of running text, and the small vocabulary prose matching needs.

``sentences_of`` splits each page's text into sentences (not after abbreviations such as "Co."
or "Inc.", and joining a short clause heading like "§ 2 Term." to the sentence it introduces),
with the page and character offset of each.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local.fields import Found

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.layout import PageLayout

_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z§(\"“])")
STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "or",
        "and",
        "to",
        "in",
        "on",
        "for",
        "by",
        "with",
        "as",
        "at",
        "is",
        "be",
        "if",
        "any",
        "this",
        "that",
        "these",
        "those",
        "its",
        "it",
        "such",
        "when",
        "from",
        "into",
        "than",
        "then",
        "else",
        "null",
        "none",
        "only",
        "iso",
        "yyyy",
        "mm",
        "dd",
        "date",
        "given",
        "printed",
        "stated",
        "named",
        "without",
        "prefixes",
        "e.g",
    ]
)
DEFINED = re.compile(r"\((?:the|hereinafter|each|together)?\s*(?:a|an|the)?\s*[\"“]([^\"”]+)[\"”]")


_ABBREVIATION = re.compile(
    r"\b(?:co|inc|ltd|corp|no|nr|st|mr|mrs|ms|dr|e\.g|i\.e|art|sec|para|approx|vs|bv|b\.v|"
    r"n\.v|s\.a|jr|sr)\.$|\b[A-Z]\.$",
    re.I,
)


def _split_sentences(text: str) -> list[tuple[int, str]]:
    """(start, text) of the sentences of ``text``; a break after an abbreviation ("Co. KG")
    is not a sentence end."""
    spans: list[list[int]] = []
    for match in _SENTENCE_END.finditer(text):
        current = spans[-1][0] if spans else 0
        if _ABBREVIATION.search(text[current : match.start()]):
            continue
        if not spans:
            spans.append([0, match.start()])
        else:
            spans[-1][1] = match.start()
        spans.append([match.end(), len(text)])
    if not spans:
        spans.append([0, len(text)])
    return [(start, text[start:end]) for start, end in spans]


def stem(word: str) -> str:
    """A crude stem for matching words of a field name in text: lower case, no plural "s",
    first six letters ("termination" and "terminate" agree)."""
    word = word.lower().strip(".,;:()'\"’")
    if word.endswith("s") and len(word) > 3:
        word = word[:-1]
    return word[:6]


def sentences_of(layouts: list[PageLayout]) -> list[tuple[int, int, str]]:
    """(page, start, text) of each sentence; a clause heading joins its first sentence."""
    out: list[tuple[int, int, str]] = []
    for layout in layouts:
        text = layout.page.text
        pending: tuple[int, str] | None = None
        for start, part in _split_sentences(text):
            flat = " ".join(part.split())
            if pending is not None:
                start, flat = pending[0], pending[1] + " " + flat
                pending = None
            if len(flat.split()) < 5 and flat.endswith("."):
                pending = (start, flat)
                continue
            out.append((layout.number, start, flat))
    return out


def is_prose(sentence: str) -> bool:
    """Running text, not a run of layout (names, figures, labels) without full stops."""
    words = sentence.split()
    if len(words) > 90:
        return False
    lower = sum(1 for w in words if w[:1].islower())
    return lower >= 0.3 * len(words)


def locate_in_sentence(
    value: Any,
    layouts: list[PageLayout],
    page: int,
    start: int,
    sentence: str,
    s: int,
    e: int,
) -> Found:
    """A ``Found`` for ``value`` read from characters ``s:e`` of a (whitespace-normalised)
    sentence of ``page`` starting at ``start``, located in the page text by the same words."""
    text = next((layout.page.text for layout in layouts if layout.number == page), "")
    words = sentence[s:e].split()
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.compile(pattern).search(text, start) if words else None
    if match is None:
        return Found(value, page, start, start, 0.6, "sentence of the agreement")
    return Found(value, page, match.start(), match.end(), 0.6, "sentence of the agreement")
