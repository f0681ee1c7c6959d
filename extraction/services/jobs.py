"""Submitting jobs: one service for every edge, all or nothing.

An edge (API v1 or v2, the pages, an agent run, a batch) checks its request once into a
``JobRequest`` and passes the documents as they came: new ``Upload``s, stored ``SourceFile``s or
``InlineText``. ``jobs_submit`` stores the uploads and creates one job (with its pending run 1)
per document in one transaction, and enqueues them when it commits. Running an ended job again
is ``lifecycle.job_rerun``: a new run, the earlier ones kept. If anything fails, no row
is kept and the bytes already stored are removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from accounts.audit import audited_delete
from extraction.models import (
    TERMINAL_STATUSES,
    ExtractionAgent,
    ExtractionJob,
    ExtractionRun,
    RunStatus,
    SourceFile,
)
from extraction.pipeline.documents.loading import supported_types
from extraction.services.agents import agent_create
from extraction.services.errors import ServiceError
from extraction.services.files import Upload, file_upload, files_forget_stored
from extraction.services.lifecycle import job_cancel, job_enqueue_on_commit
from extraction.services.requests import JobRequest, text_check
from extraction.webhooks import sending as webhooks
from extraction.webhooks.deliveries import webhook_schedule

if TYPE_CHECKING:
    from collections.abc import Sequence

    from accounts.models import Project, User

SUPPORTED = "PDF, PNG, JPEG, TIFF, WEBP, DOCX, XLSX, HTML, Markdown, text, JSON, CSV"


@dataclass(frozen=True)
class InlineText:
    """Text pasted or posted instead of a file."""

    text: str


Document = Upload | SourceFile | InlineText


def jobs_submit(
    *,
    project: Project,
    agent: ExtractionAgent,
    request: JobRequest,
    documents: Sequence[Document],
    new_agent_name: str | None = None,
) -> list[ExtractionJob]:
    """One job per document, in order; all of them or none.

    With ``new_agent_name`` the request's schema and config are first saved as a new agent of
    ``project`` and the jobs run on it. Raises ``ServiceError`` (nothing to run, an empty or
    oversized or unsupported document, named when there are several; a taken agent name) and
    what ``agent_create`` raises.
    """
    if not documents:
        raise ServiceError("Provide at least one document: a file, a file_id or text.")
    stored: list[SourceFile] = []
    try:
        with transaction.atomic():
            if new_agent_name is not None:
                agent = agent_create(
                    project=project,
                    name=new_agent_name,
                    data_schema=request.data_schema,
                    config=request.config.to_dict(),
                )
            jobs = []
            for document in documents:
                try:
                    if isinstance(document, Upload):
                        source = file_upload(project=project, upload=document)
                        stored.append(source)
                        document = source
                    jobs.append(
                        _job_create(
                            project=project, agent=agent, request=request, document=document
                        )
                    )
                except ServiceError as exc:
                    if len(documents) == 1 or isinstance(document, InlineText):
                        raise
                    # In a batch, say which document was refused.
                    raise type(exc)(f"{document.name}: {exc}") from exc
            return jobs
    except BaseException:
        # The rows rolled back; the bytes in storage must go too ("nothing stored").
        files_forget_stored(stored)
        raise


def _job_create(
    *,
    project: Project,
    agent: ExtractionAgent,
    request: JobRequest,
    document: SourceFile | InlineText,
) -> ExtractionJob:
    """The job and its pending run; enqueued (and the pending webhook sent) on commit."""
    source = document if isinstance(document, SourceFile) else None
    text = text_check(text=document.text) if isinstance(document, InlineText) else None
    if source is not None:
        file_check_supported(source=source)
    job = ExtractionJob.objects.create(
        project=project,
        agent=agent,
        file=source,
        file_name=source.name if source else "",
        inline_text=text,
        data_schema=request.data_schema,
        config=request.config.to_dict(),
        priority=request.priority,
        webhook_configurations=list(request.webhook_configurations),
        from_ui=request.from_ui,
        queued_at=timezone.now(),
    )
    job.run = ExtractionRun.objects.create(
        job=job,
        number=1,
        project=project,
        agent=agent,
        data_schema=job.data_schema,
        config=job.config,
        status=RunStatus.PENDING,
        from_ui=request.from_ui,
    )
    job.save(update_fields=["run"])
    job_enqueue_on_commit(job=job)
    webhook_schedule(job=job, event=webhooks.EVENT_PENDING)
    return job


def file_check_supported(*, source: SourceFile) -> None:
    """Raises ``ServiceError`` unless the documents step can read ``source``'s type."""
    if source.mime_type not in supported_types():
        raise ServiceError(
            f"Unsupported document type: {source.mime_type}. Supported: {SUPPORTED}."
        )


def job_delete(*, job: ExtractionJob, force: bool = False, actor: User | None = None) -> None:
    """Delete a job with its runs (and v2 record); the source file stays.

    An active (pending or running) job is refused with ``ServiceError`` unless ``force``; a
    forced delete cancels it first, so its worker stops at the next checkpoint.
    """
    with transaction.atomic():
        locked = ExtractionJob.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None:
            return
        if not locked.is_terminal:
            if not force:
                raise ServiceError(
                    f"The job is still {locked.status}; cancel it first or pass force=true."
                )
            job_cancel(job=locked)
        audited_delete(
            locked,
            action="job.delete",
            actor=actor,
            project=locked.project,
            details={"status": locked.status, "forced": force},
        )


def run_delete(*, run: ExtractionRun, actor: User | None = None) -> None:
    """Delete a run of a finished job; raises ``ServiceError`` while the job is still active.

    Deleting the job's current run leaves the job without one (the APIs answer 404 for its
    result), as before jobs kept their earlier runs; the earlier runs stay.
    """
    if run.job.status not in TERMINAL_STATUSES:
        raise ServiceError("The run's job is still in progress; cancel it first.")
    audited_delete(
        run,
        action="run.delete",
        actor=actor,
        project=run.project,
        details={"job_id": str(run.job_id)},
    )
