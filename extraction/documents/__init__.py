"""STEP 1: bytes -> ``Document``. Plain Python: no Django, no HTTP."""

from extraction.documents.base import Box, Document, DocumentError, Line, Page, Word

__all__ = ["Box", "Document", "DocumentError", "Line", "Page", "Word"]
