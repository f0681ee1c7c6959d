"""Splitting bundles (PDFs concatenated with pypdf) into their documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from classification.base import ClassificationError, PageVerdict, Rule
from classification.splitting import UNCATEGORIZED, Category, bundle_split
from tests.classification.conftest import (
    CATEGORIES,
    KINDS,
    RECIPE,
    bundle_bytes,
    load_pages,
    pdf_page_bytes,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from extraction.pipeline.documents import Page


def _segments(result: object) -> list[tuple[str, tuple[int, ...]]]:
    return [(segment.category, segment.pages) for segment in result.segments]  # type: ignore[attr-defined]


def test_a_four_document_bundle_is_split_into_exactly_those_documents(
    kind_pdfs: dict[str, bytes],
) -> None:
    bundle = bundle_bytes(*(kind_pdfs[doc_id] for doc_id in KINDS))
    result = bundle_split(pages=load_pages(bundle), categories=CATEGORIES)
    assert _segments(result) == [
        ("invoice", (1, 2)),
        ("resume", (3,)),
        ("contract", (4, 5)),
        ("receipt", (6,)),
    ]
    for segment in result.segments:
        assert segment.confidence_category in ("high", "medium")
        assert segment.reasoning
    assert result.to_dict()["segments"][0] == {
        "category": "invoice",
        "pages": [1, 2],
        "confidence_category": result.segments[0].confidence_category,
    }


def test_two_documents_of_the_same_kind_side_by_side_stay_apart(
    kind_pdfs: dict[str, bytes],
) -> None:
    bundle = bundle_bytes(kind_pdfs["invoice_long_us"], kind_pdfs["invoice_long_us"])
    result = bundle_split(pages=load_pages(bundle), categories=CATEGORIES)
    assert _segments(result) == [("invoice", (1, 2)), ("invoice", (3, 4))]


def _with_recipe(kind_pdfs: dict[str, bytes]) -> list[Page]:
    recipe = pdf_page_bytes(RECIPE)
    return load_pages(
        bundle_bytes(kind_pdfs["invoice_long_us"], recipe, kind_pdfs["resume_classic_us"])
    )


def test_pages_no_category_fits_are_included_as_uncategorized_by_default(
    kind_pdfs: dict[str, bytes],
) -> None:
    result = bundle_split(pages=_with_recipe(kind_pdfs), categories=CATEGORIES)
    assert _segments(result) == [
        ("invoice", (1, 2)),
        (UNCATEGORIZED, (3,)),
        ("resume", (4,)),
    ]


def test_omit_leaves_uncategorized_pages_out(kind_pdfs: dict[str, bytes]) -> None:
    result = bundle_split(
        pages=_with_recipe(kind_pdfs), categories=CATEGORIES, allow_uncategorized="omit"
    )
    assert _segments(result) == [("invoice", (1, 2)), ("resume", (4,))]


def test_forbid_gives_every_page_a_category(kind_pdfs: dict[str, bytes]) -> None:
    result = bundle_split(
        pages=_with_recipe(kind_pdfs), categories=CATEGORIES, allow_uncategorized="forbid"
    )
    names = {category.name for category in CATEGORIES}
    assert all(segment.category in names for segment in result.segments)
    assert sorted(page for segment in result.segments for page in segment.pages) == [1, 2, 3, 4]
    recipe = next(segment for segment in result.segments if 3 in segment.pages)
    assert recipe.confidence_category == "low"


def test_min_pages_per_split_merges_a_short_segment_into_a_neighbour(
    kind_pdfs: dict[str, bytes],
) -> None:
    bundle = bundle_bytes(
        kind_pdfs["invoice_long_us"], kind_pdfs["receipt_slip_us"], kind_pdfs["lease_pdf_us"]
    )
    pages = load_pages(bundle)
    assert _segments(bundle_split(pages=pages, categories=CATEGORIES)) == [
        ("invoice", (1, 2)),
        ("receipt", (3,)),
        ("contract", (4, 5)),
    ]
    merged = bundle_split(pages=pages, categories=CATEGORIES, min_pages_per_split=2)
    assert len(merged.segments) == 2
    assert all(len(segment.pages) >= 2 for segment in merged.segments)
    assert [page for segment in merged.segments for page in segment.pages] == [1, 2, 3, 4, 5]
    receipt_home = next(segment for segment in merged.segments if 3 in segment.pages)
    assert receipt_home.confidence_category != "high"
    assert "minimum pages" in receipt_home.reasoning


def test_segments_keep_the_page_numbers_of_the_input(kind_pdfs: dict[str, bytes]) -> None:
    bundle = bundle_bytes(*(kind_pdfs[doc_id] for doc_id in KINDS))
    pages = load_pages(bundle)[2:5]  # pages 3-5: the resume and the lease
    result = bundle_split(pages=pages, categories=CATEGORIES)
    assert _segments(result) == [("resume", (3,)), ("contract", (4, 5))]


class _KeywordClassifier:
    """A model stand-in for the seam: calls a page by the first category named in its text."""

    name = "keyword"

    def classify_pages(self, pages: Sequence[Page], rules: Sequence[Rule]) -> list[PageVerdict]:
        verdicts = []
        for page in pages:
            text = page.text.lower()
            hit = next((rule.type for rule in rules if rule.type in text), None)
            verdicts.append(PageVerdict(page.number, hit, 0.9 if hit else 0.8, "keyword"))
        return verdicts


def test_a_model_backed_classifier_plugs_in_through_the_protocol(
    kind_pdfs: dict[str, bytes],
) -> None:
    bundle = bundle_bytes(kind_pdfs["invoice_long_us"], kind_pdfs["lease_pdf_us"])
    categories = [Category("invoice"), Category("lease")]
    result = bundle_split(
        pages=load_pages(bundle), categories=categories, classifier=_KeywordClassifier()
    )
    assert _segments(result) == [("invoice", (1, 2)), ("lease", (3, 4))]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"categories": []}, "At least one category"),
        ({"allow_uncategorized": "maybe"}, "allow_uncategorized must be one of"),
        ({"min_pages_per_split": 0}, "min_pages_per_split"),
        ({"categories": [Category("a"), Category("a")]}, "given twice"),
    ],
)
def test_bad_split_options_are_refused_with_a_reason(
    options: dict[str, object], message: str
) -> None:
    arguments: dict = {"categories": CATEGORIES, **options}
    with pytest.raises(ClassificationError, match=message):
        bundle_split(pages=load_pages(pdf_page_bytes(RECIPE)), **arguments)


def test_an_empty_bundle_has_no_segments() -> None:
    assert bundle_split(pages=[], categories=CATEGORIES).segments == ()
