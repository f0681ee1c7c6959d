"""Finding 6: two attempts of one job (after cancel + rerun, or an expired lease) are fenced by
the attempt token; a cancelled attempt's result is never stored, and a job keeps its lease
when the sandbox is off."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from extraction import services
from extraction.models import ExtractionJob, ExtractionRun, JobStatus
from extraction.services import lifecycle
from extraction.worker import runtime
from tests.factories import AgentFactory, submit_job

STALE = {"invoice_number": "FROM-THE-CANCELLED-ATTEMPT"}
FRESH = {"invoice_number": "FROM-THE-CURRENT-ATTEMPT"}


def submit(project) -> ExtractionJob:
    agent = AgentFactory(project=project)
    return submit_job(project=project, agent=agent, text="Invoice INV-1")


def complete(job: ExtractionJob, token, data) -> ExtractionJob | None:
    return lifecycle.job_complete(
        job_id=str(job.pk), attempt_token=token, status=JobStatus.SUCCESS, data=data, metadata={}
    )


@pytest.mark.django_db
def test_a_cancelled_attempt_cannot_store_its_result_after_a_rerun(owner_project):
    job = submit(owner_project)
    first = lifecycle.job_start(job_id=str(job.pk))
    services.job_cancel(job=job)
    services.job_retry(job=job)
    second = lifecycle.job_start(job_id=str(job.pk))
    assert first.attempt_token != second.attempt_token
    # The cancelled attempt still runs: every write it makes is refused, and it is told to stop.
    job_id = str(job.pk)
    stale = first.attempt_token
    assert lifecycle.job_is_cancelled(job_id=job_id, attempt_token=stale)
    assert not lifecycle.job_record_progress(
        job_id=job_id, attempt_token=stale, pages_done=1, pages_total=1
    )
    assert not lifecycle.job_record_heartbeat(job_id=job_id, attempt_token=stale)
    assert complete(job, stale, STALE) is None
    assert lifecycle.job_fail(job_id=job_id, error="stale", attempt_token=stale) is None
    assert ExtractionJob.objects.get(pk=job.pk).status == JobStatus.RUNNING
    # The current attempt's result is the one stored.
    assert not lifecycle.job_is_cancelled(job_id=job_id, attempt_token=second.attempt_token)
    assert complete(job, second.attempt_token, FRESH) is not None
    assert ExtractionRun.objects.get(current_of=job).data == FRESH
    assert complete(job, stale, STALE) is None
    assert ExtractionRun.objects.get(current_of=job).data == FRESH
    # The re-run is a second run; the cancelled first one is kept, with no result.
    runs = list(ExtractionRun.objects.filter(job=job).order_by("number"))
    assert [(run.number, run.status, run.data) for run in runs] == [
        (1, "ERROR", None),
        (2, "SUCCESS", FRESH),
    ]


@pytest.mark.django_db
def test_a_cancelled_job_keeps_no_result_from_its_attempt(owner_project):
    job = submit(owner_project)
    attempt = lifecycle.job_start(job_id=str(job.pk))
    services.job_cancel(job=job)
    assert complete(job, attempt.attempt_token, STALE) is None
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert ExtractionRun.objects.get(job=job).data is None


@pytest.mark.django_db
def test_an_attempt_whose_lease_ran_out_is_fenced_off_by_the_next_claim(owner_project):
    job = submit(owner_project)
    first = lifecycle.job_start(job_id=str(job.pk))
    ExtractionJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    second = lifecycle.job_start(job_id=str(job.pk))
    assert second is not None
    assert second.attempts == 2
    assert complete(job, first.attempt_token, STALE) is None
    assert complete(job, second.attempt_token, FRESH) is not None
    assert ExtractionRun.objects.get(job=job).data == FRESH


@pytest.mark.django_db(transaction=True)
def test_without_the_sandbox_a_long_job_still_renews_its_lease(
    owner_project, settings, monkeypatch
):
    settings.SANDBOX_ENABLED = False
    settings.JOB_LEASE_SECONDS = 1  # a heartbeat every quarter second
    agent = AgentFactory(project=owner_project)
    job = ExtractionJob.objects.create(project=owner_project, agent=agent, inline_text="Total: 1")
    claimed = lifecycle.job_start(job_id=str(job.pk))
    first_lease = claimed.lease_expires_at
    seen = {}

    def slow_pipeline(job_input, *, should_cancel, **kwargs):
        time.sleep(1.5)
        seen["lease"] = ExtractionJob.objects.get(pk=job.pk).lease_expires_at
        services.job_cancel(job=job)
        time.sleep(0.8)  # the next heartbeat finds the job cancelled
        seen["told_to_stop"] = should_cancel()
        return "outcome"

    monkeypatch.setattr(runtime, "run_pipeline", slow_pipeline)
    assert runtime.run_job_pipeline(claimed) == "outcome"
    assert seen["lease"] > first_lease + dt.timedelta(seconds=0.5)
    assert seen["told_to_stop"] is True
