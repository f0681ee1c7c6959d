"""Periodic upkeep run by Celery beat: recover jobs the queue lost, purge expired data
(cache entries, and files past ``OPENEXTRACT_FILE_EXPIRY_DAYS`` with all derived from them).

The job rows are the truth. A job whose message vanished (Redis restarted or flushed) or whose
worker died (its lease ran out) is found here and enqueued again; ``job_start`` makes the extra
delivery harmless if the original message does turn up.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from extraction import enqueue
from extraction.models import ExtractionCacheEntry, ExtractionJob, JobStatus, SourceFile
from extraction.services.files import file_delete

logger = logging.getLogger(__name__)


def jobs_requeue_stale(*, now: dt.datetime | None = None) -> list[str]:
    """Re-enqueue pending jobs that waited too long and running jobs whose lease expired.

    Returns the ids re-enqueued. Each job's ``queued_at`` is bumped, and a job is sent again
    only after that has aged, so a job waiting for a free worker is not sent on every pass.
    """
    now = now or timezone.now()
    # A pending job normally starts within milliseconds; after this its message is presumed lost.
    pending_after = dt.timedelta(seconds=settings.PENDING_REQUEUE_SECONDS)
    lease = dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    stale = ExtractionJob.objects.filter(
        Q(status=JobStatus.PENDING, queued_at__lt=now - pending_after)
        | Q(status=JobStatus.RUNNING, lease_expires_at__lt=now, queued_at__lt=now - lease)
    ).only("id", "priority", "status")
    requeued: list[str] = []
    for job in stale[:500]:
        updated = ExtractionJob.objects.filter(pk=job.pk, status=job.status).update(queued_at=now)
        if updated:
            enqueue.task_send(enqueue.EXTRACT_JOB, args=[str(job.pk)], queue=job.priority)
            requeued.append(str(job.pk))
    if requeued:
        logger.warning("re-enqueued %d stale job(s): %s", len(requeued), ", ".join(requeued))
    return requeued


def cache_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete expired cache entries; returns how many."""
    deleted, _ = ExtractionCacheEntry.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


def files_delete_expired(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Delete files whose ``expires_at`` has passed, through ``files.file_delete`` (bytes,
    page images, text previews, cached results; audited as ``file.expire``). A file a job is
    still reading waits for the next pass. Returns how many were deleted."""
    now = now or timezone.now()
    expired = (
        SourceFile.objects.filter(expires_at__lt=now)
        .exclude(jobs__status__in=[JobStatus.PENDING, JobStatus.RUNNING])
        .select_related("project__organization")
        .order_by("expires_at")
    )
    deleted = 0
    for source in expired[:batch]:
        file_delete(source=source, action="file.expire")
        deleted += 1
    if deleted:
        logger.info("deleted %d expired file(s)", deleted)
    return deleted
