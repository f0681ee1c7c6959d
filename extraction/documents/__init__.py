"""STEP 1: bytes -> ``Document``. Plain Python: no Django, no HTTP.

Entry points: ``load_document`` (uploaded bytes or a path), ``load_text`` (inline text),
``select_pages`` (``page_range`` spans) and ``render_page`` (page images).
"""

from extraction.documents.base import (
    Box,
    CorruptDocument,
    Document,
    DocumentError,
    DocumentTooLarge,
    Line,
    OcrUnavailable,
    Page,
    PasswordProtected,
    UnsupportedDocumentType,
    Word,
)
from extraction.documents.loading import load_document, load_text, register_loader
from extraction.documents.options import LoadOptions
from extraction.documents.render import render_page
from extraction.documents.selection import select_pages

__all__ = [
    "Box",
    "CorruptDocument",
    "Document",
    "DocumentError",
    "DocumentTooLarge",
    "LoadOptions",
    "Line",
    "OcrUnavailable",
    "Page",
    "PasswordProtected",
    "UnsupportedDocumentType",
    "Word",
    "load_document",
    "load_text",
    "register_loader",
    "render_page",
    "select_pages",
]
