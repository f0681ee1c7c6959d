"""STEP 2: ``Document`` -> chunks an engine can take in one request.

``ChunkMode.PAGE`` makes one chunk per selected page, with ``num_pages_context`` neighbouring
pages on each side shown as context. ``ChunkMode.SECTION`` cuts the selected pages at headings
(Markdown ``#`` lines, or short lines set in a larger font than the body) and merges a lone
heading into the section after it. Either way a chunk over ``token_budget`` is split at line
boundaries (context pages are dropped first).

A chunk's text carries page markers (``--- page 3 ---``) and ``spans`` map every character
range of that text back to ``(page, offset in page.text)``, so a value found in a chunk can be
cited on its page. ``plan_chunks`` turns chunks into engine requests (``ChunkPlan``), and
``split_plan`` halves one whose answer was cut off. Plain Python: no Django.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from extraction.pipeline.config import ChunkMode, ExtractConfig, ExtractionTarget

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from extraction.pipeline.documents.base import Document, Page

MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S")
NUMBERED_HEADING = re.compile(r"^(\d+(\.\d+)*\.?|[IVXLC]+\.)\s+(?=[A-Z])")
HEADING_SIZE_RATIO = 1.15
HEADING_MAX_WORDS = 14
MIN_SECTION_TOKENS = 40
MIN_SPLIT_LINES = 2


def estimate_tokens(text: str) -> int:
    """A conservative (high) token count for ``text`` without a tokenizer: about three
    characters per token, or 1.4 tokens per word when words are short (numbers, codes)."""
    if not text:
        return 0
    return max(math.ceil(len(text) / 3), math.ceil(len(text.split()) * 1.4))


def page_marker(page: int, *, context: bool = False) -> str:
    """The line that opens a page's text inside a chunk."""
    return f"--- page {page}{' (context only)' if context else ''} ---\n"


@dataclass(frozen=True, slots=True)
class TextSpan:
    """``chunk.text[start:end]`` is ``page.text[page_start:page_start + (end - start)]``."""

    page: int
    start: int
    end: int
    page_start: int


