"""Positioned words -> a ``Page``: visual lines in reading order, text and offsets.

Loaders that know where words are (the PDF text layer, OCR) hand over ``PlacedWord``s in any
order; ``build_page`` groups them into visual lines (top to bottom, then left to right), joins
words with single spaces and lines with ``"\\n"``, and records each word's character offsets so
a span of page text maps back to boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from extraction.pipeline.documents.base import Box, Line, Page, Word
from extraction.pipeline.documents.columns import split_columns

if TYPE_CHECKING:
    from collections.abc import Iterable

_new_object = object.__new__
# Box has __slots__, so Box.x is the slot's member descriptor at run time; mypy takes the
# class-level name for the instance attribute.
_BOX_SETTERS = (Box.x.__set__, Box.y.__set__, Box.w.__set__, Box.h.__set__)  # type: ignore[attr-defined, misc]


def fast_box(x: float, y: float, w: float, h: float) -> Box:
    """``Box(x, y, w, h)`` without the frozen dataclass's ``__init__``, which sets each field
    through ``object.__setattr__`` and made box creation the costliest step of building a
    PDF page (measured ~3x slower than this). The result is an ordinary, equal, frozen Box."""
    box = _new_object(Box)
    set_x, set_y, set_w, set_h = _BOX_SETTERS
    set_x(box, x)
    set_y(box, y)
    set_w(box, w)
    set_h(box, h)
    return box


@dataclass(slots=True)
class PlacedWord:
    text: str
    x0: float
    y0: float  # top, top-left origin
    x1: float
    y1: float  # bottom
    font_size: float | None = None
    confidence: float | None = None


def upright(
    word: PlacedWord, width: float, height: float, text_rotation: int
) -> tuple[float, float, float, float]:
    """The word's box in the frame where its text reads left to right: undoes a clockwise
    ``text_rotation`` of the text on a ``width`` x ``height`` page."""
    if text_rotation == 90:
        return word.y0, width - word.x1, word.y1, width - word.x0
    if text_rotation == 180:
        return width - word.x1, height - word.y1, width - word.x0, height - word.y0
    if text_rotation == 270:
        return height - word.y1, word.x0, height - word.y0, word.x1
    return word.x0, word.y0, word.x1, word.y1


def group_lines(
    words: Iterable[PlacedWord],
    width: float = 0.0,
    height: float = 0.0,
    text_rotation: int = 0,
) -> list[list[PlacedWord]]:
    """Cluster words into visual lines, each in reading order, lines top to bottom (in the
    frame where the text reads left to right, see ``upright``).

    A word joins the current line when it overlaps the line's vertical extent by at least half
    of the smaller height: superscripts and mixed font sizes on one baseline stay together while
    the next line down does not.
    """
    if text_rotation == 0:
        # The common case, without building an upright box per word.
        keyed = [(word.y0, word.y1, word.x0, word) for word in words]
    else:
        keyed = []
        for word in words:
            x0, y0, _, y1 = upright(word, width, height, text_rotation)
            keyed.append((y0, y1, x0, word))
    keyed.sort(key=lambda item: (item[0] + item[1], item[2]))
    lines: list[list[tuple[float, PlacedWord]]] = []
    # The line's band is the mean of its words' tops and bottoms, not their union: a union
    # grows with every tall glyph or slightly skewed OCR box until it swallows the next line.
    top_sum = bottom_sum = 0.0
    current: list[tuple[float, PlacedWord]] = []
    for y0, y1, x0, word in keyed:
        if current:
            count = len(current)
            top, bottom = top_sum / count, bottom_sum / count
            overlap = (bottom if bottom < y1 else y1) - (top if top > y0 else y0)
            smaller = min(bottom - top, y1 - y0)
            if smaller <= 0 or overlap >= 0.5 * smaller:
                current.append((x0, word))
                top_sum += y0
                bottom_sum += y1
                continue
        current = [(x0, word)]
        lines.append(current)
        top_sum, bottom_sum = y0, y1
    return [[word for _, word in sorted(line, key=_first)] for line in lines]


def _first(item: tuple[float, PlacedWord]) -> float:
    return item[0]


def build_page(
    number: int,
    width: float,
    height: float,
    words: Iterable[PlacedWord],
    *,
    ocr: bool = False,
    text_rotation: int = 0,
) -> Page:
    """Assemble a ``Page`` from positioned words (boxes in points, top-left origin);
    ``text_rotation`` is the clockwise angle at which the text reads on the page."""
    page_words: list[Word] = []
    page_lines: list[Line] = []
    parts: list[str] = []
    offset = 0
    rows = group_lines(words, width, height, text_rotation)
    if text_rotation == 0 and rows:
        heights = sorted(w.y1 - w.y0 for row in rows for w in row)
        rows = split_columns(rows, max(8.0, 0.9 * heights[len(heights) // 2]))
    for line_words in rows:
        line_start = offset
        sizes: dict[float, int] = {}
        for placed in line_words:
            length = len(placed.text)
            x0, y0 = placed.x0, placed.y0
            box = fast_box(x0, y0, placed.x1 - x0, placed.y1 - y0)
            page_words.append(
                Word(placed.text, box, offset, offset + length, placed.confidence, placed.font_size)
            )
            offset += length + 1  # the space after the word
            if placed.font_size:
                sizes[placed.font_size] = sizes.get(placed.font_size, 0) + length
        text = " ".join([placed.text for placed in line_words])
        offset = line_start + len(text)
        parts.append(text)
        # The line's size is the one most of its characters are set in.
        font_size = max(sizes, key=sizes.__getitem__) if sizes else None
        left = line_words[0].x0
        right = max([placed.x1 for placed in line_words])
        top = min([placed.y0 for placed in line_words])
        bottom = max([placed.y1 for placed in line_words])
        line_box = fast_box(left, top, right - left, bottom - top)
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
