"""A job's lifecycle: every change of its status after it was submitted, in one place.

A worker claims a job (``job_start``) under a lease (``JOB_LEASE_SECONDS``) that progress writes
and heartbeats renew; a worker that dies lets its lease run out and the reaper
(``maintenance``) enqueues the job again, where ``job_start`` decides whether to run it. Users
cancel it and run it again (``job_rerun``: a new run, the earlier ones kept). Every way a job
ends (a result, an error, too many attempts, a cancel) goes through ``_job_end``: status,
error, times, lease, the job's current run mirrored, the webhook scheduled.

Each claim gets a fresh ``attempt_token``, and every write an attempt makes afterwards
(progress, heartbeat, outcome) matches on it: once the job is cancelled (the token is
cleared), or claimed again after a lease ran out (a new token), the old attempt's writes
match nothing, its cancellation checks say stop, and its result is never stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from extraction import enqueue
from extraction.models import (
    TERMINAL_STATUSES,
    ExtractionJob,
    ExtractionRun,
    JobStatus,
    RunStatus,
)
from extraction.services.errors import ConflictError
from extraction.webhooks import sending as webhooks
from extraction.webhooks.deliveries import EVENT_FOR_STATUS, webhook_schedule

if TYPE_CHECKING:
    from django.db.models import QuerySet

CANCELLED_BY_USER = "Cancelled by the user."


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
                _job_end(
                    job,
                    status=JobStatus.ERROR,
                    error=(
                        "The worker stopped while processing this document "
                        f"({job.attempts} attempts)."
                    ),
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


def _current_attempt(job_id: str, attempt_token: uuid.UUID | str) -> QuerySet[ExtractionJob]:
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
    with transaction.atomic():
        job = ExtractionJob.objects.select_for_update().filter(pk=job_id).first()
        if (
            job is None
            or job.status != JobStatus.RUNNING
            or str(job.attempt_token) != str(attempt_token)
        ):
            return None
        if pages_total is not None:
            job.pages_total = job.pages_done = pages_total
        _job_end(job, status=status, error=error or "", result=(data, metadata))
    return job


def job_fail(
    *, job_id: str, error: str, attempt_token: uuid.UUID | str | None = None
) -> ExtractionJob | None:
    """End a running or pending job in ERROR with a message the user can act on.

    A worker passes its ``attempt_token``: the job is then failed only while that attempt
    still holds it (a stale attempt must not end a job another attempt is running).
    """
    with transaction.atomic():
        job = ExtractionJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in TERMINAL_STATUSES:
            return None
        if attempt_token is not None and str(job.attempt_token) != str(attempt_token):
            return None
        _job_end(job, status=JobStatus.ERROR, error=error)
    return job


def job_cancel(*, job: ExtractionJob) -> ExtractionJob:
    """Cancel a pending or running job; a running one stops at its next checkpoint.

    Raises ``ConflictError`` for a job that already ended.
    """
    with transaction.atomic():
        locked = ExtractionJob.objects.select_for_update().get(pk=job.pk)
        if locked.status in TERMINAL_STATUSES:
            raise ConflictError(f"The job already ended with status {locked.status}.")
        _job_end(locked, status=JobStatus.CANCELLED, error=CANCELLED_BY_USER)
    return locked


def _job_end(
    job: ExtractionJob,
    *,
    status: str,
    error: str,
    result: tuple[Any, dict[str, Any]] | None = None,
) -> None:
    """End a locked job: its status, error, end time, no lease and no attempt (whatever attempt
    still runs can write nothing more), its run mirrored (with ``result``'s data and metadata
    when given) and the webhook for the status scheduled, all in the caller's transaction."""
    now = timezone.now()
    job.status = status
    job.error = error
    job.finished_at = now
    job.lease_expires_at = None
    job.attempt_token = None
    job.save(
        update_fields=[
            "status",
            "error",
            "finished_at",
            "lease_expires_at",
            "attempt_token",
            "pages_total",
            "pages_done",
            "updated_at",
        ]
    )
    succeeded = status in (JobStatus.SUCCESS, JobStatus.PARTIAL_SUCCESS)
    run_fields: dict[str, Any] = {
        "status": RunStatus.SUCCESS if succeeded else RunStatus.ERROR,
        "error": error,
    }
    if result is not None:
        run_fields["data"], run_fields["extraction_metadata"] = result
    # The job's current run; it is missing only if that run was deleted meanwhile.
    if job.run_id is None or not ExtractionRun.objects.filter(pk=job.run_id).update(
        **run_fields, updated_at=now
    ):
        job.run = _run_create(job, **run_fields)
        job.save(update_fields=["run"])
    webhook_schedule(job=job, event=EVENT_FOR_STATUS.get(status, webhooks.EVENT_ERROR))


