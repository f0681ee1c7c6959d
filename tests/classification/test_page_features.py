"""Page features: titles, page-number markers, layout cues and continuity keys, read from
documents built at test time."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from classification.features import page_features
from tests.classification.conftest import load_pages, pdf_page_bytes

if TYPE_CHECKING:
    from tests.corpus import Corpus


def _footer_pdf(footers: list[str], *, header: str = "Quarterly report") -> bytes:
    """Pages with a body and the given footer text at the bottom of each."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1)
    for footer in footers:
        pdf.setFont("Helvetica", 9)
        pdf.drawString(72, LETTER[1] - 40, header)
        for row in range(8):
            pdf.drawString(72, LETTER[1] - 120 - row * 16, f"Line {row} of the body text here")
        pdf.drawString(72, 30, footer)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("footer", "index", "total"),
    [
        ("Page 2 of 3", 2, 3),
        ("Seite 1 von 2", 1, 2),
        ("Acme Ltd - Invoice 2024-117 - 2/3", 2, 3),
        ("Page 4", 4, None),
        ("- 7 -", 7, None),
    ],
)
def test_page_number_markers_are_read_from_the_footer(
    footer: str, index: int, total: int | None
) -> None:
    features = page_features(load_pages(_footer_pdf([footer]))[0])
    assert features.marker is not None
    assert (features.marker.index, features.marker.total) == (index, total)


def test_a_statement_number_is_not_a_page_marker() -> None:
    features = page_features(load_pages(_footer_pdf(["Statement no. 1/2024"]))[0])
    assert features.marker is None


def test_running_footers_compare_equal_when_only_numbers_differ() -> None:
    first, second = load_pages(
        _footer_pdf(["Invoice 2024-117 Page 1 of 2", "Invoice 2024-117 Page 2 of 2"])
    )
    one, two = page_features(first), page_features(second)
    assert one.footer_key
    assert one.footer_key == two.footer_key
    assert one.header_key == two.header_key == "quarterly report"


def test_the_title_is_the_large_type_at_the_top() -> None:
    page = load_pages(pdf_page_bytes([("Delivery Note", 22.0)] + [("Item 4 boxes", 10.0)] * 6))[0]
    features = page_features(page)
    assert features.title == "Delivery Note"
    assert features.opening_kind == "delivery_note"


def test_an_invoice_shows_totals_a_table_and_a_payment_request(corpus: Corpus) -> None:
    page = load_pages(corpus["invoice_classic_us"].path.read_bytes())[0]
    features = page_features(page)
    assert features.cues["totals"] == 1.0
    assert features.cues["table"] > 0.5
    assert features.cues["payment_request"] > 0
    assert features.cues["narrow"] == 0
    assert "INVOICE" in features.title.upper()


def test_a_till_receipt_is_a_narrow_slip_that_shows_a_payment(corpus: Corpus) -> None:
    features = page_features(load_pages(corpus["receipt_slip_us"].path.read_bytes())[0])
    assert features.cues["narrow"] == 1.0
    assert features.cues["totals"] == 1.0
    assert features.cues["paid"] > 0  # "VISA CREDIT **** 2705" beside the total


def test_a_resume_shows_contact_lines_and_date_ranges(corpus: Corpus) -> None:
    features = page_features(load_pages(corpus["resume_classic_us"].path.read_bytes())[0])
    assert features.cues["contact"] >= 0.5
    assert features.cues["date_ranges"] > 0
    assert features.cues["totals"] == 0


def test_a_contract_is_prose_in_clauses_that_ends_in_signatures(corpus: Corpus) -> None:
    first, last = load_pages(corpus["lease_pdf_us"].path.read_bytes())
    opening, closing = page_features(first), page_features(last)
    assert opening.cues["prose"] > 0.5
    assert opening.cues["clauses"] > 0.5
    assert opening.opening_kind == "lease"
    assert "signature" in closing.ends_with


def test_a_blank_page_has_no_words_and_no_cues() -> None:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1)
    pdf.showPage()
    pdf.save()
    features = page_features(load_pages(buffer.getvalue())[0])
    assert features.is_blank
    assert not any(features.cues.values())
