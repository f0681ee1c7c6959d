"""Intake: requests from the API and the web UI turned into stored files, jobs and schemas.

Uploads get their type from their content, stateless runs go through the project's default
agent, batches are all-or-nothing, and nothing is stored when a check fails. The lower-level
writes (``file_store``, ``job_submit``, the ``*_clean`` checks) are in ``services``.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import Project
from extraction.models import ExtractionAgent, ExtractionJob, SourceFile
from extraction.pipeline.documents.base import DocumentError, UnsupportedDocumentType
from extraction.pipeline.documents.detect import EXTENSIONS, detect_type
from extraction.pipeline.engines.registry import model_registry_from_settings
from extraction.services import (
    ServiceBusy,
    ServiceError,
    agent_get_or_create_default,
    config_clean,
    data_schema_clean,
    file_store,
    job_submit,
    safe_file_name,
    webhook_configurations_clean,
)

logger = logging.getLogger(__name__)

# A schema is proposed from the start of a document: enough to see its labels and tables.
SCHEMA_SOURCE_PAGES = 20
SCHEMA_SOURCE_CHARS = 200_000


def file_decode_base64(*, data: Any) -> bytes:
    """Decode the stateless API's ``file.data``; raises ``ServiceError`` when it is not base64."""
    if not isinstance(data, str):
        raise ServiceError("file.data must be a base64-encoded string.")
    try:
        content = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ServiceError("file.data is not valid base64.") from None
    if not content:
        raise ServiceError("file.data is empty.")
    return content


def file_sniff_type(*, content: bytes, name: str, declared_type: str) -> str:
    """The media type judged from the bytes; the declared type when they say nothing usable."""
    declared = (declared_type or "").split(";")[0].strip().lower()
    try:
        return detect_type(
            content,
            declared_type=None if declared == "application/octet-stream" else declared or None,
            file_name=name,
        )
    except UnsupportedDocumentType:
        return "application/octet-stream"  # the bytes contradict any declared type
    except DocumentError:
        return declared or "application/octet-stream"


def file_upload(
    *,
    project: Project,
    content: bytes,
    name: str,
    declared_type: str,
    purpose: str = SourceFile.Purpose.EXTRACT,
    external_file_id: str = "",
) -> SourceFile:
    """Store an upload with its type detected from the content; raises ``ServiceError``.

    A nameless upload (``upload``, as SDKs send raw bytes) gets an extension for its type, so
    ``file_type`` reads ``pdf`` rather than nothing.
    """
    if purpose not in SourceFile.Purpose.values:
        raise ServiceError(f"purpose must be one of {', '.join(SourceFile.Purpose.values)}.")
    mime_type = file_sniff_type(content=content, name=name, declared_type=declared_type)
    name = safe_file_name(name)
    if "." not in name:
        extension = next((ext for ext, kind in EXTENSIONS.items() if kind == mime_type), None)
        extension = extension or "." + mime_type.rsplit("/", 1)[-1].split("+")[0][:10]
        if mime_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
            extension = ".docx"
        elif mime_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
            extension = ".xlsx"
        name = f"{name}{extension}"
    return file_store(
        project=project,
        content=content,
        name=name,
        mime_type=mime_type,
        purpose=purpose,
        external_file_id=external_file_id,
    )


# --- Stateless runs and batches ----------------------------------------------------------------


