"""Per-page features for classifying and splitting, read from an already-loaded ``Page``.

``page_features(page)`` returns a ``PageFeatures``: the page's folded words (as n-grams for
phrase look-up), its title (the largest-font lines near the top) and header-zone lines,
layout cues in [0, 1] (``CUES``: totals, tables, signatures, prose, dates, ...), the printed
page-number marker ("Page 2 of 3", "2/3"), the running header/footer with digits masked
(so "Invoice 17 - Page 1" and "Invoice 17 - Page 2" compare equal), and what the page starts
and ends with. Features hold no reference to the page, so a long document's pages can be
released once their features are taken. Nothing here raises on odd input: a page with no
words gives empty features.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from classification.cues import CUES, closing_cues, contact_line, layout_cues
from classification.rules import VOCABULARY, name_leads, names_in
from classification.vocabulary import (
    ANNEX_WORDS,
    CONTINUATION_PHRASES,
    OF_WORDS,
    PAGE_WORDS,
)
from classification.words import (
    contains,
    fold,
    found_phrases,
    line_grams,
    line_words,
    ngrams,
    phrase,
    tokens,
)

if TYPE_CHECKING:
    from extraction.pipeline.documents import Line, Page

TOP_ZONE = 0.30  # share of the page height where titles and letterheads sit
EDGE_ZONE = 0.07  # share of the page height of running headers and footers
TITLE_RATIO = 1.18  # a title's font is at least this much larger than the body's
MAX_TITLE_RATIO = 4.0
TITLE_LINES = 6  # a title is among the page's first lines
HEADING_WORDS = 12  # a heading line is at most this long

_DIGITS = re.compile(r"\d+")
_LOWER_START = re.compile(r"^[a-zà-ÿ]")
_SENTENCE_END = re.compile(r"[.:;!?)\]\"”]$")

_PAGE_WORD = "|".join(re.escape(word) for word in PAGE_WORDS)
_OF_WORD = "|".join(re.escape(word) for word in OF_WORDS)
_MARKER_OF = re.compile(
    rf"(?:^|\b)(?:{_PAGE_WORD})\.?\s*(\d{{1,3}})\s*(?:{_OF_WORD})\s*(\d{{1,3}})\b", re.I
)
_MARKER_PAGE = re.compile(rf"(?:^|\b)(?:{_PAGE_WORD})\.?\s*(\d{{1,3}})\s*$", re.I)
_MARKER_BARE_OF = re.compile(r"(?:^|\s)(\d{1,3})\s*(?:/|of)\s*(\d{1,3})\s*$", re.I)
_MARKER_LONE = re.compile(r"^\s*[-–(]?\s*(\d{1,3})\s*[-–)]?\s*$")

_CONTINUED = [phrase(text) for text in CONTINUATION_PHRASES]
_ANNEX = frozenset(fold(word) for word in ANNEX_WORDS)


@dataclass(frozen=True, slots=True)
class PageMarker:
    """A printed page number: ``index`` (1-based) and ``total`` when "of N" is printed."""

    index: int
    total: int | None
    text: str

    @property
    def explicit(self) -> bool:
        """Says "page" or "of N": a lone number might be anything (a table or store number)."""
        return self.total is not None or not self.text.strip("-–() ").isdigit()


@dataclass(frozen=True, slots=True)
class ZoneLine:
    """A line near the top of the page, for title and letterhead matching."""

    text: str
    words: tuple[str, ...]
    grams: frozenset[tuple[str, ...]]
    size: int  # tokens
    font_ratio: float  # font size / body font size (1.0 when unknown)
    is_title: bool


@dataclass(slots=True)
class PageFeatures:
    """What ``page_features`` reads from one page (see the module docstring)."""

    number: int
    word_count: int
    size: tuple[float, float] = (0.0, 0.0)  # page width and height, points
    grams: set[tuple[str, ...]] = field(default_factory=set)
    title: str = ""
    zone_lines: list[ZoneLine] = field(default_factory=list)
    cues: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # cue -> the text that showed it
    marker: PageMarker | None = None
    header_key: str = ""
    footer_key: str = ""
    line_keys: frozenset[str] = frozenset()  # masked lines of 3+ words, to spot repeats
    top_keys: tuple[str, ...] = ()  # the first masked lines below the running header
    starts_lower: bool = False  # the first body line starts in lower case
    ends_open: bool = False  # the last body line does not end a sentence
    letterhead: str = ""  # a contact line (phone, e-mail, web) among the first lines
    opening: tuple[str, ...] = ()  # the words of the first line (page numbers aside)
    opening_kind: str = ""  # a document kind the title or first line starts by naming
    annex: bool = False  # the first line is an attachment's heading ("Schedule A", "Anlage 2")
    ends_with: tuple[str, ...] = ()  # closing cues in the lower part: totals signature closing
    continues_below: bool = False  # its last lines say "continued", "carried forward", ...
    continued_above: bool = False  # its first lines say "continued", "brought forward", ...

    @property
    def has_title(self) -> bool:
        return bool(self.title)

    @property
    def is_blank(self) -> bool:
        return self.word_count == 0


def page_features(page: Page) -> PageFeatures:
    """Read the classification and continuity features of one loaded page."""
    lines = sorted((line for line in page.lines if line.text.strip()), key=_line_order)
    word_tokens = tokens(page.text)
    features = PageFeatures(
        number=page.number,
        word_count=len(word_tokens),
        size=(round(page.width, 1), round(page.height, 1)),
    )
    if not lines:
        features.cues = dict.fromkeys(CUES, 0.0)
        return features
    features.grams = ngrams(word_tokens)
    height = page.height or max(line.box.y + line.box.h for line in lines) or 1.0
    body = _body_font(lines)
    header, footer = _edge_lines(lines, height)
    features.marker = _marker(header, footer, lines)
    features.header_key = _edge_key(header, features.marker)
    features.footer_key = _edge_key(footer, features.marker)
    body_lines = [line for line in lines if line not in header and line not in footer] or lines
    features.zone_lines, features.title = _zone(lines, height, body)
    # a page's first lines are its letterhead or title: two letters from one sender repeat
    # them, so only lines further down (table headers) count as carried over
    features.line_keys = frozenset(
        key for key in (_mask(line.text) for line in lines[4:]) if _headerish(key)
    )
    features.letterhead = contact_line(lines[:5])
    features.top_keys = tuple(_mask(line.text) for line in body_lines[:3])
    unnumbered = [line for line in lines if not _marker_in(line.text, lone=True)] or lines
    features.opening = tuple(tokens(unnumbered[0].text))
    features.annex = len(features.opening) >= 2 and features.opening[0] in _ANNEX
    if not features.starts_lower and not features.annex:
        headings = [line.text for line in unnumbered[:3]]
        features.opening_kind = _opening_kind(headings, tuple(tokens(features.title)))
    first = next((line for line in lines if not _marker_in(line.text, lone=True)), lines[0])
    features.starts_lower = bool(_LOWER_START.match(first.text.strip()))
    features.ends_open = not _SENTENCE_END.search(body_lines[-1].text.strip())
    cues, notes = layout_cues(page, lines, features.grams, height, body)
    features.cues, features.notes = cues, notes
    features.ends_with = closing_cues(body_lines, height)
    below = ngrams(tokens(" ".join(line.text for line in body_lines[-2:] + footer)))
    above = ngrams(tokens(" ".join(line.text for line in header + body_lines[:2])))
    features.continues_below = bool(found_phrases(below, _CONTINUED))
    features.continued_above = bool(found_phrases(above, _CONTINUED))
    return features


def _line_order(line: Line) -> tuple[float, float]:
    return (round(line.box.y / 3), line.box.x)


def _body_font(lines: list[Line]) -> float:
    sizes = [line.font_size for line in lines for _ in range(len(line.text)) if line.font_size]
    return statistics.median(sizes) if sizes else 0.0


def _edge_lines(lines: list[Line], height: float) -> tuple[list[Line], list[Line]]:
    """Lines in the running-header and running-footer bands; a page with a handful of lines
    has no running header (its first line is its title)."""
    if len(lines) < 6:
        return [], []
    header = [line for line in lines if line.box.y + line.box.h / 2 < height * EDGE_ZONE]
    footer = [line for line in lines if line.box.y + line.box.h / 2 > height * (1 - EDGE_ZONE)]
    if not footer and lines[-1].box.y > height * 0.6:
        last = lines[-1]
        if _marker_in(last.text, lone=True) is not None:
            footer = [last]
    return header[:3], footer[-3:]


def _marker(header: list[Line], footer: list[Line], lines: list[Line]) -> PageMarker | None:
    """The printed page number; searched in the running header/footer, else in the first and
    last line (text formats have no bands)."""
    candidates = footer[::-1] + header + [lines[-1], lines[0]]
    for line in candidates:
        found = _marker_in(line.text, lone=line in footer or line in header)
        if found is not None:
            return found
    return None


def _marker_in(text: str, *, lone: bool) -> PageMarker | None:
    text = text.strip()
    for pattern in (_MARKER_OF, _MARKER_BARE_OF):
        match = pattern.search(text)
        if match:
            index, total = int(match.group(1)), int(match.group(2))
            if 1 <= index <= total <= 500:
                return PageMarker(index, total, match.group(0).strip())
    match = _MARKER_PAGE.search(text)
    if match and 1 <= int(match.group(1)) <= 500:
        return PageMarker(int(match.group(1)), None, match.group(0).strip())
    if lone:
        match = _MARKER_LONE.match(text)
        if match and 1 <= int(match.group(1)) <= 500:
            return PageMarker(int(match.group(1)), None, text)
    return None


def _mask(text: str) -> str:
    """Folded words with every number masked: lines that differ only in numbers compare equal."""
    return " ".join(_DIGITS.sub("#", word) for word in line_words(text))


def _edge_key(lines: list[Line], marker: PageMarker | None) -> str:
    parts = []
    for line in lines:
        text = line.text.replace(marker.text, " ") if marker else line.text
        key = _mask(text)
        if key.strip("# "):
            parts.append(key)
    return " | ".join(parts)


def _zone(lines: list[Line], height: float, body: float) -> tuple[list[ZoneLine], str]:
    """The lines in the top zone (at least the first three) and the title among them: the
    top-most run of lines in the zone's largest font, when that font is larger than the body's."""
    zone = [line for line in lines if line.box.y < height * TOP_ZONE]
    if len(zone) < 3:
        zone = lines[:3]
    zone = zone[:14]
    ratios = [(line.font_size or body) / body if body else 1.0 for line in zone]
    # a title sits among the first lines; a far larger "font" is a form field's value
    candidates = [ratio for ratio in ratios[:TITLE_LINES] if ratio <= MAX_TITLE_RATIO]
    largest = max(candidates, default=0.0)
    title_lines: list[int] = []
    if len(lines) <= 3 and len(tokens(zone[0].text)) <= 2 * HEADING_WORDS:
        # a cover sheet: its first line is its title whatever the font
        title_lines = [0]
    elif largest >= TITLE_RATIO:
        for index, ratio in enumerate(ratios[:TITLE_LINES]):
            if largest - 0.08 <= ratio <= MAX_TITLE_RATIO:
                if title_lines and index - title_lines[-1] > 1:
                    break
                title_lines.append(index)
    zone_lines = [
        ZoneLine(
            text=line.text.strip(),
            words=line_words(line.text),
            grams=line_grams(line.text),
            size=len(line_words(line.text)),
            font_ratio=round(ratio, 2),
            is_title=index in title_lines,
        )
        for index, (line, ratio) in enumerate(zip(zone, ratios, strict=True))
    ]
    title = " ".join(zone[index].text.strip() for index in title_lines)
    return zone_lines, title


def _headerish(key: str) -> bool:
    """A masked line that could be a repeated table or page header: three or more words."""
    return sum(1 for word in key.split() if word.isalpha()) >= 3


def _opening_kind(headings: list[str], title: tuple[str, ...]) -> str:
    """The document kind the page opens by naming: its title is the kind's name, or one of
    its first lines, read as a heading, starts or ends with it ("INVOICE", "Form W-9 Request
    for ...", "ACME Ltd. MUTUAL NON-DISCLOSURE AGREEMENT"). A heading is the first line, or a
    line in capitals, of at most ``HEADING_WORDS`` words; a sentence that begins "Agreement
    shall ..." is not one."""
    lines = []
    for index, text in enumerate(headings):
        words = line_words(text)
        letters = [char for char in text if char.isalpha()]
        capitals = bool(letters) and sum(char.isupper() for char in letters) >= 0.8 * len(letters)
        if words and len(words) <= HEADING_WORDS and (index == 0 or capitals):
            lines.append((words, capitals))
    title_grams = ngrams(title) if len(title) <= 3 * HEADING_WORDS else set()
    candidates = set(names_in(title_grams))
    for words, _ in lines:
        candidates.update(names_in(ngrams(words)))
    order = {kind: index for index, kind in enumerate(VOCABULARY)}
    best, size = "", 0
    for kind, name in sorted(candidates, key=lambda hit: (order[hit[0]], hit[1])):
        if len(name) <= size or VOCABULARY[kind].name_weight(name) < 1.0:
            continue
        titled = len(title) <= len(name) + 3 and contains(title_grams, name)
        headed = any(
            name_leads(words, name) or (capitals and words[-len(name) :] == name)
            for words, capitals in lines
        )
        if titled or headed:
            best, size = kind, len(name)
    return best
