"""The one document representation every engine reads, whatever format came in.

Coordinates are PDF points with a top-left origin. ``Word.start``/``Word.end`` are character
offsets into ``Page.text``, so a span of page text maps back to boxes on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence


class DocumentError(Exception):
    """A document that cannot be loaded; the message is shown to the user as the job's error."""


class UnsupportedDocumentType(DocumentError):
    pass


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def to_dict(self) -> dict[str, float]:
        return {
            "x": round(self.x, 2),
            "y": round(self.y, 2),
            "w": round(self.w, 2),
            "h": round(self.h, 2),
        }

    def union(self, other: Box) -> Box:
        x0, y0 = min(self.x, other.x), min(self.y, other.y)
        x1 = max(self.x + self.w, other.x + other.w)
        y1 = max(self.y + self.h, other.y + other.h)
        return Box(x0, y0, x1 - x0, y1 - y0)


@dataclass(slots=True)
class Word:
    text: str
    box: Box
    start: int
    end: int
    confidence: float | None = None  # OCR word confidence in [0, 1]; None for a text layer
    font_size: float | None = None


@dataclass(slots=True)
class Line:
    text: str
    box: Box
    start: int
    end: int
    font_size: float | None = None


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    text: str
    words: list[Word] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    ocr: bool = False

    def words_in_span(self, start: int, end: int) -> list[Word]:
        """Words overlapping the character span ``[start, end)`` of ``text``."""
        return [word for word in self.words if word.start < end and word.end > start]

    def boxes_for_span(self, start: int, end: int) -> list[Box]:
        """One box per visual line covered by the span (words on a line are merged)."""
        boxes: list[Box] = []
        for word in self.words_in_span(start, end):
            if boxes and abs(boxes[-1].y - word.box.y) < max(2.0, word.box.h * 0.5):
                boxes[-1] = boxes[-1].union(word.box)
            else:
                boxes.append(word.box)
        return boxes


@dataclass
class Document:
    """A loaded document. ``pages`` may be a lazy sequence for large files: index it or iterate
    ``iter_pages``, and avoid holding every page of a large document at once."""

    media_type: str
    pages: Sequence[Page]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def page(self, number: int) -> Page:
        return self.pages[number - 1]

    def iter_pages(self, numbers: Iterable[int] | None = None) -> Iterator[Page]:
        if numbers is None:
            numbers = range(1, self.page_count + 1)
        for number in numbers:
            yield self.page(number)

    def close(self) -> None:
        """Release what lazily loaded pages hold (an open PDF); safe to call twice."""
        close = getattr(self.pages, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class DocumentTooLarge(DocumentError):
    """More pages, pixels or parse time than the limits allow."""


class PasswordProtected(DocumentError):
    """An encrypted PDF whose empty password does not open it."""


class CorruptDocument(DocumentError):
    """Zero-byte, truncated or otherwise unreadable content."""


class OcrUnavailable(DocumentError):
    """The document needs OCR and Tesseract is not installed."""
