"""Image documents (PNG, JPEG, TIFF, WEBP, GIF, BMP): one page per frame, OCRed on access.

Page size comes from the image's DPI (or a Letter page when it has none); words come from the
OCR engine the options choose (``extraction.pipeline.documents.ocr``) with boxes in page points.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from extraction.pipeline.documents.base import CorruptDocument, Document, DocumentTooLarge, Page
from extraction.pipeline.documents.layout import build_page
from extraction.pipeline.documents.ocr import ensure_ocr, ocr_words
from extraction.pipeline.documents.pages import LazyPages

if TYPE_CHECKING:  # Pillow is imported when an image is opened
    from pathlib import Path

    from PIL import Image

    from extraction.pipeline.documents.options import LoadOptions

LETTER = (612.0, 792.0)
IMAGE_TYPES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
}


def points_per_pixel(image: Image.Image) -> float:
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


def open_image(source: bytes | Path, options: LoadOptions) -> Image.Image:
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


def check_frame_pixels(image: Image.Image, options: LoadOptions) -> None:
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

    def __init__(self, source: bytes | Path, frames: int, options: LoadOptions) -> None:
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

    Checks the OCR engine and decodes the first frame now, so missing OCR, bombs and truncated
    files fail at load time (``OcrUnavailable``, ``DocumentTooLarge``, ``CorruptDocument``).
    """
    ensure_ocr(options)
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
