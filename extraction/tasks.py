"""Celery tasks: thin wrappers that claim a job, call the pipeline and record the outcome."""

from __future__ import annotations

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from extraction import maintenance, services
from extraction.config import ExtractConfig
from extraction.documents.base import DocumentError
from extraction.engines.base import EngineError, ExtractionCancelled
from extraction.models import ExtractionJob
from extraction.pipeline import PipelineInput, run_pipeline

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def requeue_stale_jobs() -> int:
    """Periodic: put back on the queue the jobs whose message or worker was lost."""
    return len(maintenance.jobs_requeue_stale())


@shared_task(ignore_result=True)
def purge_expired_cache() -> int:
    return maintenance.cache_purge_expired()


def retry_countdown(attempt: int) -> float:
    """Exponential backoff with full jitter: up to 2, 4, 8… seconds, capped at 60."""
    return random.uniform(0.5, min(60.0, 2.0**attempt))


def pipeline_input_for(job: ExtractionJob) -> PipelineInput:
    content = None
    if job.file is not None:
        with job.file.content.open("rb") as handle:
            content = handle.read()
    return PipelineInput(
        data_schema=job.data_schema,
        config=ExtractConfig.from_dict(job.config),
        content=content,
        text=job.inline_text,
        file_name=job.file_name or None,
        declared_type=job.file.mime_type if job.file else None,
    )


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def extract_job(self, job_id: str) -> None:  # noqa: ANN001 - Celery binds the task
    """Run one extraction job. Redelivery and duplicate delivery are harmless (see job_start)."""
    job = services.job_start(job_id=job_id)
    if job is None:
        return
    if job.file is None and job.inline_text is None:
        services.job_fail(job_id=job_id, error="The document for this job was deleted.")
        return

    def on_progress(done: int, total: int) -> None:
        services.job_record_progress(job_id=job_id, pages_done=done, pages_total=total)

    try:
        outcome = run_pipeline(
            pipeline_input_for(job),
            on_progress=on_progress,
            should_cancel=lambda: services.job_is_cancelled(job_id=job_id),
        )
    except ExtractionCancelled:
        return
    except DocumentError as exc:
        services.job_fail(job_id=job_id, error=str(exc))
        return
    except EngineError as exc:
        if exc.transient and job.attempts < settings.JOB_MAX_ATTEMPTS:
            services.job_release_for_retry(job_id=job_id, error=str(exc))
            raise self.retry(countdown=retry_countdown(job.attempts), queue=job.priority) from exc
        services.job_fail(job_id=job_id, error=str(exc))
        return
    except SoftTimeLimitExceeded:
        services.job_fail(
            job_id=job_id,
            error=(
                f"The extraction took longer than {settings.JOB_SOFT_TIME_LIMIT} seconds "
                "and was stopped."
            ),
        )
        return
    except Exception:
        logger.exception("extract_job %s failed unexpectedly", job_id)
        services.job_fail(
            job_id=job_id, error="An internal error stopped this extraction; it has been logged."
        )
        return
    services.job_complete(
        job_id=job_id,
        status=outcome.status,
        data=outcome.data,
        metadata=outcome.metadata,
        error=outcome.error,
        pages_total=outcome.pages_total,
    )


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self, delivery_id: str) -> None:  # noqa: ANN001 - Celery binds the task
    """Make one attempt at a webhook delivery; retry transient failures with backoff.

    The attempt count lives in the ``WebhookDelivery`` row, so redelivery cannot exceed it.
    """
    countdown = services.webhook_deliver(delivery_id=delivery_id)
    if countdown is not None:
        jittered = countdown * random.uniform(0.9, 1.1)
        raise self.retry(countdown=jittered, queue=services.WEBHOOK_QUEUE)
