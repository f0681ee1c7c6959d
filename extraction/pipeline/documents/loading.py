"""``load_document``: detect the type from content and dispatch to the registered loader.

Loaders are registered by media type as ``"module:function"`` strings so heavy libraries
(pypdfium2, pytesseract, python-docx, openpyxl, lxml) are imported only when a document of
that type arrives. A loader takes ``(source: bytes | Path, options: LoadOptions)`` and returns
a ``Document``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from extraction.pipeline.documents import detect
from extraction.pipeline.documents.base import CorruptDocument, Document, UnsupportedDocumentType
from extraction.pipeline.documents.options import LoadOptions

Loader = Callable[[bytes | Path, LoadOptions], Document]

_LOADERS: dict[str, str | Loader] = {
    detect.PDF: "extraction.pipeline.documents.pdf:load_pdf",
    detect.PNG: "extraction.pipeline.documents.images:load_image",
    detect.JPEG: "extraction.pipeline.documents.images:load_image",
    detect.TIFF: "extraction.pipeline.documents.images:load_image",
    detect.WEBP: "extraction.pipeline.documents.images:load_image",
    detect.GIF: "extraction.pipeline.documents.images:load_image",
    detect.BMP: "extraction.pipeline.documents.images:load_image",
    detect.DOCX: "extraction.pipeline.documents.office:load_docx",
    detect.XLSX: "extraction.pipeline.documents.office:load_xlsx",
    detect.HTML: "extraction.pipeline.documents.html:load_html",
    detect.MARKDOWN: "extraction.pipeline.documents.text:load_markdown",
    detect.TEXT: "extraction.pipeline.documents.text:load_plain_text",
    detect.JSON: "extraction.pipeline.documents.text:load_json",
    detect.CSV: "extraction.pipeline.documents.text:load_csv",
}


def register_loader(media_type: str, loader: str | Loader) -> None:
    """Register (or replace) the loader for ``media_type``: a callable or ``"module:func"``."""
    _LOADERS[media_type] = loader


def supported_types() -> list[str]:
    """The media types a loader is registered for."""
    return sorted(_LOADERS)


def _resolve(media_type: str) -> Loader:
    entry = _LOADERS.get(media_type)
    if entry is None:
        supported = "PDF, PNG, JPEG, TIFF, WEBP, DOCX, XLSX, HTML, Markdown, text, JSON, CSV"
        raise UnsupportedDocumentType(
            f"Unsupported document type: {media_type}. Supported: {supported}."
        )
    if isinstance(entry, str):
        module_name, _, attribute = entry.partition(":")
        entry = getattr(importlib.import_module(module_name), attribute)
        _LOADERS[media_type] = entry
    return entry


def load_document(
    source: bytes | Path | str,
    *,
    declared_type: str | None = None,
    file_name: str | None = None,
    options: LoadOptions | None = None,
) -> Document:
    """Load ``source`` (bytes or a file path, a ``Path`` or a string) into a ``Document``.

    The type is detected from the content; ``declared_type`` and ``file_name`` only break ties
    between text formats. ``metadata["detected_type"]`` and ``metadata["declared_type"]`` are
    set. Raises ``UnsupportedDocumentType`` (naming the type), ``CorruptDocument`` (empty,
    truncated), ``PasswordProtected``, ``DocumentTooLarge`` or ``OcrUnavailable`` — all
    ``DocumentError`` subclasses with a message fit for the user.
    """
    options = options or LoadOptions()
    if isinstance(source, str):
        source = Path(source)
    if isinstance(source, Path) and not source.is_file():
        raise CorruptDocument(f"The file {source.name!r} does not exist.")
    if file_name is None and isinstance(source, Path):
        file_name = source.name
    media_type = detect.detect_type(source, declared_type=declared_type, file_name=file_name)
    document = _resolve(media_type)(source, options)
    document.metadata.setdefault("detected_type", media_type)
    document.metadata["declared_type"] = declared_type
    document.metadata.setdefault("file_name", file_name)
    return document


def load_text(text: str, *, options: LoadOptions | None = None) -> Document:
    """Inline text (the API's ``text`` input) as a plain-text ``Document``; raises
    ``CorruptDocument`` when it is empty and ``DocumentTooLarge`` past ``max_pages``."""
    from extraction.pipeline.documents.text import text_document

    if not text.strip():
        raise CorruptDocument("The text is empty.")
    return text_document(text, options or LoadOptions(), media_type=detect.TEXT)
