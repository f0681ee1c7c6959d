"""The pages a search reads: ``Located`` spans of page text and the ``PageIndex`` that reads
each page's text once (a large document's pages are built lazily, and re-building one for every
value searched on it would be slow)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from extraction.pipeline.documents.base import Document, Page

PAGE_CACHE_SIZE = 64


@dataclass(frozen=True, slots=True)
class Located:
    """One span of one page's text that supports a value; ``score`` is the similarity (0-1)."""

    page: int
    start: int
    end: int
    match: str  # exact | normalized | fuzzy | value
    score: float = 1.0


class PageIndex:
    """The pages a search may look at, in order, with their text read once.

    ``pages`` limits the search (the pages the engine saw); by default every page.
    """

    def __init__(self, document: Document, pages: Sequence[int] | None = None) -> None:
        self.document = document
        self.numbers = list(pages) if pages else list(range(1, document.page_count + 1))
        self._texts: dict[int, str] = {}
        self._lowered: dict[int, str] = {}
        self._pages: OrderedDict[int, Page] = OrderedDict()
        self._prints: dict[str, bool] = {}
        self._all_numbers = self.numbers

    def restricted(self, numbers: Sequence[int]) -> PageIndex:
        """The same document limited to ``numbers``, sharing the text already read."""
        index = PageIndex(self.document, numbers)
        index._texts = self._texts
        index._lowered = self._lowered
        index._pages = self._pages
        index._prints = self._prints
        index._all_numbers = self._all_numbers
        return index

    def page(self, number: int) -> Page:
        """The page, kept among the last ``PAGE_CACHE_SIZE`` used: a large document's pages
        are loaded lazily, and re-loading one for every value cited on it is slow."""
        page = self._pages.get(number)
        if page is None:
            page = self._pages[number] = self.document.page(number)
            if len(self._pages) > PAGE_CACHE_SIZE:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page

    def text(self, number: int) -> str:
        if number not in self._texts:
            self._texts[number] = self.page(number).text or ""
        return self._texts[number]

    def lowered(self, number: int) -> str:
        """Lower-cased text with the same offsets (the original when lowering changes length)."""
        if number not in self._lowered:
            text = self.text(number)
            lowered = text.lower()
            self._lowered[number] = lowered if len(lowered) == len(text) else text
        return self._lowered[number]

    def ordered(self, first: int | None = None) -> Iterator[int]:
        """Page numbers with ``first`` (a quote's page, say) searched before the others."""
        if first is not None and first in self.numbers:
            yield first
        for number in self.numbers:
            if number != first:
                yield number

    def prints(self, token: str) -> bool:
        """Whether any page of the search (before ``restricted``) prints ``token`` (a year, say);
        remembered per token."""
        if token not in self._prints:
            self._prints[token] = any(token in self.text(n) for n in self._all_numbers)
        return self._prints[token]

    def total_chars(self) -> int:
        return sum(len(self.text(number)) for number in self.numbers)
