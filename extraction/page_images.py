"""Page previews for the citation viewer.

PDFs and images are shown as page images, rendered once per file, page and DPI and cached on
disk (rendering is the documents step's ``render_page``; the PNGs live under
``settings.DATA_DIR / "renders"``). Text formats (plain text, Markdown, HTML, CSV, DOCX,
XLSX…) are shown as the text of their pages, which is what citation offsets count in.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from extraction.documents import DocumentError, LoadOptions, load_document, render_page
from extraction.models import SourceFile

logger = logging.getLogger(__name__)

DEFAULT_DPI = 110
ALLOWED_DPI = (72, 110, 150, 200)
MAX_PAGES_SHOWN = 30
# Text previews are read from the stored file on each view: only for files up to this size.
MAX_TEXT_PREVIEW_BYTES = 5 * 1024 * 1024
RENDERABLE_TYPES = ("application/pdf",)


def can_render(mime_type: str) -> bool:
    """Whether pages of this type can be shown as images (PDFs and images)."""
    return mime_type in RENDERABLE_TYPES or mime_type.startswith("image/")


def _cache_dir(file_id: str) -> Path:
    return Path(settings.DATA_DIR) / "renders" / file_id


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
        image = render_page(content, page, dpi, "png")
    except (DocumentError, ValueError, OSError):  # an undrawable page is a missing image
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


def page_texts(*, source: SourceFile) -> list[tuple[int, str]] | None:
    """``(page number, text)`` of the first ``MAX_PAGES_SHOWN`` pages of a text-format file;
    None for PDFs and images (shown as images), large files, and files that cannot be read."""
    if can_render(source.mime_type) or source.size > MAX_TEXT_PREVIEW_BYTES:
        return None
    try:
        with source.content.open("rb") as handle:
            content = handle.read()
        document = load_document(
            content,
            declared_type=source.mime_type,
            file_name=source.name,
            options=LoadOptions(max_pages=settings.MAX_DOCUMENT_PAGES, timeout_seconds=10.0),
        )
        numbers = range(1, min(document.page_count, MAX_PAGES_SHOWN) + 1)
        return [(page.number, page.text) for page in document.iter_pages(numbers)]
    except (DocumentError, ValueError, OSError):
        logger.warning("could not read the text of file %s", source.id, exc_info=True)
        return None
