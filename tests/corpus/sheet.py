"""A reportlab canvas with top-down coordinates that records each printed value in a ``Truth``.

reportlab runs in invariant mode (no timestamps or random ids), so the same calls give the
same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

if TYPE_CHECKING:
    from tests.corpus.truth import Truth

BOLD = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold", "Courier": "Courier-Bold"}
PAGE_SIZES = {
    "letter": LETTER,
    "a4": A4,
    "letter-landscape": landscape(LETTER),
    "a4-landscape": landscape(A4),
    "slip": (226.0, 560.0),
}


@dataclass(frozen=True)
class Cell:
    """A table cell that is a recorded value (plain strings are just printed)."""

    path: str
    rendered: str
    value: Any = ...


@dataclass(frozen=True)
class Column:
    header: str
    x: float
    align: str = "left"  # "left" or "right" (``x`` is then the right edge)


class Sheet:
    def __init__(self, truth: Truth, *, size: str = "letter", font: str = "Helvetica"):
        self.truth = truth
        self.buffer = io.BytesIO()
        self.width, self.height = PAGE_SIZES[size]
        self.canvas = Canvas(self.buffer, pagesize=PAGE_SIZES[size], invariant=1)
        self.font = font
        self.page = 1
        self.heading_pages: dict[int, int] = {}  # row index -> page of the group heading above it

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10,
        bold: bool = False,
        align: str = "left",
    ) -> None:
        """Print one line with its baseline ``y`` points below the top of the page."""
        font = BOLD[self.font] if bold else self.font
        self.canvas.setFont(font, size)
        if align == "right":
            self.canvas.drawRightString(x, self.height - y, text)
        elif align == "center":
            self.canvas.drawCentredString(x, self.height - y, text)
        else:
            self.canvas.drawString(x, self.height - y, text)

    def field(
        self,
        path: str,
        rendered: str,
        x: float,
        y: float,
        *,
        value: Any = ...,
        size: float = 10,
        bold: bool = False,
        align: str = "left",
    ) -> float:
        """Print ``rendered`` (one line per ``\\n``) and record it; returns the next free ``y``."""
        for line in rendered.split("\n"):
            self.text(x, y, line, size=size, bold=bold, align=align)
            y += size * 1.3
        self.truth.put(path, rendered, page=self.page, value=value)
        return y

    def paragraph(
        self,
        x: float,
        y: float,
        text: str,
        width: float,
        *,
        size: float = 10,
        fields: tuple[tuple[str, str, Any], ...] = (),
        bottom: float | None = None,
    ) -> float:
        """Print ``text`` wrapped to ``width``, on a new page when it would pass ``bottom``;
        ``fields`` (path, rendered, value) are printed inside it and recorded on its page.
        Returns the next free ``y``."""
        lines: list[str] = []
        for word in text.split():
            trial = f"{lines[-1]} {word}" if lines else word
            if lines and stringWidth(trial, self.font, size) <= width:
                lines[-1] = trial
            else:
                lines.append(word)
        if y + len(lines) * size * 1.4 > (bottom or self.height - 60):
            self.new_page()
            y = 72
        for line in lines:
            self.text(x, y, line, size=size)
            y += size * 1.4
        for path, rendered, value in fields:
            if " ".join(rendered.split()) not in " ".join(text.split()):
                raise ValueError(f"{path}: {rendered!r} is not in its paragraph")
            self.truth.put(path, rendered, page=self.page, value=value)
        return y

    def rule(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.6) -> None:
        self.canvas.setLineWidth(width)
        self.canvas.line(x1, self.height - y1, x2, self.height - y2)

    def shade(self, x: float, y: float, w: float, h: float, gray: float = 0.92) -> None:
        self.canvas.setFillGray(gray)
        self.canvas.rect(x, self.height - y - h, w, h, stroke=0, fill=1)
        self.canvas.setFillGray(0)

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page += 1

    def table(
        self,
        columns: list[Column],
        rows: list[list[Cell | str]],
        y: float,
        *,
        ruling: str = "lines",
        size: float = 9,
        row_height: float = 16,
        bottom: float = 700,
        group_of: list[str | None] | None = None,
        per_page: int | None = None,
    ) -> float:
        """Print a table from ``y`` down; ``ruling`` is "grid", "lines", "zebra" or "none".

        A row that would pass ``bottom`` (or the ``per_page``-th row of a page) starts a new
        page with the header repeated.
        ``group_of[i]``, when set, prints a bold group heading above row ``i``. Returns the
        ``y`` below the last row.
        """
        left = columns[0].x - 4
        right = max(c.x for c in columns) + (4 if columns[-1].align == "right" else 90)
        y = self._header(columns, y, size, row_height, left, right, ruling)
        on_page = 0
        for index, row in enumerate(rows):
            heading = group_of[index] if group_of else None
            needed = row_height * (2 if heading else 1)
            if y + needed > bottom or on_page == per_page:
                self.new_page()
                y = self._header(columns, 72, size, row_height, left, right, ruling)
                on_page = 0
            on_page += 1
            if heading:
                self.text(columns[0].x, y + row_height - 4, heading, size=size + 1, bold=True)
                self.heading_pages[index] = self.page
                y += row_height
            if ruling == "zebra" and index % 2 == 0:
                self.shade(left, y, right - left, row_height)
            for column, cell in zip(columns, row, strict=True):
                baseline = y + row_height - 4
                if isinstance(cell, Cell):
                    self.field(
                        cell.path,
                        cell.rendered,
                        column.x,
                        baseline,
                        value=cell.value,
                        size=size,
                        align=column.align,
                    )
                elif cell:
                    self.text(column.x, baseline, cell, size=size, align=column.align)
            y += row_height
            if ruling in ("grid", "lines"):
                self.rule(left, y, right, y, 0.3)
        if ruling == "grid":
            self.rule(left, y, right, y)
        return y

    def _header(
        self,
        columns: list[Column],
        y: float,
        size: float,
        height: float,
        left: float,
        right: float,
        ruling: str,
    ) -> float:
        if ruling != "none":
            self.rule(left, y, right, y, 0.9)
        for column in columns:
            self.text(
                column.x, y + height - 4, column.header, size=size, bold=True, align=column.align
            )
        y += height
        if ruling != "none":
            self.rule(left, y, right, y, 0.9)
        return y

    def finish(self) -> bytes:
        self.canvas.save()
        return self.buffer.getvalue()
