"""Positioned words -> a ``Page``: visual lines in reading order, text and offsets.

Loaders that know where words are (the PDF text layer, OCR) hand over ``PlacedWord``s in any
order; ``build_page`` groups them into visual lines (top to bottom, then left to right), joins
words with single spaces and lines with ``"\\n"``, and records each word's character offsets so
a span of page text maps back to boxes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from extraction.documents.base import Box, Line, Page, Word


@dataclass(slots=True)
class PlacedWord:
    text: str
    x0: float
    y0: float  # top, top-left origin
    x1: float
    y1: float  # bottom
    font_size: float | None = None
    confidence: float | None = None


def group_lines(words: Iterable[PlacedWord]) -> list[list[PlacedWord]]:
    """Cluster words into visual lines, each sorted left to right, lines top to bottom.

    A word joins the current line when it overlaps the line's vertical extent by at least half
    of the smaller height: superscripts and mixed font sizes on one baseline stay together while
    the next line down does not.
    """
    ordered = sorted(words, key=lambda w: ((w.y0 + w.y1) / 2, w.x0))
    lines: list[list[PlacedWord]] = []
    top = bottom = 0.0
    for word in ordered:
        if lines:
            overlap = min(bottom, word.y1) - max(top, word.y0)
            smaller = min(bottom - top, word.y1 - word.y0)
            if smaller <= 0 or overlap >= 0.5 * smaller:
                lines[-1].append(word)
                top, bottom = min(top, word.y0), max(bottom, word.y1)
                continue
        lines.append([word])
        top, bottom = word.y0, word.y1
    for line in lines:
        line.sort(key=lambda w: w.x0)
    return lines


def build_page(
    number: int,
    width: float,
    height: float,
    words: Iterable[PlacedWord],
    *,
    ocr: bool = False,
) -> Page:
    """Assemble a ``Page`` from positioned words (boxes in points, top-left origin)."""
    page_words: list[Word] = []
    page_lines: list[Line] = []
    parts: list[str] = []
    offset = 0
    for line_words in group_lines(words):
        line_start = offset
        line_box: Box | None = None
        sizes: list[float] = []
        for index, placed in enumerate(line_words):
            if index:
                parts.append(" ")
                offset += 1
            box = Box(placed.x0, placed.y0, placed.x1 - placed.x0, placed.y1 - placed.y0)
            end = offset + len(placed.text)
            page_words.append(
                Word(placed.text, box, offset, end, placed.confidence, placed.font_size)
            )
            parts.append(placed.text)
            offset = end
            line_box = box if line_box is None else line_box.union(box)
            if placed.font_size:
                sizes.append(placed.font_size)
        text = "".join(parts[-(2 * len(line_words) - 1) :])
        font_size = max(sizes, key=sizes.count) if sizes else None
        assert line_box is not None
        page_lines.append(Line(text, line_box, line_start, offset, font_size))
        parts.append("\n")
        offset += 1
    if parts:
        parts.pop()
    return Page(
        number=number,
        width=width,
        height=height,
        text="".join(parts),
        words=page_words,
        lines=page_lines,
        ocr=ocr,
    )
