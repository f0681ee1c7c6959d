"""Page images for the citation viewer, rendered once per file, page and DPI and cached on disk.

Rendering is the documents step's ``render_page``; this module only decides what may be
rendered and keeps the PNGs under ``settings.DATA_DIR / "renders"``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from extraction.models import SourceFile

logger = logging.getLogger(__name__)

DEFAULT_DPI = 110
ALLOWED_DPI = (72, 110, 150, 200)
MAX_PAGES_SHOWN = 30
RENDERABLE_TYPES = ("application/pdf",)


def can_render(mime_type: str) -> bool:
    """Whether pages of this type can be shown as images (PDFs and images)."""
    return mime_type in RENDERABLE_TYPES or mime_type.startswith("image/")


def _cache_dir(file_id: str) -> Path:
    return Path(settings.DATA_DIR) / "renders" / file_id


def _render(content: bytes, page: int, dpi: int) -> bytes:
    try:
        from extraction.documents import render_page
    except ImportError:  # the documents step has not shipped rendering yet
        render_page = _render_pdf_page
    return render_page(content, page, dpi, "png")


def _render_pdf_page(content: bytes, page: int, dpi: int, fmt: str) -> bytes:
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    try:
        if not 1 <= page <= len(document):
            raise ValueError(f"page {page} is out of range")
        image = document[page - 1].render(scale=dpi / 72).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format=fmt.upper())
        return buffer.getvalue()
    finally:
        document.close()


def page_png(*, source: SourceFile, page: int, dpi: int = DEFAULT_DPI) -> bytes | None:
    """PNG bytes of ``page`` (1-based) of ``source``; None when it cannot be rendered."""
    if page < 1 or not can_render(source.mime_type):
        return None
    dpi = dpi if dpi in ALLOWED_DPI else DEFAULT_DPI
    folder = _cache_dir(str(source.id))
    cached = folder / f"{page}-{dpi}.png"
    if cached.exists():
        return cached.read_bytes()
    try:
        with source.content.open("rb") as handle:
            content = handle.read()
        image = _render(content, page, dpi)
    except Exception:  # a page we cannot draw is a missing image, not a server error
        logger.warning("could not render page %s of file %s", page, source.id, exc_info=True)
        return None
    folder.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a concurrent reader never sees half a file.
    handle, temp_name = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(image)
    os.replace(temp_name, cached)
    return image


def forget(*, file_id: str) -> None:
    """Drop the cached renders of a deleted file."""
    shutil.rmtree(_cache_dir(file_id), ignore_errors=True)
