"""Reads for extraction, always scoped to a project the caller may access."""

from __future__ import annotations

import contextlib
import uuid
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, Q, QuerySet

from extraction.models import (
    ExtractionAgent,
    ExtractionJob,
    ExtractionRun,
    JobStatus,
    SavedConfiguration,
    SourceFile,
    WorkspaceDocument,
)

if TYPE_CHECKING:
    import datetime as dt
    from uuid import UUID

    from accounts.models import Project

_M = TypeVar("_M", bound=Model)


def _get_or_none(queryset: QuerySet[_M], **lookup: object) -> _M | None:
    """The one object of ``queryset`` matching ``lookup``; None when there is none or the lookup
    is malformed (a string that is no UUID)."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        return None


def agents_for_project(
    *, project: Project, include_default: bool = False
) -> QuerySet[ExtractionAgent]:
    agents = ExtractionAgent.objects.filter(project=project).order_by("-created_at")
    return agents if include_default else agents.filter(is_default=False)


def agent_get(*, project: Project, agent_id: object) -> ExtractionAgent | None:
    return _get_or_none(ExtractionAgent.objects.filter(project=project), id=agent_id)


def agent_get_by_name(*, project: Project, name: str) -> ExtractionAgent | None:
    return _get_or_none(ExtractionAgent.objects.filter(project=project), name=name)


def files_for_project(*, project: Project) -> QuerySet[SourceFile]:
    return SourceFile.objects.filter(project=project).order_by("-created_at")


def file_get(*, project: Project, file_id: object) -> SourceFile | None:
    return _get_or_none(SourceFile.objects.filter(project=project), id=file_id)


def jobs_for_project(*, project: Project) -> QuerySet[ExtractionJob]:
    return (
        ExtractionJob.objects.filter(project=project)
        .select_related("agent", "file", "run")
        .order_by("-created_at")
    )


def jobs_search(
    *,
    project: Project,
    text: str = "",
    status: str = "",
    agent_id: uuid.UUID | None = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
) -> QuerySet[ExtractionJob]:
    """A project's jobs, newest first, narrowed by what is given: ``text`` in the file or agent
    name (or a job's full id), a status, an agent, created on or between dates (inclusive)."""
    jobs = jobs_for_project(project=project)
    text = text.strip()
    if text:
        matches = Q(file_name__icontains=text) | Q(agent__name__icontains=text)
        with contextlib.suppress(ValueError):
            matches |= Q(id=uuid.UUID(text))
        jobs = jobs.filter(matches)
    if status in JobStatus.values:
        jobs = jobs.filter(status=status)
    if agent_id:
        jobs = jobs.filter(agent_id=agent_id)
    if created_from:
        jobs = jobs.filter(created_at__date__gte=created_from)
    if created_to:
        jobs = jobs.filter(created_at__date__lte=created_to)
    return jobs


def job_get(*, project: Project, job_id: object) -> ExtractionJob | None:
    return job_from(jobs_for_project(project=project), job_id=job_id)


def job_from(jobs: QuerySet[ExtractionJob], *, job_id: object) -> ExtractionJob | None:
    """The job ``job_id`` among ``jobs`` (a project's, with what the caller reads joined)."""
    return _get_or_none(jobs, id=job_id)


def runs_for_project(*, project: Project, current_only: bool = False) -> QuerySet[ExtractionRun]:
    """A project's runs, newest first; ``current_only``: each job's current run only (one per
    job, as the API lists them), not the earlier runs of jobs run again."""
    runs = ExtractionRun.objects.filter(project=project)
    if current_only:
        runs = runs.filter(current_of__isnull=False)
    return runs.select_related("job", "job__file", "agent").order_by("-created_at")


def run_get(*, project: Project, run_id: object) -> ExtractionRun | None:
    return _get_or_none(runs_for_project(project=project), id=run_id)


def run_get_by_job(*, project: Project, job_id: object) -> ExtractionRun | None:
    """The job's current run (its newest), or None."""
    return _get_or_none(runs_for_project(project=project), current_of__id=job_id)


def runs_for_job(*, job: ExtractionJob) -> QuerySet[ExtractionRun]:
    """Every run of ``job``, the first one first."""
    return ExtractionRun.objects.filter(job=job).order_by("number")


def file_get_by_id_in_project(*, file_id: object, project_id: str | UUID) -> SourceFile | None:
    """For signed download links, whose token carries both ids (no user is logged in)."""
    return _get_or_none(SourceFile.objects.filter(project_id=project_id), id=file_id)


def configurations_for_project(
    *, project: Project, name: str | None = None, product_types: list[str] | None = None
) -> QuerySet[SavedConfiguration]:
    configurations = SavedConfiguration.objects.filter(project=project)
    if name is not None:
        configurations = configurations.filter(name=name)
    if product_types:
        configurations = configurations.filter(product_type__in=product_types)
    return configurations.order_by("-created_at", "-id")


def configuration_get(*, project: Project, configuration_id: object) -> SavedConfiguration | None:
    return _get_or_none(SavedConfiguration.objects.filter(project=project), id=configuration_id)


def workspace_documents(*, agent: ExtractionAgent) -> QuerySet[WorkspaceDocument]:
    """The documents of ``agent``'s workspace, first added first, with their job and its run."""
    return (
        WorkspaceDocument.objects.filter(agent=agent)
        .select_related("file", "job", "job__run")
        .order_by("created_at")
    )


def workspace_document_get(
    *, agent: ExtractionAgent, document_id: object
) -> WorkspaceDocument | None:
    return _get_or_none(WorkspaceDocument.objects.filter(agent=agent), id=document_id)


def runs_for_jobs(*, jobs: list[ExtractionJob]) -> QuerySet[ExtractionRun]:
    """Every run of ``jobs`` (one query), by job and number."""
    return ExtractionRun.objects.filter(job__in=jobs).order_by("job_id", "number")
