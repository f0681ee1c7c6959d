"""Synthetic geometry for formats without any: rows of text laid out on Letter-size pages.

Text, Markdown, JSON, CSV, HTML, DOCX and XLSX loaders turn their content into ``TextRow``s
(one visual line each; runs of spaces in a row keep table columns aligned). ``rows_document``
paginates them and builds each page lazily as if printed in a monospaced font: one text line
per visual line, words on a character grid, so citations and line-based logic work the same
way as on a PDF.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from extraction.pipeline.documents.base import Document, DocumentTooLarge, Page
from extraction.pipeline.documents.layout import PlacedWord, build_page
from extraction.pipeline.documents.pages import LazyPages

if TYPE_CHECKING:
    from collections.abc import Sequence

    from extraction.pipeline.documents.options import LoadOptions

PAGE_WIDTH = 612.0
PAGE_HEIGHT = 792.0
MARGIN = 36.0
BODY_SIZE = 10.0
CHAR_EM = 0.6  # advance of a monospaced glyph, in ems
LINE_SPACING = 1.2
WRAP_COLUMNS = 90  # a 10 pt monospaced line between Letter margins
WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class TextRow:
    text: str
    font_size: float = BODY_SIZE
    page_break_before: bool = False
    wrap: bool = True  # table rows are never wrapped: the page scales down to fit them


def wrap_rows(rows: Sequence[TextRow]) -> list[TextRow]:
    """Split wrappable rows longer than ``WRAP_COLUMNS`` characters at spaces (or hard)."""
    wrapped: list[TextRow] = []
    for row in rows:
        if not row.wrap or len(row.text) * row.font_size <= WRAP_COLUMNS * BODY_SIZE:
            wrapped.append(row)
            continue
        columns = max(int(WRAP_COLUMNS * BODY_SIZE / row.font_size), 20)
        pieces = textwrap.wrap(row.text, columns, replace_whitespace=False) or [""]
        for index, piece in enumerate(pieces):
            wrapped.append(TextRow(piece, row.font_size, row.page_break_before and index == 0))
    return wrapped


def paginate(rows: Sequence[TextRow], options: LoadOptions) -> list[tuple[int, int]]:
    """Split rows into pages: ``(start, end)`` row index ranges. A page ends when the next row
    at ``text_page_lines`` rows, at ``text_page_chars`` characters, or before a row marked
    ``page_break_before``. Pages grow taller than Letter to hold their rows."""
    pages: list[tuple[int, int]] = []
    start = 0
    chars = lines = 0
    for index, row in enumerate(rows):
        full = lines >= options.text_page_lines or chars + len(row.text) > options.text_page_chars
        if index > start and (row.page_break_before or full):
            pages.append((start, index))
            start, chars, lines = index, 0, 0
            if len(pages) > options.max_pages:
                break
        chars += len(row.text)
        lines += 1
    else:
        pages.append((start, len(rows)))
    if len(pages) > options.max_pages:
        raise DocumentTooLarge(
            f"The document is longer than the limit of {options.max_pages} pages "
            f"(text is split into pages of {options.text_page_lines} lines)."
        )
    return pages


def layout_page(number: int, rows: Sequence[TextRow]) -> Page:
    """One synthetic page: rows top to bottom, glyphs on a monospaced grid scaled so the
    widest row fits between the margins; Letter size, or taller when the rows need it."""
    widest = max((len(row.text) * row.font_size for row in rows), default=0.0)
    usable = PAGE_WIDTH - 2 * MARGIN
    scale = min(1.0, usable / (widest * CHAR_EM)) if widest else 1.0
    words: list[PlacedWord] = []
    y = MARGIN
    for row in rows:
        size = row.font_size * scale
        advance = size * CHAR_EM
        for match in WORD.finditer(row.text):
            x0 = MARGIN + match.start() * advance
            x1 = MARGIN + match.end() * advance
            words.append(PlacedWord(match.group(), x0, y, x1, y + size, round(size, 2)))
        y += row.font_size * LINE_SPACING
    return build_page(number, PAGE_WIDTH, max(PAGE_HEIGHT, y + MARGIN), words)


def rows_document(
    rows: Sequence[TextRow],
    options: LoadOptions,
    *,
    media_type: str,
    metadata: dict[str, Any] | None = None,
    repeat_header: int = 0,
) -> Document:
    """A ``Document`` of synthetic pages built lazily from ``rows``.

    ``repeat_header`` rows from the top are repeated on every continuation page (tables).
    Raises ``DocumentTooLarge`` past ``options.max_pages``.
    """
    return blocks_document(
        [(rows, repeat_header)], options, media_type=media_type, metadata=metadata
    )


def blocks_document(
    blocks: Sequence[tuple[Sequence[TextRow], int]],
    options: LoadOptions,
    *,
    media_type: str,
    metadata: dict[str, Any] | None = None,
) -> Document:
    """Like ``rows_document`` for several blocks (spreadsheet sheets), each starting a new page
    and given as ``(rows, repeat_header)``."""
    plan: list[tuple[list[TextRow], Sequence[TextRow], int, int]] = []
    for block_rows, repeat_header in blocks:
        wrapped = wrap_rows(block_rows)
        header = wrapped[:repeat_header]
        body = wrapped[repeat_header:]
        page_options = replace(
            options,
            text_page_lines=max(options.text_page_lines - len(header), 1),
            max_pages=options.max_pages - len(plan),
        )
        for start, end in paginate(body, page_options):
            plan.append((header, body, start, end))

    def build(index: int) -> Page:
        header, body, start, end = plan[index]
        return layout_page(index + 1, [*header, *body[start:end]])

    info = {"detected_type": media_type, "ocr": False, "synthetic_geometry": True}
    info.update(metadata or {})
    return Document(media_type=media_type, pages=LazyPages(len(plan), build), metadata=info)
