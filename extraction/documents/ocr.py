"""OCR with Tesseract (through pytesseract): scanned PDF pages and images (PNG, JPEG, TIFF,
WEBP, GIF, BMP).

Words come back with boxes in page points and a confidence in [0, 1]. Images become one page
per frame, OCRed lazily on access. Without the ``tesseract`` binary (or its language data),
loading fails with ``OcrUnavailable`` saying how to install it.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
from pathlib import Path
from typing import Any

from extraction.documents.base import (
    CorruptDocument,
    Document,
    DocumentTooLarge,
    OcrUnavailable,
    Page,
)
from extraction.documents.layout import PlacedWord, build_page
from extraction.documents.options import LoadOptions
from extraction.documents.pages import LazyPages

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-{lang} (Debian/Ubuntu)"
LETTER = (612.0, 792.0)
IMAGE_TYPES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
}


@functools.lru_cache(maxsize=8)
def _installed_languages(binary: str) -> frozenset[str]:
    import pytesseract

    return frozenset(pytesseract.get_languages(config=""))


def ensure_tesseract(language: str) -> None:
    """Raise ``OcrUnavailable`` unless Tesseract and every ``+``-joined language are there."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable(
            "This document needs OCR, but Tesseract is not installed. Install it with: "
            + INSTALL_HINT.format(lang=language.split("+")[0])
        )
    try:
        languages = _installed_languages(binary)
    except Exception as exc:  # a broken install is reported the same way as a missing one
        raise OcrUnavailable(f"Tesseract could not be run ({exc}).") from exc
    missing = [lang for lang in language.split("+") if lang not in languages]
    if missing:
        raise OcrUnavailable(
            f"Tesseract has no data for language {missing[0]!r}. Install it with: "
            + INSTALL_HINT.format(lang=missing[0])
        )


def ocr_words(image: Any, points_per_pixel: float, options: LoadOptions) -> list[PlacedWord]:
    """OCR a PIL image; boxes are scaled to points with ``points_per_pixel``.

    Raises ``OcrUnavailable`` and ``DocumentTooLarge`` (when Tesseract times out).
    """
    import pytesseract

    ensure_tesseract(options.ocr_language)
    # Tesseract's OpenMP threads fight each other on small machines: one thread per process
    # measured 2.5 s against 8.6 s for a 200 dpi page on 2 cores. Workers parallelise by job.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        data = pytesseract.image_to_data(
            image.convert("L"),
            lang=options.ocr_language,
            output_type=pytesseract.Output.DICT,
            timeout=options.ocr_timeout_seconds,
        )
    except RuntimeError as exc:  # pytesseract's timeout
        raise DocumentTooLarge(
            f"OCR of a page took longer than {options.ocr_timeout_seconds:g} seconds."
        ) from exc
    words: list[PlacedWord] = []
    for text, conf, left, top, width, height in zip(
        data["text"],
        data["conf"],
        data["left"],
        data["top"],
        data["width"],
        data["height"],
        strict=True,
    ):
        text = text.strip()
        confidence = float(conf)
        if not text or confidence < 0:
            continue
        for part in text.split():
            words.append(
                PlacedWord(
                    part,
                    left * points_per_pixel,
                    top * points_per_pixel,
                    (left + width) * points_per_pixel,
                    (top + height) * points_per_pixel,
                    round(height * points_per_pixel, 2),
                    round(confidence / 100, 4),
                )
            )
    return words


def render_for_ocr(pdf_page: Any, options: LoadOptions) -> tuple[Any, float]:
    """Render a pdfium page (display orientation, grayscale) at the OCR resolution; returns
    the PIL image and its points per pixel. Raises ``OcrUnavailable`` first if needed."""
    ensure_tesseract(options.ocr_language)
    dpi = options.high_resolution_dpi if options.high_resolution else options.ocr_dpi
    bitmap = pdf_page.render(scale=dpi / 72, grayscale=True)
    try:
        return bitmap.to_pil(), 72 / dpi
    finally:
        bitmap.close()


