"""Writes a worker makes while it runs a job: claim it, renew its lease, record progress and
the outcome. The job's user-facing writes (submit, cancel, retry) are in ``services``.

A job is claimed under a lease (``JOB_LEASE_SECONDS``) that progress writes and heartbeats
renew; a worker that dies lets its lease run out and ``maintenance`` enqueues the job again,
where ``job_start`` decides whether to run it (see its docstring).

Each claim gets a fresh ``attempt_token``, and every write an attempt makes afterwards
(progress, heartbeat, outcome) matches on it: once the job is cancelled (the token is
cleared), or claimed again after a lease ran out (a new token), the old attempt's writes
match nothing, its cancellation checks say stop, and its result is never stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from extraction.models import (
    TERMINAL_STATUSES,
    ExtractionJob,
    ExtractionRun,
    JobStatus,
    RunStatus,
)
from extraction.webhooks import sending as webhooks
from extraction.webhooks.deliveries import EVENT_FOR_STATUS, webhook_schedule


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
        job.attempt_token = uuid.uuid4()
        job.started_at = job.started_at or now
        job.lease_expires_at = now + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
        job.save(
            update_fields=[
                "status",
                "attempts",
                "attempt_token",
                "started_at",
                "lease_expires_at",
                "updated_at",
            ]
        )
    return job


def _current_attempt(job_id: str, attempt_token: uuid.UUID | str):  # noqa: ANN202
    """The job row, only while ``attempt_token``'s attempt is the one running it."""
    return ExtractionJob.objects.filter(
        pk=job_id, status=JobStatus.RUNNING, attempt_token=attempt_token
    )


def job_record_progress(
    *, job_id: str, attempt_token: uuid.UUID | str, pages_done: int, pages_total: int
) -> bool:
    """Save progress and renew the lease; returns False when this attempt should stop (the
    job was cancelled, or another attempt has claimed it)."""
    updated = _current_attempt(job_id, attempt_token).update(
        pages_done=pages_done,
        pages_total=pages_total,
        lease_expires_at=timezone.now() + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS),
        updated_at=timezone.now(),
    )
    return updated == 1


def job_record_heartbeat(*, job_id: str, attempt_token: uuid.UUID | str) -> bool:
    """Renew the lease while the attempt is busy without progress to report; False when
    this attempt should stop."""
    updated = _current_attempt(job_id, attempt_token).update(
        lease_expires_at=timezone.now() + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    )
    return updated == 1


def job_is_cancelled(*, job_id: str, attempt_token: uuid.UUID | str) -> bool:
    """True when this attempt should stop: the job was cancelled, ended, or claimed again."""
    return not _current_attempt(job_id, attempt_token).exists()


def job_complete(
    *,
    job_id: str,
    attempt_token: uuid.UUID | str,
    status: str,
    data: Any,
    metadata: dict[str, Any],
    error: str | None = None,
    pages_total: int | None = None,
) -> ExtractionJob | None:
    """Record a finished pipeline run. Returns None (and writes nothing) if the job was
    cancelled, finished or claimed by another attempt meanwhile, so a result is written once
    and only by the attempt that holds the job."""
    now = timezone.now()
    with transaction.atomic():
        job = ExtractionJob.objects.select_for_update().filter(pk=job_id).first()
        if (
            job is None
            or job.status != JobStatus.RUNNING
            or str(job.attempt_token) != str(attempt_token)
        ):
            return None
        job.status = status
        job.attempt_token = None
        job.error = error or ""
        job.finished_at = now
        job.lease_expires_at = None
        if pages_total is not None:
            job.pages_total = pages_total
            job.pages_done = pages_total
        job.save(
            update_fields=[
                "status",
                "attempt_token",
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


def job_fail(
    *, job_id: str, error: str, attempt_token: uuid.UUID | str | None = None
) -> ExtractionJob | None:
    """End a running or pending job in ERROR with a message the user can act on.

    A worker passes its ``attempt_token``: the job is then failed only while that attempt
    still holds it (a stale attempt must not end a job another attempt is running).
    """
    now = timezone.now()
    with transaction.atomic():
        job = ExtractionJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in TERMINAL_STATUSES:
            return None
        if attempt_token is not None and str(job.attempt_token) != str(attempt_token):
            return None
        _job_end_in_error(job, error, now)
    return job


def _job_end_in_error(job: ExtractionJob, error: str, now: dt.datetime) -> None:
    """Mark a locked job and its run ERROR and schedule the error webhook."""
    job.status = JobStatus.ERROR
    job.error = error
    job.finished_at = now
    job.lease_expires_at = None
    job.attempt_token = None
    job.save()
    ExtractionRun.objects.filter(job=job).update(
        status=RunStatus.ERROR, error=error, updated_at=now
    )
    webhook_schedule(job=job, event=webhooks.EVENT_ERROR)


def job_release_for_retry(*, job_id: str, attempt_token: uuid.UUID | str, error: str) -> None:
    """Put a running job back to PENDING before a transient-error retry."""
    _current_attempt(job_id, attempt_token).update(
        status=JobStatus.PENDING,
        error=error,
        lease_expires_at=None,
        attempt_token=None,
        updated_at=timezone.now(),
    )
