"""An agent's workspace: documents to try its schema on together, run again after each edit.

A workspace document is a stored file with, once it has run, a job; running the workspace runs
each document's job again (a new run, the earlier ones kept: ``lifecycle.job_rerun``) or, the
first time, submits it (``jobs.jobs_submit``). The runs of a document's job are the iterations
the workspace compares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from extraction.models import ExtractionAgent, ExtractionJob, SourceFile, WorkspaceDocument
from extraction.services.agents import agent_update
from extraction.services.errors import ServiceError
from extraction.services.files import Upload, file_upload, files_forget_stored
from extraction.services.jobs import file_check_supported, jobs_submit
from extraction.services.lifecycle import job_rerun
from extraction.services.requests import job_request_clean

if TYPE_CHECKING:
    from collections.abc import Sequence

    from accounts.models import User

MAX_WORKSPACE_DOCUMENTS = 50


def workspace_documents_add(
    *, agent: ExtractionAgent, documents: Sequence[Upload | SourceFile]
) -> list[WorkspaceDocument]:
    """Add documents to ``agent``'s workspace, storing uploads first; all of them or none.

    A file already in the workspace is not added twice. Raises ``ServiceError`` naming the
    document refused (empty, too large, of a type that cannot be read) or when the workspace
    would pass ``MAX_WORKSPACE_DOCUMENTS``.
    """
    if not documents:
        raise ServiceError("Choose at least one document.")
    present = WorkspaceDocument.objects.filter(agent=agent).count()
    if present + len(documents) > MAX_WORKSPACE_DOCUMENTS:
        raise ServiceError(
            f"A workspace holds at most {MAX_WORKSPACE_DOCUMENTS} documents; it has {present}."
        )
    stored: list[SourceFile] = []
    added: list[WorkspaceDocument] = []
    try:
        with transaction.atomic():
            for document in documents:
                try:
                    if isinstance(document, Upload):
                        source = file_upload(project=agent.project, upload=document)
                        stored.append(source)
                    else:
                        source = document
                    file_check_supported(source=source)
                except ServiceError as exc:
                    raise type(exc)(f"{document.name}: {exc}") from exc
                entry, created = WorkspaceDocument.objects.get_or_create(agent=agent, file=source)
                if created:
                    added.append(entry)
    except BaseException:
        files_forget_stored(stored)
        raise
    return added


def workspace_document_remove(*, document: WorkspaceDocument) -> None:
    """Take a document out of the workspace; its file and its job (with every run) stay."""
    document.delete()


def workspace_run(
    *,
    agent: ExtractionAgent,
    data_schema: Any = None,
    config: dict[str, Any] | None = None,
    actor: User | None = None,
) -> list[ExtractionJob]:
    """Save ``data_schema``/``config`` (when given) on the agent, then run it on every document
    of its workspace: each document's job gets a new run, or the document its first job.

    Documents whose job is still queued or running are left to finish. Returns the jobs
    started; raises ``SchemaError``, ``ConfigError``, ``ServiceError`` (an empty workspace).
    """
    entries = list(
        WorkspaceDocument.objects.filter(agent=agent)
        .select_related("file", "job")
        .order_by("created_at")
    )
    if not entries:
        raise ServiceError("Add documents to the workspace first.")
    with transaction.atomic():
        if data_schema is not None or config is not None:
            agent_update(agent=agent, data_schema=data_schema, config=config, actor=actor)
        request = job_request_clean(agent=agent, from_ui=True)
        started: list[ExtractionJob] = []
        for entry in entries:
            if entry.job is not None:
                if not entry.job.is_terminal:
                    continue
                job_rerun(
                    job=entry.job,
                    data_schema=request.data_schema,
                    config=request.config.to_dict(),
                    from_ui=True,
                )
                started.append(entry.job)
                continue
            [job] = jobs_submit(
                project=agent.project, agent=agent, request=request, documents=[entry.file]
            )
            WorkspaceDocument.objects.filter(pk=entry.pk).update(job=job)
            started.append(job)
    return started
