"""Page selection: which pages a ``page_range`` picks, and which it asked for beyond the end."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extraction.pipeline.documents.base import Document


def select_pages(
    document: Document, spans: list[tuple[int, int]] | None
) -> tuple[list[int], list[int]]:
    """Resolve inclusive 1-based ``spans`` (from ``extraction.pipeline.config.parse_page_range``).

    Returns ``(selected, beyond_end)``: the existing pages in ascending order without
    duplicates, and the requested page numbers past the last page (ascending; at most 1,001
    per span so ``1-1000000`` does not build a huge list). ``None`` selects every page.
    """
    count = document.page_count
    if spans is None:
        return list(range(1, count + 1)), []
    selected: set[int] = set()
    beyond: set[int] = set()
    for start, end in spans:
        selected.update(range(start, min(end, count) + 1))
        if end > count:
            first_missing = max(start, count + 1)
            beyond.update(range(first_missing, min(end, first_missing + 1000) + 1))
    return sorted(selected), sorted(beyond)
