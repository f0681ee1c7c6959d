"""Webhooks: per-event deliveries, signing, retries with backoff, and SSRF refusals.

Celery runs eagerly here (``task_always_eager``) so a retry runs at once instead of after its
countdown; the countdown schedule itself is checked separately.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from extraction.models import ExtractionJob, WebhookDelivery
from extraction.webhooks import sending as webhooks
from extraction.webhooks.deliveries import webhook_deliver
from tests.api.helpers import INVOICE_TEXT, V1, stateless
from tests.api.receiver import webhook_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    from config.celery_app import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    return settings


def submit(client, url: str, **config) -> dict:
    hook = {"webhook_url": url, **config}
    response = stateless(client, text=INVOICE_TEXT, webhook_configurations=[hook])
    assert response.status_code == 200, response.content
    return response.json()


def test_every_event_is_delivered_signed_with_an_idempotency_id(
    owner_client, owner_project, allow_private, eager_celery, django_capture_on_commit_callbacks
):
    with webhook_receiver() as receiver, django_capture_on_commit_callbacks(execute=True):
        job = submit(owner_client, receiver.url, webhook_headers={"X-Tenant": "acme"})
    events = [json.loads(r.body)["event_type"] for r in receiver.requests]
    assert events == ["extract.pending", "extract.success"]
    for request in receiver.requests:
        timestamp = request.headers["X-OpenExtract-Timestamp"]
        expected = hmac.new(
            owner_project.webhook_secret.encode(),
            timestamp.encode() + b"." + request.body,
            hashlib.sha256,
        ).hexdigest()
        assert request.headers["X-OpenExtract-Signature"] == f"sha256={expected}"
        assert request.headers["X-Tenant"] == "acme"
        assert request.path == "/hook"
    success = json.loads(receiver.requests[1].body)
    delivery = WebhookDelivery.objects.get(job_id=job["id"], event="extract.success")
    assert success["event_id"] == str(delivery.event_id)
    assert receiver.requests[1].headers["X-OpenExtract-Event-Id"] == str(delivery.event_id)
    data = json.loads(success["data"])  # the default output format is a JSON string
    assert data["job_id"] == job["id"]
    assert data["status"] == "SUCCESS"
    assert data["data"] == {"invoice_number": "INV-001", "total": 42.5}
    assert delivery.status_code == 200
    assert delivery.attempt == 1
    assert delivery.delivered_at


def test_event_filter_and_json_output_format(
    owner_client, allow_private, eager_celery, django_capture_on_commit_callbacks
):
    with webhook_receiver() as receiver, django_capture_on_commit_callbacks(execute=True):
        job = submit(
            owner_client,
            receiver.url,
            webhook_events=["extract.success"],
            webhook_output_format="json",
        )
    assert len(receiver.requests) == 1
    body = json.loads(receiver.requests[0].body)
    assert body["event_type"] == "extract.success"
    assert body["data"]["data"]["invoice_number"] == "INV-001"
    assert list(
        WebhookDelivery.objects.filter(job_id=job["id"]).values_list("event", flat=True)
    ) == ["extract.success"]


def test_transient_failures_are_retried_then_recorded(
    owner_client, allow_private, eager_celery, django_capture_on_commit_callbacks
):
    with (
        webhook_receiver(statuses=[500, 503, 429]) as receiver,
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = submit(owner_client, receiver.url, webhook_events=["extract.pending"])
    assert len(receiver.requests) == 4
    assert len({r.headers["X-OpenExtract-Event-Id"] for r in receiver.requests}) == 1
    delivery = WebhookDelivery.objects.get(job_id=job["id"])
    assert delivery.attempt == 4
    assert delivery.status_code == 200
    assert delivery.delivered_at is not None
    assert delivery.error == ""


def test_a_receiver_that_keeps_failing_gets_every_attempt_then_stops(
    owner_client, allow_private, eager_celery, django_capture_on_commit_callbacks
):
    with (
        webhook_receiver(statuses=[502] * 20) as receiver,
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = submit(owner_client, receiver.url, webhook_events=["extract.pending"])
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS == 6
    delivery = WebhookDelivery.objects.get(job_id=job["id"])
    assert delivery.attempt == 6
    assert delivery.status_code == 502
    assert delivery.delivered_at is None
    assert "HTTP 502" in delivery.error


def test_a_4xx_answer_is_not_retried(
    owner_client, allow_private, eager_celery, django_capture_on_commit_callbacks
):
    with (
        webhook_receiver(statuses=[410]) as receiver,
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = submit(owner_client, receiver.url, webhook_events=["extract.pending"])
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get(job_id=job["id"])
    assert delivery.attempt == 1
    assert delivery.status_code == 410
    assert delivery.delivered_at is None


def test_backoff_spreads_attempts_over_about_ten_minutes():
    waits = [webhooks.retry_countdown(n) for n in range(1, webhooks.MAX_ATTEMPTS)]
    assert waits == [20, 40, 80, 160, 320]
    assert 540 <= sum(waits) <= 720


def test_cancel_sends_the_cancelled_event(
    owner_client, allow_private, eager_celery, django_capture_on_commit_callbacks
):
    with webhook_receiver() as receiver:
        job = submit(owner_client, receiver.url, webhook_events=["extract.cancelled"])
        with django_capture_on_commit_callbacks(execute=True):
            owner_client.post(f"{V1}/extraction/jobs/{job['id']}/cancel")
    assert [json.loads(r.body)["event_type"] for r in receiver.requests] == ["extract.cancelled"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_private_addresses_are_refused_at_submission(owner_client, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = stateless(
        owner_client, text=INVOICE_TEXT, webhook_configurations=[{"webhook_url": url}]
    )
    assert response.status_code == 400
    assert "private, loopback, link-local or metadata address" in response.json()["detail"]
    assert not ExtractionJob.objects.exists()


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("file:///etc/passwd", "http or https"),
        ("gopher://example.com/", "http or https"),
        ("http://no-such-host.invalid/", "does not resolve"),
    ],
)
def test_bad_schemes_and_hosts_are_refused(owner_client, url, fragment):
    response = stateless(
        owner_client, text=INVOICE_TEXT, webhook_configurations=[{"webhook_url": url}]
    )
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_unknown_event_and_format_are_refused(owner_client, allow_private):
    hook = {"webhook_url": "http://127.0.0.1/", "webhook_events": ["extract.done"]}
    response = stateless(owner_client, text=INVOICE_TEXT, webhook_configurations=[hook])
    assert response.status_code == 400
    assert "unknown event 'extract.done'" in response.json()["detail"]
    hook = {"webhook_url": "http://127.0.0.1/", "webhook_output_format": "xml"}
    response = stateless(owner_client, text=INVOICE_TEXT, webhook_configurations=[hook])
    assert response.status_code == 400
    assert "webhook_output_format" in response.json()["detail"]


def test_an_address_refused_at_delivery_is_not_contacted(
    owner_client, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    with webhook_receiver() as receiver:
        with django_capture_on_commit_callbacks(execute=False):
            job = submit(owner_client, receiver.url, webhook_events=["extract.pending"])
        settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
        delivery = WebhookDelivery.objects.get(job_id=job["id"])
        assert webhook_deliver(delivery_id=str(delivery.id)) is None
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.attempt == 1
    assert "private" in delivery.error
    assert delivery.delivered_at is None
