"""Page previews for the citation viewer.

PDFs and images are shown as page images, rendered once per file, page and DPI and cached on
disk (rendering is the documents step's ``render_page``; the PNGs live under
``extraction.storage``). Text formats (plain text, Markdown, HTML, CSV, DOCX,
XLSX…) are shown as the text of their pages, which is what citation offsets count in.

The files are untrusted and this runs in the web process, so the reading itself happens in a
limited child process (``extraction.untrusted.reader``). A file that fails there (too slow, too big,
broken) leaves a ``.failed`` marker beside the cache, so it is not read again on every request.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from extraction.pipeline.documents import DocumentError
from extraction.storage import derived_files_dir
from extraction.untrusted.reader import PreviewBusy, page_texts_isolated, render_page_isolated

if TYPE_CHECKING:
    from extraction.models import SourceFile

logger = logging.getLogger(__name__)

DEFAULT_DPI = 110
ALLOWED_DPI = (72, 110, 150, 200)
MAX_PAGES_SHOWN = 30
# Text previews are read in the web process (once per file, then cached): small files only.
MAX_TEXT_PREVIEW_BYTES = 2 * 1024 * 1024
MAX_TEXT_PREVIEW_PAGES = 500
RENDERABLE_TYPES = ("application/pdf",)


def can_render(mime_type: str) -> bool:
    """Whether pages of this type can be shown as images (PDFs and images)."""
    return mime_type in RENDERABLE_TYPES or mime_type.startswith("image/")


def page_png(*, source: SourceFile, page: int, dpi: int = DEFAULT_DPI) -> bytes | None:
    """PNG bytes of ``page`` (1-based) of ``source``; None when it cannot be rendered."""
    if page < 1 or not can_render(source.mime_type):
        return None
    dpi = dpi if dpi in ALLOWED_DPI else DEFAULT_DPI
    folder = derived_files_dir(str(source.id))
    cached = folder / f"{page}-{dpi}.png"
    failed = folder / f"{page}-{dpi}.failed"
    if cached.exists():
        return cached.read_bytes()
    if failed.exists():
        return None
    try:
        with source.content.open("rb") as handle:
            content = handle.read()
        image = render_page_isolated(content, page, dpi)
    except PreviewBusy:
        raise  # not the file's fault: no marker
    except (DocumentError, ValueError, OSError) as exc:  # an undrawable page is a missing image
        logger.warning("could not render page %s of file %s: %s", page, source.id, exc)
        _write_atomically(failed, str(exc).encode())
        return None
    _write_atomically(cached, image)
    return image


def _write_atomically(path: Path, content: bytes) -> None:
    """Write then rename, so a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    Path(temp_name).replace(path)


def page_texts(*, source: SourceFile) -> dict[int, str] | None:
    """Page number -> text of a text-format file (up to ``MAX_TEXT_PREVIEW_PAGES`` pages),
    read once and cached; None for PDFs and images (shown as images), large files, and files
    that cannot be read."""
    if can_render(source.mime_type) or source.size > MAX_TEXT_PREVIEW_BYTES:
        return None
    cached = derived_files_dir(str(source.id)) / "text.json"
    failed = cached.with_suffix(".failed")
    if cached.exists():
        with contextlib.suppress(OSError, ValueError):
            return {int(number): text for number, text in json.loads(cached.read_bytes()).items()}
    if failed.exists():
        return None
    try:
        with source.content.open("rb") as handle:
            content = handle.read()
        texts = page_texts_isolated(
            content,
            declared_type=source.mime_type,
            file_name=source.name,
            pages=MAX_TEXT_PREVIEW_PAGES,
        )
    except PreviewBusy:
        return None  # shown without the text this time; read on a later visit
    except (DocumentError, ValueError, OSError) as exc:
        logger.warning("could not read the text of file %s: %s", source.id, exc)
        _write_atomically(failed, str(exc).encode())
        return None
    _write_atomically(cached, json.dumps(texts, ensure_ascii=False).encode())
    return texts
