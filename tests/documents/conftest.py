"""Helpers for the document loaders: check that printed text is found on its page with boxes
inside the page. The documents themselves come from the ``corpus`` fixture."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extraction.pipeline.documents import Page


def normalize(text: str) -> str:
    return " ".join(text.split())


def find_on_page(page: Page, rendered: str) -> tuple[int, int] | None:
    """The span of ``rendered`` (whitespace-normalized) in the page text, or ``None``.

    Page text separates words by single spaces and lines by ``\\n``, so swapping newlines for
    spaces keeps offsets valid.
    """
    haystack = page.text.replace("\n", " ")
    needle = normalize(rendered)
    start = haystack.find(needle)
    return None if start < 0 else (start, start + len(needle))


def assert_inside_page(page: Page, box: Any, tolerance: float = 1.0) -> None:
    assert box.w > 0, box
    assert box.h > 0, box
    assert -tolerance <= box.x, (box, page.width)
    assert box.x + box.w <= page.width + tolerance, (box, page.width)
    assert -tolerance <= box.y, (box, page.height)
    assert box.y + box.h <= page.height + tolerance, (box, page.height)
