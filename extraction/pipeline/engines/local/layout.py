"""Pages as rows of cells: the geometry every other module of the local engine reads.

A *row* is one visual line; a *cell* is a run of words on it separated from its neighbours by a
gap wider than a normal space (an aligned column, a right-aligned amount). PDF pages are built
from word boxes; text pages (TXT, MD, CSV, HTML rendered as text) from their characters, with
one character = ``CHAR_WIDTH`` points so that aligned text columns behave like PDF columns.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extraction.pipeline.documents.base import Page

CHAR_WIDTH = 6.0
LINE_HEIGHT = 14.0
TEXT_FONT = 10.0


@dataclass(slots=True)
class Cell:
    """A run of words on one visual line; ``start``/``end`` index ``Page.text``."""

    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    start: int  # character span in ``Page.text``
    end: int
    font: float

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class Row:
    """One visual line of a page: its cells left to right."""

    page: int
    index: int  # position of the row on its page
    cells: list[Cell]
    y0: float
    y1: float
    piped: bool = False  # cells were delimited by "|" borders: their order is their column

    @property
    def text(self) -> str:
        return " ".join(cell.text for cell in self.cells)

    @property
    def font(self) -> float:
        return max((cell.font for cell in self.cells), default=TEXT_FONT)

    @property
    def x0(self) -> float:
        return self.cells[0].x0 if self.cells else 0.0

    @property
    def start(self) -> int:
        return self.cells[0].start if self.cells else 0

    @property
    def end(self) -> int:
        return self.cells[-1].end if self.cells else 0


@dataclass
class PageLayout:
    """The rows of one page, top to bottom."""

    number: int
    page: Page
    rows: list[Row] = field(default_factory=list)
    from_text: bool = False  # built from characters, not word boxes
    slim: bool = False  # ``page`` keeps text only; its words were let go to save memory


def build_layout(page: Page, *, csv_like: bool = False) -> PageLayout:
    """Rows of cells for ``page``: from word boxes when it has any, else from its text."""
    if page.words:
        return PageLayout(page.number, page, _rows_from_words(page), from_text=False)
    return PageLayout(page.number, page, _rows_from_text(page, csv_like=csv_like), from_text=True)


# One word in ``_rows_from_words``: (y middle, x0, x1, y0, y1, text, start, end, font size).
# Plain tuples in that hot loop (it runs for every word of every page); sorted, they order the
# words top to bottom, then left to right.
_WordItem = tuple[float, float, float, float, float, str, int, int, float]


def _rows_from_words(page: Page) -> list[Row]:
    items: list[_WordItem] = []
    for word in page.words:
        box = word.box
        items.append(
            (
                box.y + box.h / 2,
                box.x,
                box.x + box.w,
                box.y,
                box.y + box.h,
                word.text,
                word.start,
                word.end,
                word.font_size or box.h * 0.8 or TEXT_FONT,
            )
        )
    items.sort()
    lines: list[list[_WordItem]] = []
    last_mid = -1e9
    for item in items:
        mid, height = item[0], item[4] - item[3]
        if lines and abs(last_mid - mid) < max(2.0, height * 0.4):
            lines[-1].append(item)
        else:
            lines.append([item])
            last_mid = mid
    rows: list[Row] = []
    number = page.number
    for line in lines:
        line.sort(key=_by_x)
        cells: list[Cell] = []
        group: list[_WordItem] = []
        piped = False
        for item in line:
            if item[5] in _PIPES:
                piped = True
                # A text table's cell border ("| Widget | 2 |"): a cell boundary, not text.
                if group:
                    cells.append(_cell(group))
                group = []
                continue
            font = item[8]
            if group and item[1] - group[-1][2] > (font * 0.9 if font > 4.45 else 4.0):
                cells.append(_cell(group))
                group = []
            group.append(item)
        if group:
            cells.append(_cell(group))
        if not cells:
            continue
        y0 = min(c.y0 for c in cells)
        y1 = max(c.y1 for c in cells)
        rows.append(Row(number, len(rows), cells, y0, y1, piped))
    return rows


_PIPES = {"|", "│", "¦"}


def _by_x(item: _WordItem) -> float:
    return item[1]


def _cell(items: list[_WordItem]) -> Cell:
    if len(items) == 1:
        item = items[0]
        return Cell(item[5], item[1], item[2], item[3], item[4], item[6], item[7], item[8])
    return Cell(
        text=" ".join(item[5] for item in items),
        x0=items[0][1],
        x1=max(item[2] for item in items),
        y0=min(item[3] for item in items),
        y1=max(item[4] for item in items),
        start=min(item[6] for item in items),
        end=max(item[7] for item in items),
        font=max(item[8] for item in items),
    )


_CELL_SPLIT = re.compile(r"\s{2,}|\t+|\s*\|\s*")
_MD_HEADING = re.compile(r"^(#{1,6})\s+")
_MD_RULE = re.compile(r"^[\s|:=\-+*_]+$")


def _rows_from_text(page: Page, *, csv_like: bool) -> list[Row]:
    rows: list[Row] = []
    offset = 0
    text = page.text
    for line_index, line in enumerate(text.split("\n")):
        line_start = offset
        offset += len(line) + 1
        if not line.strip() or _MD_RULE.match(line):
            continue
        font = TEXT_FONT
        heading = _MD_HEADING.match(line)
        if heading:
            font = TEXT_FONT + 2 * (7 - len(heading.group(1)))
        y = line_index * LINE_HEIGHT
        spans = _csv_spans(line) if csv_like else _gap_spans(line)
        cells = []
        for start, end in spans:
            raw = line[start:end]
            stripped = raw.strip().strip("*_`").strip()
            if heading and start == heading.start():
                stripped = stripped.lstrip("#").strip()
            if not stripped:
                continue
            inner = raw.find(stripped)
            s = start + max(inner, 0)
            cells.append(
                Cell(
                    stripped,
                    s * CHAR_WIDTH,
                    (s + len(stripped)) * CHAR_WIDTH,
                    y,
                    y + LINE_HEIGHT * 0.8,
                    line_start + s,
                    line_start + s + len(stripped),
                    font,
                )
            )
        if cells:
            rows.append(Row(page.number, len(rows), cells, y, y + LINE_HEIGHT * 0.8))
    return rows


def _gap_spans(line: str) -> list[tuple[int, int]]:
    spans = []
    position = 0
    for match in _CELL_SPLIT.finditer(line):
        if match.start() > position:
            spans.append((position, match.start()))
        position = match.end()
    if position < len(line):
        spans.append((position, len(line)))
    return spans


def _csv_spans(line: str) -> list[tuple[int, int]]:
    spans = []
    position = 0
    for value in next(csv.reader([line])):
        index = line.find(value, position) if value else position
        if index < 0:
            index = position
        spans.append((index, index + len(value)))
        position = index + len(value) + 1
    return spans


def looks_like_csv(text: str) -> bool:
    """True when most lines split into the same number (>= 3) of CSV fields."""
    lines = [line for line in text.split("\n")[:50] if line.strip()]
    if len(lines) < 2:
        return False
    counts = [len(next(csv.reader([line]))) for line in lines]
    common = max(set(counts), key=counts.count)
    return common >= 3 and counts.count(common) >= 0.8 * len(counts)
