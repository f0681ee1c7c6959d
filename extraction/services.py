"""Writes for extraction: agents, files, jobs and their outcomes.

Every function is keyword-only and named ``<entity>_<action>``. Jobs are enqueued only after the
surrounding transaction commits, so a worker never sees a job row that does not exist yet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record, audited_delete
from accounts.models import Project, User
from extraction import enqueue
from extraction.models import (
    TERMINAL_STATUSES,
    ExtractionAgent,
    ExtractionCacheEntry,
    ExtractionJob,
    ExtractionRun,
    JobStatus,
    RunStatus,
    SourceFile,
)
from extraction.pipeline.config import ConfigError, ExtractConfig
from extraction.pipeline.documents.loading import supported_types
from extraction.pipeline.engines.registry import (
    model_registry_from_settings,
    validate_config_models,
)
from extraction.pipeline.schemas import load_schema
from extraction.webhooks import sending as webhooks
from extraction.webhooks.deliveries import webhook_schedule

logger = logging.getLogger(__name__)


class ServiceError(ValueError):
    """A request that cannot be carried out; the message is safe to show to the user."""

    over_limit = False


class ServiceBusy(ServiceError):
    """The server cannot take this request now (its readers are all busy); try again soon."""


class LimitExceeded(ServiceError):
    """A request over one of the server's bounds (answered 422 by the API)."""

    over_limit = True


class ConflictError(ServiceError):
    pass


# --- Agents ------------------------------------------------------------------------------------


def agent_get_or_create_default(*, project: Project) -> ExtractionAgent:
    """The project's hidden default agent, used by stateless runs."""
    agent = ExtractionAgent.objects.filter(project=project, is_default=True).first()
    if agent is not None:
        return agent
    try:
        with transaction.atomic():
            return ExtractionAgent.objects.create(
                project=project,
                name=ExtractionAgent.DEFAULT_NAME,
                is_default=True,
                data_schema={},
                config=ExtractConfig().to_dict(),
            )
    except IntegrityError:  # created concurrently by another request
        return ExtractionAgent.objects.get(project=project, is_default=True)


def agent_create(
    *, project: Project, name: str, data_schema: dict[str, Any], config: dict[str, Any] | None
) -> ExtractionAgent:
    """Create an agent.

    Raises ``SchemaError`` (bad schema), ``ConfigError`` (bad config or model name),
    ``ServiceError`` (bad name) or ``ConflictError`` (name taken).
    """
    name = agent_name_clean(name=name)
    data_schema = data_schema_clean(data_schema=data_schema)
    normalized_config = config_clean(config=config)
    taken = ConflictError(f"An extraction agent named {name!r} already exists in this project.")
    if ExtractionAgent.objects.filter(project=project, name=name).exists():
        raise taken
    try:
        with transaction.atomic():
            return ExtractionAgent.objects.create(
                project=project, name=name, data_schema=data_schema, config=normalized_config
            )
    except IntegrityError:  # the same name created concurrently
        raise taken from None


def agent_name_clean(*, name: Any) -> str:
    """A usable agent name; raises ``ServiceError``."""
    if not isinstance(name, str) or not name.strip():
        raise ServiceError("name must be a non-empty string.")
    if len(name) > 200:
        raise ServiceError("name must be at most 200 characters.")
    if name == ExtractionAgent.DEFAULT_NAME:
        raise ServiceError(f"The name {name!r} is reserved for the project's default agent.")
    return name


def agent_update(
    *,
    agent: ExtractionAgent,
    data_schema: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    name: str | None = None,
    actor: User | None = None,
) -> ExtractionAgent:
    """Replace the given fields; raises like ``agent_create``. Schema changes are audited."""
    previous_schema = agent.data_schema
    if config is not None:
        agent.config = config_clean(config=config)
    if data_schema is not None:
        agent.data_schema = data_schema_clean(data_schema=data_schema)
    if name is not None and name != agent.name:
        name = agent_name_clean(name=name)
        if ExtractionAgent.objects.filter(project=agent.project, name=name).exists():
            raise ConflictError(
                f"An extraction agent named {name!r} already exists in this project."
            )
        agent.name = name
    with transaction.atomic():
        agent.save()
        if agent.data_schema != previous_schema:
            audit_record(
                action="agent.schema_change",
                actor=actor,
                project=agent.project,
                target=agent,
                details={"name": agent.name, "previous_schema": previous_schema},
            )
    return agent


def agent_delete(*, agent: ExtractionAgent, actor: User | None = None) -> None:
    audited_delete(
        agent,
        action="agent.delete",
        actor=actor,
        project=agent.project,
        details={"name": agent.name},
    )


