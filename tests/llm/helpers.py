"""Hand-made documents and engine settings shared by the LLM tests."""

from __future__ import annotations

from extraction.pipeline.documents.base import Document, Page
from extraction.pipeline.engines.base import ModelEndpoint
from extraction.pipeline.engines.registry import ModelRegistry, RetryPolicy

FAST_RETRY = RetryPolicy(max_retries=2, base_delay=0.001, max_delay=0.005, max_retry_after=2.0)

INVOICE_SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "The invoice number."},
        "total": {"type": "number"},
        "issue_date": {"type": ["string", "null"], "format": "date"},
    },
    "required": ["invoice_number", "total"],
}

ROW_SCHEMA = {
    "type": "object",
    "properties": {"sku": {"type": "string"}, "price": {"type": "number"}},
    "required": ["sku", "price"],
    "additionalProperties": False,
}


def document(*texts: str) -> Document:
    pages = [
        Page(number=index, width=612, height=792, text=text)
        for index, text in enumerate(texts, start=1)
    ]
    return Document(media_type="text/plain", pages=pages)


def endpoint(base_url: str, **overrides) -> ModelEndpoint:
    values = {
        "name": "test-model",
        "base_url": base_url,
        "api_key": "sk-test",
        "model": "test-model",
        "timeout_seconds": 5.0,
    }
    return ModelEndpoint(**{**values, **overrides})


def registry(base_url: str, **overrides) -> ModelRegistry:
    values = {
        "endpoints": (endpoint(base_url),),
        "default_model": "test-model",
        "retry": FAST_RETRY,
    }
    return ModelRegistry(**{**values, **overrides})
