"""Writes for webhook deliveries: one ``WebhookDelivery`` row per event and URL, then attempts.

``webhook_schedule`` is called by the job status transitions in ``services.lifecycle`` and
``services.jobs`` inside their transaction; the ``deliver_webhook`` task calls
``webhook_deliver`` once per attempt. Checking URLs, signing and sending live in ``sending``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from extraction import enqueue
from extraction.models import ExtractionJob, ExtractionRun, JobStatus, WebhookDelivery
from extraction.webhooks import sending as webhooks

EVENT_FOR_STATUS: dict[str, str] = {
    JobStatus.SUCCESS: webhooks.EVENT_SUCCESS,
    JobStatus.PARTIAL_SUCCESS: webhooks.EVENT_PARTIAL_SUCCESS,
    JobStatus.ERROR: webhooks.EVENT_ERROR,
    JobStatus.CANCELLED: webhooks.EVENT_CANCELLED,
}


def webhook_schedule(*, job: ExtractionJob, event: str) -> list[WebhookDelivery]:
    """Record one delivery per subscribed configuration and send each after commit.

    A repeated event (a retried job) reuses its row with a fresh idempotency id.
    """
    deliveries = []
    for configuration in job.webhook_configurations or []:
        if not webhooks.subscribed(configuration, event):
            continue
        delivery, _ = WebhookDelivery.objects.update_or_create(
            job=job,
            event=event,
            url=configuration["webhook_url"],
            defaults={
                "event_id": uuid.uuid4(),
                "attempt": 0,
                "status_code": None,
                "error": "",
                "delivered_at": None,
            },
        )
        deliveries.append(delivery)
        enqueue.task_send_on_commit(
            enqueue.DELIVER_WEBHOOK, args=[str(delivery.id)], queue=settings.WEBHOOK_QUEUE
        )
    return deliveries


def webhook_deliver(*, delivery_id: str) -> float | None:
    """Make one delivery attempt and record it; return seconds until the next try, or None.

    Returns None when the delivery succeeded, failed permanently, ran out of attempts, or is
    gone or already delivered (so a duplicate task is a no-op).
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("job", "job__project")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.delivered_at is not None:
            return None
        if delivery.attempt >= webhooks.MAX_ATTEMPTS:
            return None
        delivery.attempt += 1
        delivery.save(update_fields=["attempt", "updated_at"])
    job = delivery.job
    configuration: dict[str, Any] = next(
        (c for c in job.webhook_configurations if c.get("webhook_url") == delivery.url), {}
    )
    body = webhooks.build_payload(
        event=delivery.event,
        event_id=str(delivery.event_id),
        job=webhook_job_data(job=job, event=delivery.event),
        output_format=configuration.get("webhook_output_format") or "string",
    )
    timestamp = str(int(timezone.now().timestamp()))
    headers = {
        **(configuration.get("webhook_headers") or {}),
        "Content-Type": "application/json",
        "User-Agent": "OpenExtract-Webhooks/1",
        "X-OpenExtract-Event": delivery.event,
        "X-OpenExtract-Event-Id": str(delivery.event_id),
        "X-OpenExtract-Timestamp": timestamp,
        webhooks.SIGNATURE_HEADER: webhooks.sign(
            secret=job.project.webhook_secret, timestamp=timestamp, body=body
        ),
    }
    try:
        status_code = webhooks.webhook_send(url=delivery.url, body=body, headers=headers)
    except webhooks.TransportError as exc:
        delivery.status_code = exc.status_code
        delivery.error = str(exc)[:2000]
        delivery.save(update_fields=["status_code", "error", "updated_at"])
        if exc.permanent or delivery.attempt >= webhooks.MAX_ATTEMPTS:
            return None
        return webhooks.retry_countdown(delivery.attempt)
    delivery.status_code = status_code
    delivery.error = ""
    delivery.delivered_at = timezone.now()
    delivery.save(update_fields=["status_code", "error", "delivered_at", "updated_at"])
    return None


def webhook_job_data(*, job: ExtractionJob, event: str) -> dict[str, Any]:
    """What an event tells the receiver about the job (the result only on success events)."""
    status = {
        webhooks.EVENT_PENDING: JobStatus.PENDING,
        webhooks.EVENT_SUCCESS: JobStatus.SUCCESS,
        webhooks.EVENT_PARTIAL_SUCCESS: JobStatus.PARTIAL_SUCCESS,
        webhooks.EVENT_ERROR: JobStatus.ERROR,
        webhooks.EVENT_CANCELLED: JobStatus.CANCELLED,
    }.get(event, job.status)
    run = ExtractionRun.objects.filter(current_of=job).first()
    data: dict[str, Any] = {
        "job_id": str(job.id),
        "status": str(status),
        "extraction_agent_id": str(job.agent_id),
        "project_id": str(job.project_id),
        "file_id": str(job.file_id) if job.file_id else None,
        "run_id": str(run.id) if run else None,
        "error": job.error or None,
    }
    if event in (webhooks.EVENT_SUCCESS, webhooks.EVENT_PARTIAL_SUCCESS) and run is not None:
        data["data"] = run.data
        data["extraction_metadata"] = run.extraction_metadata
    return data
