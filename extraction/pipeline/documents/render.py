"""Page images for the web UI and multimodal models, rendered with pypdfium2.

``render_page`` is pure (bytes or path in, encoded image out); callers cache by file, page and
DPI. Most of a render's time is image encoding, so PNG uses a fast compression level and WebP
its fastest method (numbers in BENCHMARKS.md). Image documents are re-encoded as they are.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from extraction.pipeline.documents import detect
from extraction.pipeline.documents.base import (
    DocumentError,
    DocumentTooLarge,
    UnsupportedDocumentType,
)
from extraction.pipeline.documents.pdf import PDFIUM_LOCK, open_pdfium

if TYPE_CHECKING:
    from pathlib import Path

    from PIL import Image

FORMATS = {"png": "PNG", "webp": "WEBP", "jpeg": "JPEG", "jpg": "JPEG"}
MIN_DPI, MAX_DPI = 18, 600
MAX_PIXELS = 60_000_000
PNG_COMPRESS_LEVEL = 1
WEBP_METHOD = 0


def encode_image(image: Image.Image, fmt: str, quality: int = 80) -> bytes:
    """Encode a PIL image as ``png``, ``webp`` or ``jpeg`` with the fast settings above."""
    kind = FORMATS.get(fmt.lower())
    if kind is None:
        raise ValueError(f"unsupported image format {fmt!r}; use png, webp or jpeg")
    buffer = io.BytesIO()
    if kind == "PNG":
        image.save(buffer, kind, compress_level=PNG_COMPRESS_LEVEL)
    elif kind == "WEBP":
        image.save(buffer, kind, quality=quality, method=WEBP_METHOD)
    else:
        image.convert("RGB").save(buffer, kind, quality=quality)
    return buffer.getvalue()


def render_page(
    source: bytes | Path,
    page_number: int,
    dpi: int,
    fmt: str = "png",
    *,
    quality: int = 80,
) -> bytes:
    """Render 1-based ``page_number`` of a PDF (or an image document's frame) at ``dpi``.

    Raises ``ValueError`` for a bad format, DPI or page number, ``UnsupportedDocumentType``
    for formats without page images, ``DocumentTooLarge`` past ``MAX_PIXELS`` and the
    loaders' errors (``PasswordProtected``, ``CorruptDocument``).
    """
    if fmt.lower() not in FORMATS:
        raise ValueError(f"unsupported image format {fmt!r}; use png, webp or jpeg")
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise ValueError(f"dpi must be between {MIN_DPI} and {MAX_DPI}")
    media_type = detect.detect_type(source)
    if media_type in (detect.PNG, detect.JPEG, detect.TIFF, detect.WEBP, detect.GIF, detect.BMP):
        return _render_image(source, page_number, dpi, fmt, quality)
    if media_type != detect.PDF:
        raise UnsupportedDocumentType(f"Page images are not available for {media_type} files.")
    pdf = open_pdfium(source)
    try:
        with PDFIUM_LOCK:
            count = len(pdf)
            if not 1 <= page_number <= count:
                raise ValueError(f"page {page_number} is not in the document (1-{count})")
            page = pdf[page_number - 1]
            try:
                width, height = page.get_size()
                scale = dpi / 72
                if width * scale * height * scale > MAX_PIXELS:
                    raise DocumentTooLarge(
                        f"Page {page_number} is too large to render at {dpi} dpi."
                    )
                bitmap = page.render(scale=scale)
                try:
                    image = bitmap.to_pil()
                finally:
                    bitmap.close()
            finally:
                page.close()
    finally:
        with PDFIUM_LOCK:
            pdf.close()
    # Encoding (most of the time) happens outside the lock.
    return encode_image(image, fmt, quality)


def _render_image(
    source: bytes | Path, page_number: int, dpi: int, fmt: str, quality: int
) -> bytes:
    from PIL import Image, ImageOps

    from extraction.pipeline.documents.images import (
        check_frame_pixels,
        open_image,
        points_per_pixel,
    )
    from extraction.pipeline.documents.options import LoadOptions

    options = LoadOptions()
    image = open_image(source, options)
    frames = getattr(image, "n_frames", 1)
    if not 1 <= page_number <= frames:
        raise ValueError(f"page {page_number} is not in the document (1-{frames})")
    try:
        image.seek(page_number - 1)
        check_frame_pixels(image, options)  # this frame's size, before decoding it
        image = ImageOps.exif_transpose(image)
    except (OSError, EOFError) as exc:
        raise DocumentError("The image could not be read (it may be truncated).") from exc
    factor = points_per_pixel(image) * dpi / 72
    size = (max(int(image.width * factor), 1), max(int(image.height * factor), 1))
    if size[0] * size[1] > MAX_PIXELS:
        raise DocumentTooLarge(f"The image is too large to render at {dpi} dpi.")
    if size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGB")
    return encode_image(image, fmt, quality)
