"""OCR of images and scanned PDF pages with the real Tesseract."""

from __future__ import annotations

import io

import pypdfium2
import pytest
from PIL import Image

from extraction.documents import DocumentTooLarge, LoadOptions, OcrUnavailable, load_document
from extraction.documents import ocr as ocr_module
from tests.documents.conftest import assert_inside_page, find_on_page

DPI = 200


@pytest.fixture(scope="module")
def scanned_invoice(corpus):
    """Page 1 of a corpus invoice rendered to an image, and its single-line printed fields
    (its number, RE-23-4087, is printed right of centre in the upper fifth)."""
    invoice = corpus["invoice_classic_us"]
    pdf = pypdfium2.PdfDocument(invoice.path)
    image = pdf[0].render(scale=DPI / 72).to_pil().convert("RGB")
    pdf.close()
    fields = [
        f["rendered"]
        for f in invoice.meta["fields"]
        if f["page"] == 1 and "\n" not in f["rendered"]
    ]
    return image, fields


def _encoded(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, dpi=(DPI, DPI), **kwargs)
    return buffer.getvalue()


def _found_share(page, fields: list[str]) -> float:
    return sum(1 for rendered in fields if find_on_page(page, rendered)) / len(fields)


@pytest.mark.parametrize(("fmt", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_image_is_ocred_with_word_boxes_and_confidences(scanned_invoice, fmt, media_type):
    image, fields = scanned_invoice
    document = load_document(
        _encoded(image, fmt, quality=90) if fmt == "JPEG" else _encoded(image, fmt),
        declared_type="application/pdf",
    )
    page = document.page(1)
    assert document.media_type == media_type
    assert page.ocr and document.metadata["ocr"]
    # 200 dpi pixels back to a Letter page in points.
    assert page.width == pytest.approx(612, abs=1) and page.height == pytest.approx(792, abs=1)
    assert _found_share(page, fields) >= 0.8
    span = find_on_page(page, "RE-23-4087")
    assert span is not None
    (box,) = page.boxes_for_span(*span)
    assert_inside_page(page, box)
    # The invoice number is printed right of centre, in the upper fifth of the page.
    assert box.x > 300 and box.y < 792 / 5
    assert all(0 <= word.confidence <= 1 for word in page.words)
    assert sum(word.confidence for word in page.words) / len(page.words) > 0.8


def test_scanned_pdf_page_is_ocred_automatically(scanned_invoice):
    image, fields = scanned_invoice
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=DPI)
    document = load_document(buffer.getvalue())
    page = document.page(1)
    assert page.ocr
    assert document.pages.ocr_pages == {1}
    assert _found_share(page, fields) >= 0.8
    for word in page.words:
        assert_inside_page(page, word.box)


def test_missing_tesseract_says_how_to_install_it(scanned_invoice, monkeypatch):
    image, _ = scanned_invoice
    monkeypatch.setattr(ocr_module.shutil, "which", lambda name: None)
    with pytest.raises(OcrUnavailable, match="apt-get install tesseract-ocr"):
        load_document(_encoded(image, "PNG"))


def test_missing_language_data_is_named():
    image = Image.new("L", (50, 50), 255)
    with pytest.raises(OcrUnavailable, match="'klingon'"):
        load_document(_encoded(image, "PNG"), options=LoadOptions(ocr_language="klingon"))


def test_image_over_the_pixel_limit_is_rejected():
    image = Image.new("L", (400, 400), 255)
    with pytest.raises(DocumentTooLarge, match="pixels"):
        load_document(_encoded(image, "PNG"), options=LoadOptions(max_image_pixels=10_000))


def test_truncated_image_is_reported(scanned_invoice):
    image, _ = scanned_invoice
    data = _encoded(image, "PNG")
    with pytest.raises(Exception, match="truncated") as caught:
        load_document(data[: len(data) // 2])
    assert caught.type.__name__ == "CorruptDocument"
