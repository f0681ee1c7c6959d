"""Page rendering for the UI and multimodal models."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from extraction.pipeline.documents import UnsupportedDocumentType, render_page


@pytest.fixture(scope="module")
def statement_pdf(corpus) -> bytes:
    """A two-page bank statement on Letter paper."""
    return corpus["statement_signed_us"].path.read_bytes()


@pytest.mark.parametrize(
    ("fmt", "pil_format"), [("png", "PNG"), ("webp", "WEBP"), ("jpeg", "JPEG")]
)
def test_render_page_at_dpi_in_each_format(statement_pdf, fmt, pil_format):
    data = render_page(statement_pdf, 2, 144, fmt)
    image = Image.open(io.BytesIO(data))
    assert image.format == pil_format
    # Letter at 144 dpi: 612 x 792 points * 2.
    assert image.size == (1224, 1584)
    # Not blank: a rendered statement page has dark text pixels.
    assert image.convert("L").getextrema()[0] < 100


def test_render_page_from_a_path_and_bad_arguments(statement_pdf, tmp_path):
    path = tmp_path / "statement.pdf"
    path.write_bytes(statement_pdf)
    assert Image.open(io.BytesIO(render_page(path, 1, 72))).size == (612, 792)
    with pytest.raises(ValueError, match="page 9"):
        render_page(path, 9, 72)
    with pytest.raises(ValueError, match="dpi"):
        render_page(path, 1, 5000)
    with pytest.raises(ValueError, match="format"):
        render_page(path, 1, 72, "bmp")


def test_image_documents_render_and_text_documents_do_not():
    buffer = io.BytesIO()
    Image.new("RGB", (400, 200), "white").save(buffer, "PNG", dpi=(200, 200))
    image = Image.open(io.BytesIO(render_page(buffer.getvalue(), 1, 100, "webp")))
    assert image.size == (200, 100)
    with pytest.raises(UnsupportedDocumentType, match="text/plain"):
        render_page(b"just some text", 1, 72)