def _run_create(job: ExtractionJob, **fields: Any) -> ExtractionRun:
    """A new run of a locked ``job``, numbered after its others, with the job's schema and
    config as they are now (``fields`` set the rest: status, data, ``from_ui``...)."""
    latest = job.runs.aggregate(latest=Max("number"))["latest"] or 0
    fields.setdefault("from_ui", job.from_ui)
    return ExtractionRun.objects.create(
        job=job,
        number=latest + 1,
        project_id=job.project_id,
        agent_id=job.agent_id,
        data_schema=job.data_schema,
        config=job.config,
        **fields,
    )


def job_release_for_retry(*, job_id: str, attempt_token: uuid.UUID | str, error: str) -> None:
    """Put a running job back to PENDING before a transient-error retry."""
    _current_attempt(job_id, attempt_token).update(
        status=JobStatus.PENDING,
        error=error,
        lease_expires_at=None,
        attempt_token=None,
        updated_at=timezone.now(),
    )


def job_rerun(
    *,
    job: ExtractionJob,
    data_schema: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    ignore_cache: bool = False,
    from_ui: bool | None = None,
) -> ExtractionRun:
    """Run an ended job again as a new run; its earlier runs stay as they were.

    ``data_schema`` and ``config`` (checked by the caller, e.g. with ``job_request_clean``)
    replace the job's for this run and the next ones; None keeps them. ``from_ui`` marks the
    run as started from the pages (None: as the job was). ``ignore_cache`` makes
    the run extract afresh (its config says ``invalidate_cache``) rather than repeat a cached
    answer. A changed schema or config never meets a stale cache entry: both are in the key.
    Returns the new (pending) run; raises ``ConflictError`` while the job is queued or running.
    """
    with transaction.atomic():
        locked = ExtractionJob.objects.select_for_update().get(pk=job.pk)
        if locked.status not in TERMINAL_STATUSES:
            raise ConflictError("The job is still queued or running.")
        if data_schema is not None:
            locked.data_schema = data_schema
        if config is not None:
            locked.config = dict(config)
        if ignore_cache:
            locked.config = {**locked.config, "invalidate_cache": True}
        locked.status = JobStatus.PENDING
        locked.error = ""
        locked.attempts = 0
        locked.pages_done = 0
        locked.queued_at = timezone.now()
        locked.started_at = locked.finished_at = locked.lease_expires_at = None
        locked.attempt_token = None
        run = _run_create(
            locked, status=RunStatus.PENDING, from_ui=locked.from_ui if from_ui is None else from_ui
        )
        locked.run = run
        locked.save()
        job_enqueue_on_commit(job=locked)
        webhook_schedule(job=locked, event=webhooks.EVENT_PENDING)
    return run


def job_retry(*, job: ExtractionJob) -> ExtractionJob:
    """Run an ended job again as it was (``job_rerun`` with its schema and config), keeping the
    earlier run; raises ``ConflictError`` if it is still active."""
    run = job_rerun(job=job)
    return ExtractionJob.objects.get(pk=run.job_id)


def job_enqueue_on_commit(*, job: ExtractionJob) -> None:
    """Send the job to the queue of its priority once the transaction commits."""
    enqueue.task_send_on_commit(enqueue.EXTRACT_JOB, args=[str(job.id)], queue=job.priority)