@dataclass
class Chunk:
    """One engine request's worth of document.

    ``pages`` are the pages values are extracted from (in order); ``context_pages`` are shown
    for reference only. ``text`` holds both, each page opened by its marker; ``spans`` map
    text ranges back to page offsets. ``title`` is the section heading in SECTION mode.
    """

    index: int
    pages: tuple[int, ...]
    text: str
    spans: tuple[TextSpan, ...]
    context_pages: tuple[int, ...] = ()
    title: str | None = None
    tokens: int = 0

    def to_page_offset(self, offset: int) -> tuple[int, int] | None:
        """``(page, offset in page.text)`` for an offset into ``text``; ``None`` on a marker."""
        for span in self.spans:
            if span.start <= offset < span.end:
                return span.page, span.page_start + offset - span.start
        return None

    def to_chunk_offset(self, page: int, page_offset: int) -> int | None:
        """The offset in ``text`` of ``page_offset`` on ``page``, if the chunk holds it."""
        for span in self.spans:
            if span.page == page and 0 <= page_offset - span.page_start < span.end - span.start:
                return span.start + page_offset - span.page_start
        return None

    def page_spans(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """The ``(page, page_start, page_end)`` pieces a chunk-text range ``[start, end)``
        covers (a quote may run over a page break)."""
        pieces: list[tuple[int, int, int]] = []
        for span in self.spans:
            lo, hi = max(start, span.start), min(end, span.end)
            if lo < hi:
                base = span.page_start - span.start
                pieces.append((span.page, lo + base, hi + base))
        return pieces


@dataclass
class _Builder:
    parts: list[str] = field(default_factory=list)
    spans: list[TextSpan] = field(default_factory=list)
    length: int = 0
    last_page: int | None = None

    def add(self, page: int, text: str, start: int, end: int, *, context: bool = False) -> None:
        if self.last_page != page:
            if self.length:
                self._write("\n")
            self._write(page_marker(page, context=context))
            self.last_page = page
        elif self.length and not self.parts[-1].endswith("\n"):
            self._write("\n")
        piece = text[start:end]
        self.spans.append(TextSpan(page, self.length, self.length + len(piece), start))
        self._write(piece)

    def _write(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True)
class _Piece:
    """A range of one page's text (whole lines), the unit chunks are assembled from."""

    page: int
    start: int
    end: int
    tokens: int
    heading: str | None = None  # set when the piece opens a section


def _line_pieces(number: int, text: str, budget: int) -> list[_Piece]:
    """Split a page into consecutive line ranges of at most ``budget`` tokens each (a single
    longer line is cut at word boundaries)."""
    pieces: list[_Piece] = []
    start = end = 0
    tokens = 0
    for line_start, line_end in _line_ranges(text):
        line_tokens = estimate_tokens(text[line_start:line_end]) + 1
        if tokens and tokens + line_tokens > budget:
            pieces.append(_Piece(number, start, end, tokens))
            start, tokens = line_start, 0
        if line_tokens > budget:
            pieces.extend(_word_pieces(number, text, line_start, line_end, budget))
            start, tokens = line_end + 1, 0
            end = line_end
            continue
        tokens += line_tokens
        end = line_end
    if tokens:
        pieces.append(_Piece(number, start, end, tokens))
    return pieces


def _word_pieces(number: int, text: str, start: int, end: int, budget: int) -> list[_Piece]:
    pieces: list[_Piece] = []
    chars = max(budget * 3, 1)
    while start < end:
        cut = min(end, start + chars)
        if cut < end:
            space = text.rfind(" ", start + 1, cut)
            cut = space if space > start else cut
        pieces.append(_Piece(number, start, cut, estimate_tokens(text[start:cut])))
        start = cut + 1 if cut < end and text[cut] == " " else cut
    return pieces


def _line_ranges(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        if end > start:
            yield start, end
        start = end + 1


def _body_font_size(page: Page) -> float | None:
    """The font size most of the page's text is set in (line sizes weighted by length)."""
    weighted: dict[float, int] = {}
    for line in page.lines:
        if line.font_size:
            weighted[line.font_size] = weighted.get(line.font_size, 0) + len(line.text)
    return max(weighted, key=weighted.__getitem__) if weighted else None


def _is_heading(text: str, font_size: float | None, body_size: float | None) -> bool:
    """Markdown ``#`` lines; short lines set larger than the body; and, since many papers and
    forms set headings bold at body size, short ALL-CAPS lines and numbered titles
    (``1 INTRODUCTION``, ``2.3 Related Work``, ``IV. RESULTS``)."""
    if MARKDOWN_HEADING.match(text):
        return True
    words = text.split()
    if len(words) > HEADING_MAX_WORDS or not any(c.isalpha() for c in text):
        return False
    if font_size and body_size and font_size >= body_size * HEADING_SIZE_RATIO:
        return True
    if len(words) > 8 or "," in text or text.endswith((".", ":", ";")):
        return False
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return True
    numbered = NUMBERED_HEADING.match(text)
    return numbered is not None and not any(c.isdigit() for c in text[numbered.end() :])


def _section_pieces(page: Page, budget: int) -> list[_Piece]:
    """The page cut at heading lines, each piece saying whether it opens a section, and split
    further at line boundaries to fit ``budget``."""
    body_size = _body_font_size(page)
    ranges: list[tuple[int, int, str | None]] = []
    start: int | None = None
    heading: str | None = None
    end = 0
    for line in page.lines:
        if _is_heading(line.text, line.font_size, body_size):
            if start is not None:
                ranges.append((start, end, heading))
            start, heading = line.start, line.text.lstrip("#").strip()
        elif start is None:
            start = line.start
        end = line.end
    if start is not None:
        ranges.append((start, end, heading))
    pieces: list[_Piece] = []
    for start, end, heading in ranges:
        tokens = estimate_tokens(page.text[start:end]) + 1
        if tokens <= budget:
            pieces.append(_Piece(page.number, start, end, tokens, heading))
            continue
        parts = _line_pieces(page.number, page.text[start:end], budget)
        for index, part in enumerate(parts):
            first = heading if index == 0 else None
            pieces.append(
                _Piece(page.number, part.start + start, part.end + start, part.tokens, first)
            )
    return pieces


def _page_chunks(
    document: Document, pages: Sequence[int], context: int, budget: int
) -> list[Chunk]:
    chunks: list[Chunk] = []
    marker_tokens = estimate_tokens(page_marker(1, context=True))
    for number in pages:
        text = document.page(number).text
        own = _line_pieces(number, text, max(budget - marker_tokens, 1))
        neighbours = [
            n
            for n in (*range(number - context, number), *range(number + 1, number + context + 1))
            if 1 <= n <= document.page_count
        ]
        if len(own) <= 1 and neighbours:
            piece = own[0] if own else _Piece(number, 0, 0, 0)
            room = budget - piece.tokens - marker_tokens
            chunks.append(_with_context(document, text, piece, neighbours, room))
            continue
        for piece in own or [_Piece(number, 0, 0, 0)]:
            chunks.append(_assemble({number: text}, [piece]))
    return chunks


def _with_context(
    document: Document, text: str, piece: _Piece, neighbours: list[int], room: int
) -> Chunk:
    """A page chunk plus as many whole context pages as fit in ``room`` tokens, nearest
    first; pages are then put back in document order."""
    texts = {piece.page: text}
    for number in sorted(neighbours, key=lambda n: abs(n - piece.page)):
        neighbour = document.page(number).text
        cost = estimate_tokens(neighbour) + estimate_tokens(page_marker(number, context=True))
        if cost <= room:
            texts[number] = neighbour
            room -= cost
    builder = _Builder()
    for number in sorted(texts):
        if number == piece.page:
            builder.add(number, text, piece.start, piece.end)
        else:
            builder.add(number, texts[number], 0, len(texts[number]), context=True)
    chunk_text = builder.text()
    return Chunk(
        index=0,
        pages=(piece.page,),
        text=chunk_text,
        spans=tuple(builder.spans),
        context_pages=tuple(sorted(n for n in texts if n != piece.page)),
        tokens=estimate_tokens(chunk_text),
    )


def _assemble(texts: dict[int, str], pieces: list[_Piece], title: str | None = None) -> Chunk:
    builder = _Builder()
    for piece in pieces:
        builder.add(piece.page, texts[piece.page], piece.start, piece.end)
    text = builder.text()
    pages = tuple(dict.fromkeys(piece.page for piece in pieces))
    return Chunk(0, pages, text, tuple(builder.spans), title=title, tokens=estimate_tokens(text))


def _section_chunks(document: Document, pages: Sequence[int], budget: int) -> list[Chunk]:
    # Only page texts are kept: pages themselves (with their words) are parsed one at a time.
    texts: dict[int, str] = {}
    marker_tokens = estimate_tokens(page_marker(1)) + 1
    chunks: list[Chunk] = []
    group: list[_Piece] = []
    tokens = 0
    for number in pages:
        page = document.page(number)
        texts[number] = page.text
        for piece in _section_pieces(page, max(budget - marker_tokens, 1)):
            starts_section = piece.heading is not None
            # A heading alone (or a tiny section) joins the next one instead of going alone.
            small = tokens < MIN_SECTION_TOKENS
            new_page = not group or group[-1].page != piece.page
            cost = piece.tokens + (marker_tokens if new_page else 0)
            if group and (tokens + cost > budget or (starts_section and not small)):
                chunks.append(_assemble(texts, group, _title(group)))
                group, tokens = [], 0
                cost = piece.tokens + marker_tokens
            group.append(piece)
            tokens += cost
    if group:
        chunks.append(_assemble(texts, group, _title(group)))
    return chunks


def _title(group: list[_Piece]) -> str | None:
    return next((piece.heading for piece in group if piece.heading), None)


def chunk_document(
    document: Document,
    pages: Sequence[int],
    *,
    mode: ChunkMode,
    num_pages_context: int | None,
    token_budget: int,
) -> list[Chunk]:
    """Cut the selected ``pages`` (1-based, in order) of ``document`` into chunks.

    ``num_pages_context`` applies to PAGE mode: up to that many neighbouring document pages on
    each side, nearest first, as long as they fit the budget. Every chunk's ``tokens`` is at
    most ``token_budget`` unless a single word is longer. Raises ``ValueError`` for a
    non-positive budget or a page outside the document.
    """
    if token_budget <= 0:
        raise ValueError("token_budget must be positive")
    for number in pages:
        if not 1 <= number <= document.page_count:
            raise ValueError(f"page {number} is not in the document (1-{document.page_count})")
    if mode == ChunkMode.SECTION:
        chunks = _section_chunks(document, pages, token_budget)
    else:
        chunks = _page_chunks(document, pages, num_pages_context or 0, token_budget)
    for index, chunk in enumerate(chunks):
        chunk.index = index
    return chunks


@dataclass(frozen=True)
class PageText:
    """A page's text, or a piece of it, as an engine request shows it."""

    number: int
    text: str
    context: bool = False  # shown for reference; values come from the other pages


# Tokens of document text per request. Rows get smaller chunks: their output grows with the
# input, and a reply cut off by the output limit costs a split and a second call.
CHUNK_TOKENS = {
    ExtractionTarget.PER_DOC: 6000,
    ExtractionTarget.PER_PAGE: 6000,
    ExtractionTarget.PER_TABLE_ROW: 2500,
}


@dataclass(frozen=True)
class ChunkPlan:
    """One engine request: the pages values are extracted from, and the text sent (whole
    pages or pieces of a long page; None for engines that read the pages themselves)."""

    pages: tuple[int, ...]
    segments: tuple[PageText, ...] | None


def plan_chunks(
    document: Document, selected: Sequence[int], config: ExtractConfig
) -> list[ChunkPlan]:
    """The requests an engine that reads chunks gets: the chunks of ``chunk_document`` as text
    segments per page, short consecutive ones packed into one request; always one page per
    chunk for PER_PAGE."""
    target = config.extraction_target
    mode = ChunkMode.PAGE if target == ExtractionTarget.PER_PAGE else config.chunk_mode
    chunks = chunk_document(
        document,
        list(selected),
        mode=mode,
        num_pages_context=config.num_pages_context,
        token_budget=CHUNK_TOKENS[target],
    )
    plans = [ChunkPlan(tuple(chunk.pages), _segments(chunk)) for chunk in chunks]
    # Sections are meant to be read one at a time; context pages already widen each chunk.
    if mode == ChunkMode.SECTION or target == ExtractionTarget.PER_PAGE or config.num_pages_context:
        return plans
    return _pack(plans, [chunk.tokens for chunk in chunks], CHUNK_TOKENS[target])


def _pack(plans: list[ChunkPlan], tokens: list[int], budget: int) -> list[ChunkPlan]:
    """Join consecutive chunks while they fit the budget: short pages share one request, so
    the instructions and schema are paid once for them, and the model sees them together."""
    packed: list[ChunkPlan] = []
    used = 0
    for plan, size in zip(plans, tokens, strict=True):
        if packed and used + size <= budget:
            last = packed[-1]
            pages = tuple(dict.fromkeys(last.pages + plan.pages))
            packed[-1] = ChunkPlan(pages, _join_segments(last.segments or (), plan.segments or ()))
            used += size
        else:
            packed.append(plan)
            used = size
    return packed


def _join_segments(
    first: tuple[PageText, ...], second: tuple[PageText, ...]
) -> tuple[PageText, ...]:
    if first and second and first[-1].number == second[0].number:
        joined = PageText(first[-1].number, first[-1].text + "\n" + second[0].text)
        return (*first[:-1], joined, *second[1:])
    return (*first, *second)


def _segments(chunk: Chunk) -> tuple[PageText, ...]:
    """Each page's part of the chunk text, without the chunk's own page markers."""
    segments: list[PageText] = []
    previous_end = 0
    for span in chunk.spans:
        text = chunk.text[span.start : span.end]
        context = span.page in chunk.context_pages
        if segments and segments[-1].number == span.page and segments[-1].context == context:
            gap = chunk.text[previous_end : span.start]  # the line break between two pieces
            segments[-1] = PageText(span.page, segments[-1].text + gap + text, context)
        else:
            segments.append(PageText(span.page, text, context))
        previous_end = span.end
    return tuple(segments)


def whole_document_plan(selected: Sequence[int]) -> ChunkPlan:
    """One request with every selected page, for engines that read a document at once."""
    return ChunkPlan(tuple(selected), None)


def split_plan(plan: ChunkPlan) -> list[ChunkPlan] | None:
    """Two halves of a chunk whose answer did not fit the model's output: its target pages, or
    the lines of its one page; None when it cannot be split further (one line)."""
    if plan.segments is None:
        return None
    targets = [segment for segment in plan.segments if not segment.context]
    if len(targets) > 1:
        middle = len(targets) // 2
        return [_plan_of(targets[:middle]), _plan_of(targets[middle:])]
    if not targets:
        return None
    page = targets[0]
    lines = page.text.splitlines(keepends=True)
    if len(lines) < MIN_SPLIT_LINES:
        return None
    middle = len(lines) // 2
    return [
        _plan_of([PageText(page.number, "".join(lines[:middle]))]),
        _plan_of([PageText(page.number, "".join(lines[middle:]))]),
    ]


def _plan_of(segments: list[PageText]) -> ChunkPlan:
    return ChunkPlan(tuple(dict.fromkeys(s.number for s in segments)), tuple(segments))
