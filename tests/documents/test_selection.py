"""Page selection from parsed page_range spans."""

from __future__ import annotations

from extraction.pipeline.config import parse_page_range
from extraction.pipeline.documents import load_text, select_pages


def _document(pages: int):
    return load_text("\f".join(f"page {n}" for n in range(1, pages + 1)))


def test_no_range_selects_every_page():
    assert select_pages(_document(3), None) == ([1, 2, 3], [])


def test_range_selects_pages_and_reports_those_beyond_the_end():
    document = _document(6)
    selected, beyond = select_pages(document, parse_page_range("1,3,5-7,9"))
    assert selected == [1, 3, 5, 6]
    assert beyond == [7, 9]
    assert [page.text for page in document.iter_pages(selected)] == [
        "page 1",
        "page 3",
        "page 5",
        "page 6",
    ]


def test_overlapping_spans_are_deduplicated_and_sorted():
    assert select_pages(_document(5), parse_page_range("4-5,1-2,2")) == ([1, 2, 4, 5], [])


def test_huge_range_beyond_the_end_stays_small():
    selected, beyond = select_pages(_document(2), parse_page_range("1-1000000"))
    assert selected == [1, 2]
    assert beyond[0] == 3
    assert len(beyond) <= 1001
