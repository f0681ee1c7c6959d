"""STEP 1: bytes -> ``Document``. Plain Python: no Django, no HTTP.

Entry points: ``load_document`` (uploaded bytes or a path), ``load_text`` (inline text),
``select_pages`` (``page_range`` spans) and ``render_page`` (page images).

What every loader guarantees, whatever the format:
- ``Page.text`` is the page in reading order: words joined by one space, visual lines by
  ``"\n"`` (two-column text and left sidebars are read column by column). Table cells are
  not marked in the text; their words keep exact x positions, so columns line up by ``box.x``.
- ``Page.lines[i].text == Page.text.split("\n")[i]``; each line has its box and the font size
  most of its characters use. ``Word.start``/``end`` index ``Page.text``.
- Boxes are PDF points, top-left origin, on the page as displayed (``/Rotate`` applied).
  Non-PDF formats get synthetic Letter-width pages on a monospaced grid (taller when needed).
- ``Document.pages`` may be lazy: pages are built on access and a few are cached; call
  ``Document.close()`` (or use ``with``) to release an open PDF early.
- ``metadata``: ``detected_type``, ``declared_type``, ``file_name``; PDFs add ``info``,
  ``has_form_fields`` and ``ocr_pages``; images and text formats ``ocr``. OCR words carry a
  ``confidence`` in [0, 1] and their page has ``ocr=True``.
- Errors are ``DocumentError`` subclasses with a message meant for the user.
"""

from extraction.pipeline.documents.base import (
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
from extraction.pipeline.documents.loading import load_document, load_text, register_loader
from extraction.pipeline.documents.options import LoadOptions
from extraction.pipeline.documents.render import render_page
from extraction.pipeline.documents.selection import select_pages

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
