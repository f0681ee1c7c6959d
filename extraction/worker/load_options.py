"""``LoadOptions`` from the deployment's settings: page, time and OCR limits for every load."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from extraction.pipeline.documents import LoadOptions


def load_options_from_settings(**overrides: Any) -> LoadOptions:
    """The options every document load of this installation uses, with ``overrides`` applied."""
    values: dict[str, Any] = {
        "max_pages": settings.MAX_DOCUMENT_PAGES,
        "timeout_seconds": float(settings.PARSE_TIMEOUT_SECONDS),
        "ocr_engine": settings.OCR_ENGINE,
        "ocr_language": settings.OCR_LANGUAGE,
    }
    return LoadOptions(**{**values, **overrides})
