"""Schema suggestions: a proposed ``data_schema`` from a prompt and/or a stored file.

The configured model proposes one when there is a model; otherwise (or when it fails) the
offline proposal (``pipeline.schema_proposal``) reads the document's labels and tables. The
file is read in a limited child process (``untrusted``): this runs in the web server.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings

from extraction.pipeline.documents.base import DocumentError
from extraction.pipeline.engines.base import EngineError
from extraction.pipeline.engines.registry import ModelRegistry, model_registry_from_settings
from extraction.pipeline.schema_proposal import llm_messages, schema_from_reply, schema_propose
from extraction.pipeline.schemas import SchemaError
from extraction.services.errors import ServiceBusy, ServiceError
from extraction.services.requests import data_schema_clean
from extraction.untrusted.reader import PreviewBusy, document_text_isolated

if TYPE_CHECKING:
    from extraction.models import SourceFile

logger = logging.getLogger(__name__)

# A schema is proposed from the start of a document: enough to see its labels and tables.
SCHEMA_SOURCE_PAGES = 20
SCHEMA_SOURCE_CHARS = 200_000


def schema_generate(
    *,
    prompt: str | None = None,
    source: SourceFile | None = None,
    text: str | None = None,
    data_schema: Any = None,
) -> dict[str, Any]:
    """Propose a data_schema from a prompt, a stored file or pasted text, and/or a schema to
    extend (see ``pipeline.schema_proposal``).

    Raises ``ServiceError`` (nothing to go on, unreadable file), ``ServiceBusy`` (every reader
    of this process is busy) or ``SchemaError``.
    """
    if not prompt and source is None and not text and data_schema is None:
        raise ServiceError("Provide a prompt, a file_id or a data_schema.")
    base = data_schema_clean(data_schema=data_schema) if data_schema is not None else None
    text = text[:SCHEMA_SOURCE_CHARS] if text else None
    if source is not None:
        with source.content.open("rb") as handle:
            content = handle.read()
        try:
            # Read in a limited child process: this runs in the web server, on a user's file.
            text = document_text_isolated(
                content,
                declared_type=source.mime_type,
                file_name=source.name,
                pages=SCHEMA_SOURCE_PAGES,
                max_chars=SCHEMA_SOURCE_CHARS,
            )
        except PreviewBusy as exc:
            raise ServiceBusy(str(exc)) from None
        except DocumentError as exc:
            raise ServiceError(f"The file could not be read: {exc}") from None
    registry = model_registry_from_settings(settings)
    if registry.has_llm:
        proposed = _schema_from_llm(registry=registry, prompt=prompt, text=text, data_schema=base)
        if proposed is not None:
            return proposed
    try:
        proposed = schema_propose(prompt=prompt, text=text, data_schema=base)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    return data_schema_clean(data_schema=proposed)


def _schema_from_llm(
    *,
    registry: ModelRegistry,
    prompt: str | None,
    text: str | None,
    data_schema: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """Ask the configured model; None (fall back to the offline proposal) when it fails or
    answers something that is not a valid schema."""
    from extraction.pipeline.engines.openai.client import complete  # the openai SDK is heavy

    endpoint = registry.tier("default")
    if endpoint is None:
        return None
    try:
        reply = complete(
            endpoint,
            messages=llm_messages(prompt=prompt, text=text, data_schema=data_schema),
            response_format={"type": "json_object"},
            retry=registry.retry,
            worker_limit=registry.max_concurrency_per_worker,
        )
        schema = schema_from_reply(reply.content)
        if data_schema:
            schema["properties"] = {**schema["properties"], **data_schema.get("properties", {})}
        return data_schema_clean(data_schema=schema)
    except (EngineError, SchemaError, ValueError) as exc:
        logger.warning(
            "schema generation by %s failed; using the offline proposal: %s",
            endpoint.name,
            exc,
        )
        return None
