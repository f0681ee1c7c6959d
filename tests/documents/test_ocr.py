"""OCR of images and scanned PDF pages with the bundled RapidOCR engine and the real Tesseract."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image, ImageDraw, ImageFont

from extraction.pipeline.documents import (
    DocumentTooLarge,
    LoadOptions,
    OcrUnavailable,
    load_document,
)
from extraction.pipeline.documents import ocr as ocr_module
from extraction.pipeline.documents.ocr import ocr_engine
from tests.documents.conftest import assert_inside_page, find_on_page
from tests.system_parts import require_system_part, tesseract_available

DPI = 200
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


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


ENGINES = ["rapidocr", "tesseract"]


@pytest.fixture
def tesseract() -> None:
    require_system_part(
        "Tesseract", tesseract_available(), "apt-get install tesseract-ocr tesseract-ocr-deu"
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("fmt", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_image_is_ocred_with_word_boxes_and_confidences(
    scanned_invoice, fmt, media_type, engine, request
):
    if engine == "tesseract":
        request.getfixturevalue("tesseract")
    image, fields = scanned_invoice
    document = load_document(
        _encoded(image, fmt, quality=90) if fmt == "JPEG" else _encoded(image, fmt),
        declared_type="application/pdf",
        options=LoadOptions(ocr_engine=engine),
    )
    page = document.page(1)
    assert document.media_type == media_type
    assert page.ocr
    assert document.metadata["ocr"]
    # 200 dpi pixels back to a Letter page in points.
    assert page.width == pytest.approx(612, abs=1)
    assert page.height == pytest.approx(792, abs=1)
    assert _found_share(page, fields) >= 0.8
    span = find_on_page(page, "RE-23-4087")
    assert span is not None
    (box,) = page.boxes_for_span(*span)
    assert_inside_page(page, box)
    # The invoice number is printed right of centre, in the upper fifth of the page.
    assert box.x > 300
    assert box.y < 792 / 5
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


def test_chosen_tesseract_that_is_missing_says_how_to_install_it(scanned_invoice, monkeypatch):
    image, _ = scanned_invoice
    monkeypatch.setattr(ocr_module.shutil, "which", lambda name: None)
    with pytest.raises(OcrUnavailable, match="apt-get install tesseract-ocr.*OPENEXTRACT_OCR"):
        load_document(_encoded(image, "PNG"), options=LoadOptions(ocr_engine="tesseract"))


def test_missing_language_data_is_named(tesseract):
    image = Image.new("L", (50, 50), 255)
    with pytest.raises(OcrUnavailable, match="'klingon'"):
        load_document(
            _encoded(image, "PNG"),
            options=LoadOptions(ocr_engine="tesseract", ocr_language="klingon"),
        )


def test_auto_reads_english_with_the_bundled_engine_even_beside_tesseract():
    assert ocr_engine(LoadOptions()) == "rapidocr"
    assert ocr_engine(LoadOptions(ocr_engine="auto", ocr_language="eng")) == "rapidocr"


def test_auto_falls_back_to_the_bundled_engine_without_tesseract(monkeypatch):
    monkeypatch.setattr(ocr_module.shutil, "which", lambda name: None)
    assert ocr_engine(LoadOptions(ocr_language="deu")) == "rapidocr"


def test_auto_reads_german_with_tesseract_and_keeps_its_accents(tesseract):
    options = LoadOptions(ocr_language="deu")
    assert ocr_engine(options) == "tesseract"
    page = load_document(
        _text_image(["Straße der Einheit 12", "Fälligkeit: 15. März"]), options=options
    ).page(1)
    assert "Straße" in page.text
    assert "März" in page.text


def test_bundled_engine_puts_back_the_spaces_between_words():
    """PP-OCR often runs Latin words together ("Totaldue:$1,234.56"); the words come apart
    where the page has a blank gap between them (without this, about a third come back)."""
    lines = [
        "Invoice number: INV-2024-0815",
        "Total due: $1,234.56",
        "Due date: March 15, 2024",
        "Bank: First National Bank & Trust",
        "Please pay the amount by the due date shown above.",
    ]
    page = load_document(_text_image(lines), options=LoadOptions(ocr_engine="rapidocr")).page(1)
    words = {word.text for word in page.words}
    printed = [word for line in lines for word in line.split()]
    assert sum(word in words for word in printed) / len(printed) >= 0.9, sorted(words)
    assert {"Total", "due:", "$1,234.56", "INV-2024-0815"} <= words


def _text_image(lines: list[str]) -> bytes:
    """Black text in DejaVu Sans (a proportional font) on white, 200 dpi."""
    require_system_part("DejaVu Sans", Path(FONT).exists(), "apt-get install fonts-dejavu-core")
    font = ImageFont.truetype(FONT, 28)
    image = Image.new("L", (1700, 80 + 60 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((60, 40 + 60 * index), line, font=font, fill=0)
    return _encoded(image, "PNG")


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


def _inked_line(chars: list[tuple[str, int, int]], height: int = 40) -> tuple:
    """A gray line image with one ink block per character at its (x0, x1), and the line's
    quad, character quads and scores in RapidOCR's shapes."""
    import numpy

    width = max(x1 for _, _, x1 in chars) + 20
    gray = numpy.full((height, width), 255, dtype=numpy.uint8)
    quads = []
    for _, x0, x1 in chars:
        gray[5 : height - 5, x0:x1] = 0
        quads.append([[x0, 5], [x1, 5], [x1, height - 5], [x0, height - 5]])
    line = [[0, 0], [width, 0], [width, height], [0, height]]
    return gray, line, [c for c, _, _ in chars], quads, [0.9] * len(chars)


def test_dotted_receipt_digits_stay_one_figure_but_words_still_split():
    # A blank run of 0.35 of the line height inside "30.90": a dot-matrix gap, not a space.
    figure = [("3", 10, 30), ("0", 32, 52), (".", 66, 70), ("9", 72, 92), ("0", 94, 114)]
    words = ocr_module._split_words(*_inked_line(figure))
    assert ["".join(char[0] for char in word) for word in words] == ["30.90"]
    # The same gap between letters is a space ("TOTAL DUE" printed without its space char).
    letters = [("A", 10, 30), ("B", 32, 52), ("C", 66, 86), ("D", 88, 108)]
    words = ocr_module._split_words(*_inked_line(letters))
    assert ["".join(char[0] for char in word) for word in words] == ["AB", "CD"]
    # Two figures a column apart, or a date and a time half a character apart, stay apart.
    amounts = [("1", 10, 30), ("2", 32, 52), ("3", 90, 110), ("4", 112, 132)]
    words = ocr_module._split_words(*_inked_line(amounts))
    assert ["".join(char[0] for char in word) for word in words] == ["12", "34"]
    stamp = [("1", 10, 30), ("7", 32, 52), ("1", 64, 84), ("0", 86, 106)]
    words = ocr_module._split_words(*_inked_line(stamp))
    assert ["".join(char[0] for char in word) for word in words] == ["17", "10"]