# --- Files -------------------------------------------------------------------------------------


def file_store(
    *,
    project: Project,
    content: bytes,
    name: str,
    mime_type: str,
    purpose: str = SourceFile.Purpose.EXTRACT,
    external_file_id: str = "",
) -> SourceFile:
    """Store uploaded bytes; raises ``ServiceError`` for empty or oversized content."""
    if not content:
        raise ServiceError("The file is empty.")
    if len(content) > settings.MAX_UPLOAD_BYTES:
        limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise ServiceError(f"The file is larger than the {limit_mb} MB limit.")
    expires_at = None
    if settings.FILE_EXPIRY_DAYS:
        expires_at = timezone.now() + dt.timedelta(days=settings.FILE_EXPIRY_DAYS)
    source = SourceFile(
        project=project,
        name=safe_file_name(name),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        mime_type=mime_type,
        purpose=purpose,
        external_file_id=external_file_id[:1024],
        expires_at=expires_at,
    )
    source.content.save(source.name, ContentFile(content), save=False)
    source.save()
    return source


def safe_file_name(name: str) -> str:
    """Keep only the last path component of a client-supplied name (no traversal, no NULs)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "").strip()
    return (base or "upload")[:255]


def file_delete(
    *, source: SourceFile, actor: User | None = None, action: str = "file.delete"
) -> None:
    """Delete a file and everything derived from it: the stored bytes, its page images and
    text preview, and the cached results of the jobs that read it (audited as ``action``).

    The jobs and their runs stay, as the record of what was extracted (a job's file becomes
    null); this is the only path that deletes a file, for users, the API and expiry alike.
    """
    from extraction.web import page_images

    file_id = str(source.id)
    cache_keys = set()
    for metadata in ExtractionRun.objects.filter(job__file=source).values_list(
        "extraction_metadata", flat=True
    ):
        key = ((metadata or {}).get("cache") or {}).get("key")
        if isinstance(key, str):
            cache_keys.add(key)
    with transaction.atomic():
        ExtractionCacheEntry.objects.filter(
            project_id=source.project_id, key__in=cache_keys
        ).delete()
        audited_delete(
            source,
            action=action,
            actor=actor,
            project=source.project,
            details={
                "name": source.name,
                "sha256": source.sha256,
                "cached_results": len(cache_keys),
            },
        )
    # After the row is gone: a failure leaves no dangling row, only bytes to sweep.
    source.content.delete(save=False)
    page_images.forget(file_id=file_id)


# --- Jobs --------------------------------------------------------------------------------------


def job_submit(
    *,
    project: Project,
    agent: ExtractionAgent,
    source: SourceFile | None = None,
    text: str | None = None,
    data_schema: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    priority: str | None = None,
    webhook_configurations: list[dict[str, Any]] | None = None,
    from_ui: bool = False,
) -> ExtractionJob:
    """Create a job (and its pending run) and enqueue it once the transaction commits.

    The job snapshots the effective schema and config, so later agent edits don't change it.
    Raises ``ServiceError``/``ConfigError`` for invalid input.
    """
    if (source is None) == (text is None):
        raise ServiceError("Provide exactly one of a file or text.")
    if text is not None:
        text_check(text=text)
    if source is not None and source.mime_type not in supported_types():
        raise ServiceError(
            f"Unsupported document type: {source.mime_type}. "
            "Supported: PDF, PNG, JPEG, TIFF, WEBP, DOCX, XLSX, HTML, Markdown, text, JSON, CSV."
        )
    effective_schema = data_schema_clean(
        data_schema=data_schema if data_schema is not None else agent.data_schema
    )
    effective_config = ExtractConfig.from_dict(
        config_clean(config=config if config is not None else agent.config)
    )
    hooks = webhook_configurations_clean(webhook_configurations=webhook_configurations)
    effective_priority = priority or (
        effective_config.priority.value if effective_config.priority else "medium"
    )
    if effective_priority not in settings.JOB_QUEUES:
        raise ServiceError(f"priority must be one of {', '.join(settings.JOB_QUEUES)}.")
    with transaction.atomic():
        job = ExtractionJob.objects.create(
            project=project,
            agent=agent,
            file=source,
            file_name=source.name if source else "",
            inline_text=text,
            data_schema=effective_schema,
            config=effective_config.to_dict(),
            priority=effective_priority,
            webhook_configurations=hooks,
            from_ui=from_ui,
            queued_at=timezone.now(),
        )
        ExtractionRun.objects.create(
            job=job, project=project, agent=agent, status=RunStatus.PENDING, from_ui=from_ui
        )
        job_enqueue_on_commit(job=job)
        webhook_schedule(job=job, event=webhooks.EVENT_PENDING)
    return job


def job_enqueue_on_commit(*, job: ExtractionJob) -> None:
    enqueue.task_send_on_commit(enqueue.EXTRACT_JOB, args=[str(job.id)], queue=job.priority)


def job_enqueue_now(*, job: ExtractionJob) -> None:
    """Send the job's task to the queue of its priority (callers make sure the row is committed)."""
    enqueue.task_send(enqueue.EXTRACT_JOB, args=[str(job.id)], queue=job.priority)


