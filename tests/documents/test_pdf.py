"""The PDF text-layer loader: words, lines, font sizes, offsets->boxes, lazy pages."""

from __future__ import annotations

import io

import pytest
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from extraction.pipeline.documents import Document, DocumentTooLarge, LoadOptions, load_document
from tests.documents.conftest import assert_inside_page


def _pdf(draw, pagesize=A4, pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=pagesize, invariant=1)
    for number in range(1, pages + 1):
        draw(pdf, number)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _invoice(pdf: canvas.Canvas, number: int) -> None:
    height = A4[1]
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(72, height - 72, f"INVOICE {number}")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(72, height - 110, "Invoice No: RE-2024-001")
    # Table cells drawn right to left, so reading order must come from geometry.
    for x, text in ((400, "12.50"), (250, "3"), (72, "Widget Pro")):
        pdf.drawString(x, height - 150, text)


@pytest.fixture(scope="module")
def invoice_pdf() -> bytes:
    return _pdf(_invoice, pages=3)


def test_pdf_text_is_in_reading_order_with_single_spaces(invoice_pdf):
    document = load_document(invoice_pdf)
    page = document.page(2)
    assert document.media_type == "application/pdf"
    assert document.page_count == 3
    assert (page.width, page.height) == pytest.approx(A4)
    assert page.text == "INVOICE 2\nInvoice No: RE-2024-001\nWidget Pro 3 12.50"
    assert [line.text for line in page.lines] == page.text.split("\n")


def test_word_boxes_are_in_points_from_the_top_left(invoice_pdf):
    page = load_document(invoice_pdf).page(1)
    widget = next(word for word in page.words if word.text == "Widget")
    price = next(word for word in page.words if word.text == "12.50")
    assert widget.box.x == pytest.approx(72, abs=0.5)
    assert price.box.x == pytest.approx(400, abs=0.5)
    # Baseline at 150 pt from the top: the box spans it.
    assert widget.box.y < 150 < widget.box.y + widget.box.h
    assert widget.font_size == pytest.approx(10)
    assert page.lines[0].font_size == pytest.approx(20)
    assert page.lines[2].font_size == pytest.approx(10)


def test_char_offsets_map_back_to_boxes(invoice_pdf):
    page = load_document(invoice_pdf).page(1)
    start = page.text.index("RE-2024-001")
    words = page.words_in_span(start, start + len("RE-2024-001"))
    assert [word.text for word in words] == ["RE-2024-001"]
    assert page.text[words[0].start : words[0].end] == "RE-2024-001"
    span = page.text.index("Invoice No: RE")
    boxes = page.boxes_for_span(span, span + len("Invoice No: RE-2024-001"))
    assert len(boxes) == 1  # one visual line, merged
    assert boxes[0].x == pytest.approx(72, abs=0.5)
    assert boxes[0].x + boxes[0].w > 150
    for word in page.words:
        assert page.text[word.start : word.end] == word.text


def test_rotated_page_reports_displayed_size_and_boxes_inside():
    def draw(pdf: canvas.Canvas, number: int) -> None:
        pdf.setFont("Helvetica", 12)
        pdf.drawString(50, 50, "Bottom left corner text")

    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(_pdf(draw)))
    writer = PdfWriter()
    writer.add_page(reader.pages[0])
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    page = load_document(out.getvalue()).page(1)
    assert (page.width, page.height) == pytest.approx((A4[1], A4[0]))
    assert page.text == "Bottom left corner text"
    for word in page.words:
        assert_inside_page(page, word.box, tolerance=0)


def test_pages_are_loaded_lazily_and_cached(invoice_pdf):
    document = load_document(invoice_pdf)
    pages = document.pages
    assert len(pages._cache) == 0
    first = document.page(3)
    assert len(pages._cache) == 1
    assert document.page(3) is first
    assert [page.number for page in document.iter_pages([3, 1])] == [3, 1]
    assert [page.number for page in pages[-2:]] == [2, 3]


def test_page_limit_is_enforced():
    data = _pdf(lambda pdf, number: pdf.drawString(72, 72, f"page {number}"), pages=5)
    with pytest.raises(DocumentTooLarge, match="5 pages; the limit is 3"):
        load_document(data, options=LoadOptions(max_pages=3))


def test_landscape_page_size():
    data = _pdf(lambda pdf, n: pdf.drawString(72, 72, "wide"), pagesize=landscape(A4))
    document: Document = load_document(data)
    assert document.page(1).width > document.page(1).height
    assert document.page(1).text == "wide"


def test_closed_document_refuses_further_pages(invoice_pdf):
    from extraction.pipeline.documents import DocumentError

    with load_document(invoice_pdf) as document:
        assert document.page(1).number == 1
    with pytest.raises(DocumentError, match="closed"):
        document.page(2)
    document.close()  # twice is fine


def test_ligatures_are_spelled_out():
    from pathlib import Path

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from tests.system_parts import require_system_part

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    require_system_part(
        "DejaVu Sans",
        font.exists(),
        f"this test draws ligatures with {font}; apt-get install fonts-dejavu-core",
    )
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(font)))

    def draw(pdf: canvas.Canvas, number: int) -> None:
        pdf.setFont("DejaVuSans", 12)
        pdf.drawString(72, 700, "Quarterly \ufb01nance o\ufb03ce")

    assert load_document(_pdf(draw)).page(1).text == "Quarterly finance office"


def test_long_documents_reopen_pdfium_and_keep_reading(tmp_path, monkeypatch):
    from extraction.pipeline.documents import pdf as pdf_module

    monkeypatch.setattr(pdf_module, "REOPEN_EVERY_PAGES", 2)
    path = tmp_path / "five.pdf"
    path.write_bytes(_pdf(lambda pdf, n: pdf.drawString(72, 700, f"page {n} text"), pages=5))
    document = load_document(path)
    first_handle = document.pages._pdf
    assert [page.text for page in document.iter_pages()] == [f"page {n} text" for n in range(1, 6)]
    assert document.pages._pdf is not first_handle
    document.close()