def extraction_run_stateless(
    *,
    project: Project,
    data_schema: Any,
    config: Any,
    text: str | None = None,
    file_data: str | None = None,
    file_mime_type: str | None = None,
    source: SourceFile | None = None,
    webhook_configurations: Any = None,
) -> ExtractionJob:
    """Run one document through the project's hidden default agent.

    Exactly one of ``text``, ``file_data`` (base64) or ``source`` must be given. Everything is
    validated before anything is stored; raises ``ServiceError``, ``SchemaError`` or
    ``ConfigError``.
    """
    given = [
        label
        for label, value in (("text", text), ("file", file_data), ("file_id", source))
        if value is not None
    ]
    if len(given) != 1:
        raise ServiceError(
            "Provide exactly one of text, file or file_id"
            + (f" (got {', '.join(given)})." if given else ".")
        )
    if text is not None and not isinstance(text, str):
        raise ServiceError("text must be a string.")
    if text is not None and not text.strip():
        raise ServiceError("text is empty.")
    data_schema = data_schema_clean(data_schema=data_schema)
    config = config_clean(config=config if config is not None else {})
    webhook_configurations_clean(webhook_configurations=webhook_configurations)
    content = file_decode_base64(data=file_data) if file_data is not None else None
    agent = agent_get_or_create_default(project=project)
    if content is not None:
        return job_submit_upload(
            project=project,
            agent=agent,
            content=content,
            name="document",
            declared_type=file_mime_type or "application/octet-stream",
            data_schema=data_schema,
            config=config,
            webhook_configurations=webhook_configurations,
        )
    return job_submit(
        project=project,
        agent=agent,
        source=source,
        text=text,
        data_schema=data_schema,
        config=config,
        webhook_configurations=webhook_configurations,
    )


def job_submit_upload(
    *,
    project: Project,
    agent: ExtractionAgent,
    content: bytes,
    name: str,
    declared_type: str,
    data_schema: Any = None,
    config: Any = None,
    priority: str | None = None,
    webhook_configurations: Any = None,
) -> ExtractionJob:
    """Store an upload and run ``agent`` on it; everything is checked before the file is kept.

    Raises ``ServiceError``, ``SchemaError`` or ``ConfigError``.
    """
    data_schema_clean(data_schema=data_schema if data_schema is not None else agent.data_schema)
    config_clean(config=config if config is not None else agent.config)
    webhook_configurations_clean(webhook_configurations=webhook_configurations)
    stored: SourceFile | None = None
    try:
        with transaction.atomic():
            stored = file_upload(
                project=project, content=content, name=name, declared_type=declared_type
            )
            return job_submit(
                project=project,
                agent=agent,
                source=stored,
                data_schema=data_schema,
                config=config,
                priority=priority,
                webhook_configurations=webhook_configurations,
            )
    except Exception:
        # The rows rolled back; the bytes in storage must go too ("nothing stored").
        if stored is not None:
            stored.content.delete(save=False)
        raise


def job_submit_batch(
    *,
    project: Project,
    agent: ExtractionAgent,
    sources: list[SourceFile],
    data_schema: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    priority: str | None = None,
    webhook_configurations: list[dict[str, Any]] | None = None,
) -> list[ExtractionJob]:
    """One job per file, all or none; raises like ``job_submit``."""
    if not sources:
        raise ServiceError("file_ids must list at least one file.")
    with transaction.atomic():
        return [
            job_submit(
                project=project,
                agent=agent,
                source=source,
                data_schema=data_schema,
                config=config,
                priority=priority,
                webhook_configurations=webhook_configurations,
            )
            for source in sources
        ]


# --- Schema generation -------------------------------------------------------------------------


def schema_generate(
    *,
    prompt: str | None = None,
    source: SourceFile | None = None,
    data_schema: Any = None,
) -> dict[str, Any]:
    """Propose a data_schema from a prompt and/or a stored file (see ``schema_generation``).

    Raises ``ServiceError`` (nothing to go on, unreadable file) or ``SchemaError``.
    """
    from extraction.pipeline.schema_proposal import schema_propose
    from extraction.web.untrusted import PreviewBusy, document_text_isolated

    if not prompt and source is None and data_schema is None:
        raise ServiceError("Provide a prompt, a file_id or a data_schema.")
    base = data_schema_clean(data_schema=data_schema) if data_schema is not None else None
    text = None
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
    *, registry: Any, prompt: str | None, text: str | None, data_schema: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Ask the configured model; None (fall back to the offline proposal) when it fails or
    answers something that is not a valid schema."""
    from extraction.pipeline.engines.base import EngineError
    from extraction.pipeline.engines.openai.client import complete
    from extraction.pipeline.schema_proposal import llm_messages, schema_from_reply
    from extraction.pipeline.schemas import SchemaError

    endpoint = registry.tier("default")
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
            endpoint.name if endpoint else "?",
            exc,
        )
        return None