def job_cancel(*, job: ExtractionJob) -> ExtractionJob:
    """Cancel a pending or running job; a running one stops at its next checkpoint.

    Raises ``ConflictError`` for a job that already ended.
    """
    with transaction.atomic():
        locked = ExtractionJob.objects.select_for_update().get(pk=job.pk)
        if locked.status in TERMINAL_STATUSES:
            raise ConflictError(f"The job already ended with status {locked.status}.")
        now = timezone.now()
        locked.status = JobStatus.CANCELLED
        locked.error = "Cancelled by the user."
        locked.finished_at = now
        locked.lease_expires_at = None
        locked.attempt_token = None  # the running attempt, if any, can write nothing more
        locked.save(
            update_fields=[
                "status",
                "error",
                "finished_at",
                "lease_expires_at",
                "attempt_token",
                "updated_at",
            ]
        )
        ExtractionRun.objects.filter(job=locked).update(
            status=RunStatus.ERROR, error="Cancelled by the user.", updated_at=now
        )
        webhook_schedule(job=locked, event=webhooks.EVENT_CANCELLED)
    return locked


def job_retry(*, job: ExtractionJob) -> ExtractionJob:
    """Run an ended job again from scratch; raises ``ConflictError`` if it is still active."""
    with transaction.atomic():
        locked = ExtractionJob.objects.select_for_update().get(pk=job.pk)
        if locked.status not in TERMINAL_STATUSES:
            raise ConflictError("The job is still queued or running.")
        locked.status = JobStatus.PENDING
        locked.error = ""
        locked.attempts = 0
        locked.pages_done = 0
        locked.queued_at = timezone.now()
        locked.started_at = locked.finished_at = locked.lease_expires_at = None
        locked.attempt_token = None
        locked.save()
        ExtractionRun.objects.filter(job=locked).update(
            status=RunStatus.PENDING,
            data=None,
            extraction_metadata={},
            error="",
            updated_at=timezone.now(),
        )
        job_enqueue_on_commit(job=locked)
        webhook_schedule(job=locked, event=webhooks.EVENT_PENDING)
    return locked


# --- Submission checks -------------------------------------------------------------------------


def text_check(*, text: str) -> None:
    """Refuse inline text that is too long or holds NUL characters; raises ``ServiceError``."""
    if len(text) > settings.MAX_TEXT_CHARS:
        raise ServiceError(
            f"text is {len(text)} characters long; the limit is {settings.MAX_TEXT_CHARS}."
        )
    if "\x00" in text:
        raise ServiceError("text contains NUL characters (\\x00), which documents cannot hold.")


def data_schema_clean(*, data_schema: Any) -> dict[str, Any]:
    """The schema as an object (a JSON string is parsed); raises ``SchemaError`` with pointers."""
    load_schema(data_schema)
    return json.loads(data_schema) if isinstance(data_schema, (str, bytes)) else data_schema


def config_clean(*, config: Any) -> dict[str, Any]:
    """The normalised config dict; raises ``ConfigError`` for bad fields and unknown models."""
    if config is not None and not isinstance(config, dict):
        raise ConfigError({"config": "must be an object"})
    parsed = ExtractConfig.from_dict(config)
    validate_config_models(parsed, model_registry_from_settings(settings))
    return parsed.to_dict()


def webhook_configurations_clean(*, webhook_configurations: Any) -> list[dict[str, Any]]:
    """Checked webhook configurations (URLs resolved and vetted); raises ``ServiceError``."""
    try:
        return webhooks.webhook_configurations_clean(webhook_configurations)
    except webhooks.WebhookConfigError as exc:
        raise (LimitExceeded if exc.over_limit else ServiceError)(str(exc)) from None


def run_delete(*, run: ExtractionRun, actor: User | None = None) -> None:
    """Delete a finished job's run; raises ``ServiceError`` while the job is still active."""
    if run.job.status not in TERMINAL_STATUSES:
        raise ServiceError("The run's job is still in progress; cancel it first.")
    audited_delete(
        run,
        action="run.delete",
        actor=actor,
        project=run.project,
        details={"job_id": str(run.job_id)},
    )
