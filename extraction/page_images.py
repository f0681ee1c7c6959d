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

from extraction.documents import DocumentError, render_page
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
