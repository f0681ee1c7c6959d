"""Writes a worker makes while it runs a job: claim it, renew its lease, record progress and
the outcome. The job's user-facing writes (submit, cancel, retry) are in ``services``.

A job is claimed under a lease (``JOB_LEASE_SECONDS``) that progress writes and heartbeats
renew; a worker that dies lets its lease run out and ``maintenance`` enqueues the job again,
where ``job_start`` decides whether to run it (see its docstring).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from extraction import webhooks
from extraction.models import (
    TERMINAL_STATUSES,
    ExtractionJob,
    ExtractionRun,
    JobStatus,
    RunStatus,
)
from extraction.webhook_deliveries import EVENT_FOR_STATUS, webhook_schedule


def job_start(*, job_id: str) -> ExtractionJob | None:
    """Claim a job for this worker; None when there is nothing to do.

    Nothing to do: the job is gone, already ended (including cancelled), or running under
    another worker's live lease — so a duplicate delivery is a no-op.
    """
    now = timezone.now()
    with transaction.atomic():
        job = (
            # The worker needs the project (result cache) and the file: one query, not three.
            ExtractionJob.objects.select_for_update(of=("self",))
            .select_related("project", "file")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status in TERMINAL_STATUSES:
            return None
        if job.status == JobStatus.RUNNING:
            if job.lease_expires_at and job.lease_expires_at > now:
                return None
            if job.attempts >= settings.JOB_MAX_ATTEMPTS:
                # Each earlier attempt died mid-job (its lease ran out): stop redelivering.
                _job_end_in_error(
                    job,
                    f"The worker stopped while processing this document ({job.attempts} attempts).",
                    now,
                )
                return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.lease_expires_at = now + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
        job.save(
            update_fields=["status", "attempts", "started_at", "lease_expires_at", "updated_at"]
        )
    return job


def job_record_progress(*, job_id: str, pages_done: int, pages_total: int) -> bool:
    """Save progress and renew the lease; returns False when the job was cancelled meanwhile."""
    updated = ExtractionJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        pages_done=pages_done,
        pages_total=pages_total,
        lease_expires_at=timezone.now() + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS),
        updated_at=timezone.now(),
    )
    return updated == 1


def job_record_heartbeat(*, job_id: str) -> None:
    """Renew a running job's lease while its worker is busy without progress to report."""
    ExtractionJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        lease_expires_at=timezone.now() + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    )


def job_is_cancelled(*, job_id: str) -> bool:
    return ExtractionJob.objects.filter(pk=job_id, status=JobStatus.CANCELLED).exists()


def job_complete(
    *,
    job_id: str,
    status: str,
    data: Any,
    metadata: dict[str, Any],
    error: str | None = None,
    pages_total: int | None = None,
) -> ExtractionJob | None:
    """Record a finished pipeline run. Returns None (and writes nothing) if the job was
    cancelled or already finished meanwhile, so a result is written once."""
    now = timezone.now()
    with transaction.atomic():
        job = ExtractionJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.RUNNING:
            return None
        job.status = status
        job.error = error or ""
        job.finished_at = now
        job.lease_expires_at = None
        if pages_total is not None:
            job.pages_total = pages_total
            job.pages_done = pages_total
        job.save(
            update_fields=[
                "status",
                "error",
                "finished_at",
                "lease_expires_at",
                "pages_total",
                "pages_done",
                "updated_at",
            ]
        )
        run_status = (
            RunStatus.SUCCESS
            if status in (JobStatus.SUCCESS, JobStatus.PARTIAL_SUCCESS)
            else RunStatus.ERROR
        )
        run_fields = {
            "data": data,
            "extraction_metadata": metadata,
            "status": run_status,
            "error": error or "",
        }
        # job_submit made the run row; it is missing only if the run was deleted meanwhile.
        if not ExtractionRun.objects.filter(job=job).update(**run_fields, updated_at=now):
            ExtractionRun.objects.create(
                job=job,
                project_id=job.project_id,
                agent_id=job.agent_id,
                from_ui=job.from_ui,
                **run_fields,
            )
        webhook_schedule(job=job, event=EVENT_FOR_STATUS.get(status, webhooks.EVENT_ERROR))
    return job


def job_fail(*, job_id: str, error: str) -> ExtractionJob | None:
    """End a running or pending job in ERROR with a message the user can act on."""
    now = timezone.now()
    with transaction.atomic():
        job = ExtractionJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in TERMINAL_STATUSES:
            return None
        _job_end_in_error(job, error, now)
    return job


def _job_end_in_error(job: ExtractionJob, error: str, now: dt.datetime) -> None:
    """Mark a locked job and its run ERROR and schedule the error webhook."""
    job.status = JobStatus.ERROR
    job.error = error
    job.finished_at = now
    job.lease_expires_at = None
    job.save()
    ExtractionRun.objects.filter(job=job).update(
        status=RunStatus.ERROR, error=error, updated_at=now
    )
    webhook_schedule(job=job, event=webhooks.EVENT_ERROR)


def job_release_for_retry(*, job_id: str, error: str) -> None:
    """Put a running job back to PENDING before a transient-error retry."""
    ExtractionJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.PENDING, error=error, lease_expires_at=None, updated_at=timezone.now()
    )
