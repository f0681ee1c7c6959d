"""``LazyPages``: a read-only page sequence that builds each page on first access.

Loaders of long documents subclass it (or pass a factory) so memory holds only the pages being
processed plus a small LRU cache, whatever the page count.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import overload

from extraction.pipeline.documents.base import Page

PAGE_CACHE_SIZE = 8


class LazyPages(Sequence[Page]):
    """Pages ``1..count`` built by ``build(index)`` (0-based) on access, cached LRU."""

    def __init__(self, count: int, build: Callable[[int], Page] | None = None) -> None:
        self._count = count
        self._build = build
        self._cache: OrderedDict[int, Page] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Page: ...
    @overload
    def __getitem__(self, index: slice) -> list[Page]: ...
    def __getitem__(self, index: int | slice) -> Page | list[Page]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(f"page index {index} out of range (document has {self._count})")
        with self._lock:
            page = self._cache.get(index)
            if page is not None:
                self._cache.move_to_end(index)
                return page
            page = self.load(index)
            self._cache[index] = page
            if len(self._cache) > PAGE_CACHE_SIZE:
                self._cache.popitem(last=False)
            return page

    def load(self, index: int) -> Page:
        """Build page ``index`` (0-based); subclasses override or pass ``build``."""
        if self._build is None:
            raise NotImplementedError
        return self._build(index)

    def close(self) -> None:
        """Drop cached pages; subclasses also release their file handles."""
        self._cache.clear()
