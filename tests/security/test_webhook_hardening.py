"""Findings 4 (webhooks could stall every tenant's jobs) and 13 (6to4 got past the guard)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from celery.signals import before_task_publish
from django.conf import settings

from extraction.models import ExtractionJob, WebhookDelivery
from extraction.webhooks import sending as webhooks
from tests.api.helpers import INVOICE_TEXT, stateless
from tests.api.receiver import webhook_receiver
from tests.conftest import ROOT, database_url_for_subprocess, wait_for

# --- 13: IPv4 addresses inside IPv6 ------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254 (metadata)
        "2002:c0a8:0101::1",  # 6to4 of 192.168.1.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
        "::ffff:127.0.0.1",
        "::127.0.0.1",
    ],
)
def test_ipv4_private_addresses_embedded_in_ipv6_are_refused(address):
    assert not webhooks._address_is_public(address)


@pytest.mark.parametrize("address", ["2002:808:808::1", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses_embedded_in_ipv6_pass(address):
    assert webhooks._address_is_public(address)


@pytest.mark.django_db
def test_a_6to4_loopback_webhook_is_refused_at_submission(owner_client):
    hook = {"webhook_url": "http://[2002:7f00:1::1]:8080/hook"}
    response = stateless(owner_client, text=INVOICE_TEXT, webhook_configurations=[hook])
    assert response.status_code == 400
    assert "private" in response.json()["detail"]
    assert ExtractionJob.objects.count() == 0


# --- 4: a cap per job, DNS with a timeout, a deadline per attempt, a queue of their own --------


@pytest.mark.django_db
def test_more_webhooks_than_the_cap_is_422(owner_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    hooks = [{"webhook_url": f"http://127.0.0.1:9/{n}"} for n in range(11)]
    response = stateless(owner_client, text=INVOICE_TEXT, webhook_configurations=hooks)
    assert response.status_code == 422
    assert "at most 10" in response.json()["detail"]
    assert "webhook_configurations" in response.json()["detail"]
    assert ExtractionJob.objects.count() == 0
    allowed = stateless(owner_client, text=INVOICE_TEXT, webhook_configurations=hooks[:10])
    assert allowed.status_code == 200


def test_a_name_that_resolves_slowly_is_given_up(monkeypatch, settings):
    settings.WEBHOOK_DNS_TIMEOUT_SECONDS = 0.2
    real = socket.getaddrinfo

    def slow(host, *args, **kwargs):
        if host == "slow.example":
            time.sleep(3)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    with pytest.raises(webhooks.TransportError) as caught:
        webhooks.resolve_target("http://slow.example/hook")
    assert "did not resolve within 0.2 s" in str(caught.value)
    assert not caught.value.permanent  # DNS may recover: the delivery is retried


class DripReceiver:
    """Answers a POST with headers, then one body byte every ``interval`` seconds for
    ``seconds``: each socket read succeeds, the answer never completes in time."""

    def __init__(self, seconds: float = 20.0, interval: float = 0.2):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/hook"
        self.seconds, self.interval = seconds, interval
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        connection, _ = self.server.accept()
        with connection:
            connection.recv(65536)
            length = int(self.seconds / self.interval)
            connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n".encode())
            try:
                for _ in range(length):
                    connection.sendall(b"x")
                    time.sleep(self.interval)
            except OSError:
                pass  # the sender hung up: what a deadline does


def test_one_attempt_has_a_total_deadline_against_a_slow_drip(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    receiver = DripReceiver()
    with pytest.raises(webhooks.TransportError) as caught:
        webhooks.webhook_send(url=receiver.url, body=b"{}", headers={}, timeout=1.0)
    assert "no complete answer within 1 s" in str(caught.value)
    assert not caught.value.permanent


@pytest.fixture
def published():
    messages: list[tuple[str, str]] = []

    def record(sender=None, routing_key=None, **kwargs):
        messages.append((sender, routing_key))

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)


@pytest.mark.django_db
def test_deliveries_go_to_the_webhooks_queue_not_the_job_queues(
    owner_client, settings, published, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert settings.WEBHOOK_QUEUE == "webhooks"
    assert "webhooks" not in settings.JOB_QUEUES
    with django_capture_on_commit_callbacks(execute=True):
        hook = {"webhook_url": "http://127.0.0.1:9/hook"}
        stateless(owner_client, text=INVOICE_TEXT, webhook_configurations=[hook])
    assert ("extraction.tasks.deliver_webhook", "webhooks") in published
    assert all(queue == "webhooks" for task, queue in published if task.endswith("webhook"))


@pytest.fixture(scope="module")
def webhook_worker(django_db_setup, django_db_blocker):
    """Two real workers, as make run must start them: one on the job queues, one on
    ``webhooks`` alone (``celery -A config worker -Q webhooks``)."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the worker tests need a real Redis broker")
    from config.celery_app import app

    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": settings.REDIS_URL,
        "OPENEXTRACT_DATA_DIR": str(settings.DATA_DIR),
        "OPENEXTRACT_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "OPENEXTRACT_WEBHOOK_ALLOW_PRIVATE": "true",
        "OPENEXTRACT_WEBHOOK_TIMEOUT": "1",
    }
    processes = []
    for name, queues in (("jobs", ",".join(settings.JOB_QUEUES)), ("hooks", "webhooks")):
        hostname = f"sec-{name}-{os.getpid()}@%h"
        log = (settings.DATA_DIR / f"sec-{name}-{os.getpid()}.log").open("wb")
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues]
        command += ["--concurrency=1", "--hostname", hostname, "--without-gossip"]
        command += ["--without-mingle", "--loglevel=INFO"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        processes.append((process, hostname.split("@")[0], log))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=0.5)
            names = " ".join(name for reply in replies for name in reply)
            if all(short in names for _, short, _ in processes):
                break
        else:
            raise RuntimeError("workers did not start")
        yield
    finally:
        for process, _, log in processes:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


@pytest.mark.django_db(transaction=True)
def test_a_stalled_receiver_holds_neither_jobs_nor_its_own_worker(
    owner_client, webhook_worker, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    stalled = DripReceiver(seconds=60)
    with webhook_receiver() as healthy:
        first = stateless(
            owner_client,
            text=INVOICE_TEXT,
            webhook_configurations=[{"webhook_url": stalled.url}],
        ).json()
        second = stateless(
            owner_client,
            text=INVOICE_TEXT,
            webhook_configurations=[{"webhook_url": healthy.url}],
        ).json()
        # Both jobs finish while the first receiver still drips its answer...
        for job in (first, second):
            wait_for(
                lambda job=job: ExtractionJob.objects.get(pk=job["id"]).status == "SUCCESS",
                timeout=60,
            )
        # ...and the healthy receiver gets its events from the webhooks worker.
        wait_for(lambda: len(healthy.requests) >= 2, timeout=60)
    events = [json.loads(r.body)["event_type"] for r in healthy.requests]
    assert events == ["extract.pending", "extract.success"]
    stalled_delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(
            job_id=first["id"], event="extract.pending", error__contains="no complete answer"
        ).first(),
        timeout=30,
    )
    assert stalled_delivery.delivered_at is None
