"""``LoadOptions``: the knobs of one document load, passed down to every loader."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadOptions:
    """How to load a document.

    ``high_resolution`` renders scanned pages at ``high_resolution_dpi`` instead of ``ocr_dpi``
    for OCR. ``max_pages`` is enforced at load time (``DocumentTooLarge``);
    ``timeout_seconds`` bounds the whole parse and is checked between pages, and
    ``ocr_timeout_seconds`` bounds one Tesseract call. ``ocr_engine`` is ``auto``, ``rapidocr``
    or ``tesseract`` and ``ocr_language`` Tesseract's ``+``-joined codes (see ``ocr``).
    ``max_image_pixels`` guards against decompression bombs in images. ``text_page_lines`` and
    ``text_page_chars`` size the pseudo-pages that long text is split into: large enough that an
    ordinary text, HTML or CSV file is one page (as a user would count it), small enough for
    page-based options to bite on long ones.
    """

    high_resolution: bool = False
    max_pages: int = 1000
    ocr_engine: str = "auto"
    ocr_language: str = "eng"
    ocr_dpi: int = 200
    high_resolution_dpi: int = 300
    timeout_seconds: float = 300.0
    ocr_timeout_seconds: float = 60.0
    max_image_pixels: int = 100_000_000
    text_page_lines: int = 300
    text_page_chars: int = 30_000