def points_per_pixel(image: Any) -> float:
    """Points per pixel from the image's DPI, or to fit a Letter page when it has none."""
    dpi = image.info.get("dpi")
    try:
        x_dpi = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        x_dpi = 0.0
    if 50 <= x_dpi <= 2400:
        return 72 / x_dpi
    # No usable resolution: assume the image is a full Letter page.
    return min(LETTER[0] / image.width, LETTER[1] / image.height)


def open_image(source: bytes | Path, options: LoadOptions) -> Any:
    """Open (not decode) an image; ``DocumentTooLarge`` past the pixel limit, else
    ``CorruptDocument`` when unreadable."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = options.max_image_pixels
    try:
        image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
        if image.width * image.height > options.max_image_pixels:
            raise DocumentTooLarge(
                f"The image is {image.width}x{image.height} pixels; the limit is "
                f"{options.max_image_pixels:,} pixels."
            )
        return image
    except Image.DecompressionBombError as exc:
        raise DocumentTooLarge(f"The image is too large to process ({exc}).") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CorruptDocument("The image could not be read (it may be truncated).") from exc


def check_frame_pixels(image: Any, options: LoadOptions) -> None:
    """Refuse the current frame past the pixel limit, before it is decoded.

    ``open_image`` checks the first frame only; a TIFF's later frames can be far larger (a
    small file can declare a huge, highly compressed second page).
    """
    if image.width * image.height > options.max_image_pixels:
        raise DocumentTooLarge(
            f"A page of the image is {image.width}x{image.height} pixels; the limit is "
            f"{options.max_image_pixels:,} pixels."
        )


class ImagePages(LazyPages):
    """One page per image frame, OCRed on first access."""

    def __init__(self, source: bytes | Path, frames: int, options: LoadOptions):
        super().__init__(frames)
        self._source = source
        self._options = options

    def load(self, index: int) -> Page:
        from PIL import ImageOps

        image = open_image(self._source, self._options)
        try:
            image.seek(index)
            check_frame_pixels(image, self._options)
            image.load()
        except (OSError, EOFError) as exc:
            raise CorruptDocument("The image could not be read (it may be truncated).") from exc
        image = ImageOps.exif_transpose(image)
        scale = points_per_pixel(image)
        width, height = image.width * scale, image.height * scale
        if self._options.high_resolution and scale > 72 / 300:
            # Upscale low-resolution images towards 300 dpi (at most 2x): small text OCRs
            # markedly better.
            factor = min(scale * 300 / 72, 2.0)
            image = image.resize((int(image.width * factor), int(image.height * factor)))
            scale /= factor
        words = ocr_words(image, scale, self._options)
        return build_page(index + 1, width, height, words, ocr=True)


def load_image(source: bytes | Path, options: LoadOptions) -> Document:
    """An image document: one page per frame (TIFF may hold several).

    Checks Tesseract and decodes the first frame now, so missing OCR, bombs and truncated files
    fail at load time (``OcrUnavailable``, ``DocumentTooLarge``, ``CorruptDocument``).
    """
    ensure_tesseract(options.ocr_language)
    image = open_image(source, options)
    try:
        image.load()
    except (OSError, EOFError) as exc:
        raise CorruptDocument("The image could not be read (it may be truncated).") from exc
    frames = getattr(image, "n_frames", 1)
    media_type = IMAGE_TYPES.get(image.format or "", "image/" + (image.format or "unknown").lower())
    if frames > options.max_pages:
        raise DocumentTooLarge(f"The image has {frames} frames; the limit is {options.max_pages}.")
    try:
        for index in range(1, frames):  # reads each frame's header, decodes nothing
            image.seek(index)
            check_frame_pixels(image, options)
        image.seek(0)
    except (OSError, EOFError) as exc:
        raise CorruptDocument("The image could not be read (it may be truncated).") from exc
    pages = ImagePages(source, frames, options)
    metadata = {"ocr": True, "image_size": [image.width, image.height], "frames": frames}
    return Document(media_type=media_type, pages=pages, metadata=metadata)
