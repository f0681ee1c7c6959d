"""Find where a value is printed: a quote or a typed value -> character spans of page text.

The search runs in decreasing order of strictness and records which step matched:

* ``exact``: the quote occurs verbatim in a page's text;
* ``normalized``: it occurs ignoring case, whitespace and punctuation between its words (also
  line by line, or in two pieces, when the page text splits it: a wrapped table cell);
* ``fuzzy``: a near match (rapidfuzz partial ratio at or above ``FUZZY_CUTOFF``);
* ``value``: the typed value itself is printed, in any format (``$1,234.56``, ``1.234,56 €``,
  ``5 Mar 2024``, ``03/05/2024``).

The first place found that shows the value wins. A quote that is found but does not hold the
value (a number or date that differs, a name it does not contain) does not support it; the
value is then searched by itself, and nothing is returned when it is not printed anywhere,
unless the value is a code read from the quoted text (an enum, a boolean). Plain Python over
``Document``; no Django.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from extraction.pipeline.grounding.pages import Located, PageIndex
from extraction.pipeline.grounding.typed import printed_spans, value_kind

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "Located",
    "PageIndex",
    "find_text",
    "find_value",
    "holds",
    "locate",
    "narrow_to_value",
    "occurrences",
    "quote_candidates",
]

FUZZY_CUTOFF = 85.0
FUZZY_MIN_CHARS = 5
# Fuzzy alignment is quadratic-ish in the page length; past this much text it is skipped.
FUZZY_MAX_TOTAL_CHARS = 2_000_000
# A quote longer than this is a passage, not a value: aligning it costs more than it tells.
FUZZY_MAX_QUOTE_CHARS = 400
# How well a string value must appear inside its quote for the quote to count as holding it.
STRING_IN_QUOTE_RATIO = 80.0
# A verbatim quote found inside a longer word counts only when it is at least this long.
LOOSE_EXACT_MIN_CHARS = 6
# How far after its first piece the rest of a wrapped quote may be printed (characters).
WRAPPED_MAX_GAP = 300
# Longer quotes are sentences, not table cells; each extra word costs a search of every page.
WRAPPED_MAX_WORDS = 8
# Score kept by a quote that is the only evidence for a value not printed as such.
DERIVED_SCORE = 0.75

_WORD = re.compile(r"[^\W_]+")
_AMOUNT_PREFIX = re.compile(r"(?:(?:[$€£¥]|\b[A-Z]{3})\s?)?[-−+(]?$")
_AMOUNT_SUFFIX = re.compile(r"\)?(?:\s?(?:[$€£¥]|[A-Z]{3}\b))?")
# A value that looks like a code derived from text rather than text itself: "USD", "nda".
_CODE = re.compile(r"^[\w./-]{1,24}$")


def locate(
    index: PageIndex,
    value: Any,
    quote: str | None = None,
    *,
    near: Located | None = None,
    derivable: bool | None = None,
) -> tuple[list[Located], str | None]:
    """Spans that support ``value``, preferring where ``quote`` is printed.

    ``near`` (a sibling value's span, say) breaks ties between several places the quote or
    value is printed: its page is searched first and the closest occurrence wins.
    ``derivable``: the value may be read from text that does not print it (an enum code, a
    boolean), so a quote found in the document supports it even when it does not contain it;
    None decides from the value (booleans and one-word codes such as ``USD`` or ``nda``). Returns
    ``(spans, quote_match)``: ``spans`` is empty when nothing in the document supports the
    value; ``quote_match`` says how the quote itself was found (None when it was not, or no
    quote was given) so callers can tell a misquoted value from an unprinted one.
    """
    kind = value_kind(value)
    quote = (quote or "").strip()
    if kind == "null":
        return [], None
    if quote:
        first: list[Located] = []
        for quoted in quote_candidates(index, quote, near=near):
            first = first or quoted
            texts = [index.text(span.page)[span.start : span.end] for span in quoted]
            if kind in ("bool", "string") and _string_in_quote(value, texts, kind):
                return narrow_to_value(index, value, quoted), quoted[0].match
            if kind not in ("bool", "string") and holds(value, " ".join(texts), index):
                return narrow_to_value(index, value, quoted), quoted[0].match
        if first:
            found = find_value(index, value, near=first[0])
            if found:
                return found, first[0].match
            if derivable is None:
                derivable = kind == "bool" or (kind == "string" and _CODE.match(value) is not None)
            if derivable:
                # A derived value (an enum code read from "VISA CREDIT", a yes/no read from a
                # sentence) is not printed as such: the quote is the evidence.
                derived = [_replace_score(span, span.score * DERIVED_SCORE) for span in first]
                return derived, first[0].match
            return [], first[0].match
    found = find_value(index, value, near=near, as_value=bool(quote))
    return found, None


def find_text(index: PageIndex, quote: str, *, near: Located | None = None) -> list[Located]:
    """The quote's spans by the first strategy that finds it (``quote_candidates``); empty
    when it is not printed."""
    return next(quote_candidates(index, quote, near=near), [])


def quote_candidates(
    index: PageIndex, quote: str, *, near: Located | None = None
) -> Iterator[list[Located]]:
    """Where the quote may be printed, strongest evidence first: exact, normalized, line by
    line (a multi-line quote whose lines the page text does not keep together) or in two
    pieces (a wrapped table cell), then fuzzy. A caller checking the value stops at the first
    candidate that shows it."""
    for finder in (_find_exact, _find_normalized):
        hit = finder(index, quote, near)
        if hit is not None:
            yield [hit]
    lines = [line.strip() for line in quote.splitlines() if line.strip()]
    pieces = (
        _find_lines(index, lines, near) if len(lines) > 1 else _find_wrapped(index, quote, near)
    )
    if pieces:
        yield pieces
    hit = _find_fuzzy(index, quote, near)
    if hit is not None:
        yield [hit]


def find_value(
    index: PageIndex, value: Any, *, near: Located | None, as_value: bool = True
) -> list[Located]:
    """Where the typed value itself is printed, nearest to ``near`` when given.

    Strings are searched as text (``exact``/``normalized``/``fuzzy``, or ``value`` when
    ``as_value``: the search replaced a quote that failed). Booleans cannot be searched.
    """
    kind = value_kind(value)
    if kind == "string":
        spans = find_text(index, str(value), near=near)
        if as_value:
            spans = [_replace_match(span, "value") for span in spans]
        return spans
    if kind not in ("number", "date", "month"):
        return []
    for number in index.ordered(near.page if near else None):
        candidates = list(_printed(index, kind, value, number))
        if candidates:
            start, end = _nearest(candidates, near, number)
            return [Located(number, start, end, "value", 1.0)]
    return []


def occurrences(
    index: PageIndex, value: Any, quote: str | None = None, *, limit: int = 200
) -> list[Located] | None:
    """Every place the quote (or, without one, the value) is printed verbatim or normalized,
    in page order; None when there are more than ``limit`` (too common to tell anything)."""
    quote = (quote or "").strip()
    kind = value_kind(value)
    found: list[Located] = []
    if quote or kind == "string":
        wanted = quote or str(value)
        pattern = _normalized_pattern(wanted)
        if pattern is None:
            return []
        for number in index.numbers:
            for match in pattern.finditer(index.text(number)):
                how = "exact" if match.group(0) == wanted else "normalized"
                found.append(Located(number, match.start(), match.end(), how, 1.0))
                if len(found) > limit:
                    return None
    elif kind in ("number", "date", "month"):
        for number in index.numbers:
            for start, end in _printed(index, kind, value, number):
                found.append(Located(number, start, end, "value", 1.0))
                if len(found) > limit:
                    return None
    return found


def holds(value: Any, text: str, index: PageIndex | None = None) -> bool:
    """True when ``text`` prints ``value``: a number, date or year-month in any format, or a
    string's words (near enough). ``index`` tells whether the document prints a date's year,
    so a date printed without one may count."""
    kind = value_kind(value)
    if kind in ("number", "date", "month"):
        year_printed = index is not None and kind == "date" and index.prints(str(value)[:4])
        spans = printed_spans(kind, value, text, year_printed=year_printed)
        return next(iter(spans), None) is not None
    return _string_in_quote(value, [text], kind)


def narrow_to_value(index: PageIndex, value: Any, spans: list[Located]) -> list[Located]:
    """A one-span quote that holds more than the value ("Invoice No: INV-001") cut down to
    where the value itself is printed inside it, so its box covers the value, not the label.
    Other spans come back as they are."""
    kind = value_kind(value)
    if len(spans) != 1 or kind not in ("string", "number", "date", "month"):
        return spans
    span = spans[0]
    text = index.text(span.page)[span.start : span.end]
    if kind == "string":
        at = text.find(str(value))
        pattern = _normalized_pattern(str(value))
        match = pattern.search(text) if pattern is not None and at < 0 else None
        inner = (at, at + len(str(value))) if at >= 0 else (match.span() if match else None)
    else:
        year_printed = kind == "date" and index.prints(str(value)[:4])
        inner = next(iter(printed_spans(kind, value, text, year_printed=year_printed)), None)
    if inner is None:
        return spans
    low, high = inner
    if kind == "number":
        # The currency and sign printed with an amount are part of it: "$89.00", "(12.00)".
        prefix = _AMOUNT_PREFIX.search(text[:low])
        suffix = _AMOUNT_SUFFIX.match(text[high:])
        low -= len(prefix.group(0)) if prefix else 0
        high += len(suffix.group(0)) if suffix else 0
    if (low, high) == (0, len(text)):
        return spans
    start, end = span.start + low, span.start + high
    return [Located(span.page, start, end, span.match, span.score)]


def _printed(index: PageIndex, kind: str, value: Any, number: int) -> Iterator[tuple[int, int]]:
    year_printed = kind == "date" and index.prints(str(value)[:4])
    yield from printed_spans(kind, value, index.text(number), year_printed=year_printed)


def _string_in_quote(value: Any, texts: list[str], kind: str) -> bool:
    if kind == "bool":
        return True
    wanted = _normal_words(str(value))
    if not wanted:
        return True
    from rapidfuzz import fuzz

    words = _normal_words(" ".join(texts))
    if wanted in words:
        return True
    # partial_ratio slides the shorter string along the longer: a short quote ("ST") would
    # "contain" any value that has it inside a word, so a quote shorter than the value must
    # match it whole.
    similar = fuzz.partial_ratio if len(words) >= len(wanted) else fuzz.ratio
    return similar(wanted, words) >= STRING_IN_QUOTE_RATIO


def _normal_words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _nearest(spans: list[tuple[int, int]], near: Located | None, page: int) -> tuple[int, int]:
    """The span closest to ``near`` on its page; the first one elsewhere."""
    if near is None or near.page != page:
        return spans[0]
    return min(spans, key=lambda span: max(span[0] - near.end, near.start - span[1], 0))


def _find_exact(index: PageIndex, quote: str, near: Located | None) -> Located | None:
    # A quote that starts or ends inside a word ("1" in "2024") is only a fallback, for long
    # quotes, when no whole-word occurrence exists anywhere.
    loose: Located | None = None
    for number in index.ordered(near.page if near else None):
        text = index.text(number)
        whole: list[tuple[int, int]] = []
        start = text.find(quote)
        while start >= 0:
            end = start + len(quote)
            if _bounded(text, start, end):
                whole.append((start, end))
            elif loose is None and len(quote) >= LOOSE_EXACT_MIN_CHARS:
                loose = Located(number, start, end, "exact", 1.0)
            start = text.find(quote, start + 1)
        if whole:
            start, end = _nearest(whole, near, number)
            return Located(number, start, end, "exact", 1.0)
    return loose


def _bounded(text: str, start: int, end: int) -> bool:
    before = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
    after = end >= len(text) or not (text[end].isalnum() and text[end - 1].isalnum())
    return before and after


def _normalized_pattern(quote: str) -> re.Pattern[str] | None:
    words = _WORD.findall(quote)
    if not words:
        return None
    body = r"[\W_]*".join(re.escape(word) for word in words)
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.IGNORECASE)


def _find_normalized(index: PageIndex, quote: str, near: Located | None) -> Located | None:
    pattern = _normalized_pattern(quote)
    if pattern is None:
        return None
    for number in index.ordered(near.page if near else None):
        spans = [match.span() for match in pattern.finditer(index.text(number))]
        if spans:
            start, end = _nearest(spans, near, number)
            return Located(number, start, end, "normalized", 1.0)
    return None


def _find_fuzzy(index: PageIndex, quote: str, near: Located | None) -> Located | None:
    if not FUZZY_MIN_CHARS <= len(quote) <= FUZZY_MAX_QUOTE_CHARS:
        return None
    if index.total_chars() > FUZZY_MAX_TOTAL_CHARS:
        return None
    from rapidfuzz import fuzz

    needle = quote.lower()
    best: Located | None = None
    for number in index.ordered(near.page if near else None):
        haystack = index.lowered(number)
        if not haystack:
            continue
        cutoff = best.score * 100 if best else FUZZY_CUTOFF
        alignment = fuzz.partial_ratio_alignment(needle, haystack, score_cutoff=cutoff)
        if alignment is None or (best is not None and alignment.score <= cutoff):
            continue
        start, end = _widen_to_words(index.text(number), alignment.dest_start, alignment.dest_end)
        best = Located(number, start, end, "fuzzy", round(alignment.score / 100, 3))
        if best.score >= 0.999:
            break
    return best


def _widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a span so it does not cut a word in half, and trim the spaces at its ends."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and end > 0 and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _find_lines(index: PageIndex, lines: list[str], near: Located | None) -> list[Located]:
    """Each line of a multi-line quote, all on one page (the first line's page)."""
    first = _find_exact(index, lines[0], near) or _find_normalized(index, lines[0], near)
    if first is None:
        return []
    page_only = index.restricted([first.page])
    spans = [first]
    for line in lines[1:]:
        hit = _find_exact(page_only, line, spans[-1]) or _find_normalized(
            page_only, line, spans[-1]
        )
        if hit is None:
            return []
        spans.append(hit)
    return spans


def _find_wrapped(index: PageIndex, quote: str, near: Located | None) -> list[Located]:
    """A one-line quote printed as two pieces with other text between them (a table cell
    wrapped onto a second line): the longest leading words found, then the rest close after."""
    words = quote.split()
    if len(words) > WRAPPED_MAX_WORDS:
        return []
    for cut in range(len(words) - 1, 0, -1):
        head = " ".join(words[:cut])
        first = _find_exact(index, head, near) or _find_normalized(index, head, near)
        if first is None:
            continue
        pattern = _normalized_pattern(" ".join(words[cut:]))
        if pattern is None:
            return []
        text = index.text(first.page)
        window_end = min(len(text), first.end + WRAPPED_MAX_GAP)
        match = pattern.search(text, first.end, window_end)
        if match is None:
            return []
        rest = Located(first.page, match.start(), match.end(), "normalized", 1.0)
        return [_replace_match(first, "normalized"), rest]
    return []


def _replace_match(span: Located, match: str) -> Located:
    return Located(span.page, span.start, span.end, match, span.score)


def _replace_score(span: Located, score: float) -> Located:
    return Located(span.page, span.start, span.end, span.match, round(score, 3))
