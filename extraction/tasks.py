"""Celery tasks: thin declarations. Each takes ids, calls one function, and maps its answer
onto Celery (a retry); the work itself is in ``worker.runtime``, ``webhooks.deliveries`` and
``services.maintenance``. Other code enqueues them by name through ``enqueue``."""

from __future__ import annotations

import random

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from extraction import enqueue
from extraction.services import maintenance
from extraction.webhooks.deliveries import webhook_deliver
from extraction.worker import runtime


@shared_task(
    name=enqueue.EXTRACT_JOB,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # The database restarting is transient: try again with backoff (the reaper is the backstop).
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=50,
)
def extract_job(self: Task[[str], None], job_id: str) -> None:
    """Run one extraction job (``runtime.job_run``)."""
    retry = runtime.job_run(job_id=job_id)
    if retry is None:
        return
    if retry.queue is None:  # Celery's router treats an absent queue and None alike
        raise self.retry(countdown=retry.countdown)
    raise self.retry(countdown=retry.countdown, queue=retry.queue)


@shared_task(name=enqueue.DELIVER_WEBHOOK, bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self: Task[[str], None], delivery_id: str) -> None:
    """Make one attempt at a webhook delivery; retry transient failures with backoff.

    The attempt count lives in the ``WebhookDelivery`` row, so redelivery cannot exceed it.
    """
    countdown = webhook_deliver(delivery_id=delivery_id)
    if countdown is not None:
        jittered = countdown * random.uniform(0.9, 1.1)
        raise self.retry(countdown=jittered, queue=settings.WEBHOOK_QUEUE)


@shared_task(ignore_result=True)
def requeue_stale_jobs() -> int:
    """Periodic: put back on the queue the jobs whose message or worker was lost."""
    return len(maintenance.jobs_requeue_stale())


@shared_task(ignore_result=True)
def purge_expired_cache() -> int:
    return maintenance.cache_purge_expired()


@shared_task(ignore_result=True)
def delete_expired_files() -> int:
    """Periodic: delete files past ``OPENEXTRACT_FILE_EXPIRY_DAYS`` and all derived data."""
    return maintenance.files_delete_expired()
