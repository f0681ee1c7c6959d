"""The reaper recovers jobs whose queue message or worker was lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from config.celery_app import app as celery_app
from extraction.models import ExtractionCacheEntry, ExtractionJob, JobStatus
from extraction.services import maintenance
from tests.conftest import wait_for
from tests.factories import AgentFactory, current_run, submit_job


def submit(project) -> ExtractionJob:
    return submit_job(project=project, agent=AgentFactory(project=project), text="Total: 5")


@pytest.mark.django_db(transaction=True)
def test_pending_job_whose_message_was_lost_is_requeued_and_finishes(
    celery_worker_process, owner_project
):
    job = submit(owner_project)
    wait_for(lambda: ExtractionJob.objects.get(pk=job.pk).status == JobStatus.SUCCESS)
    # A job row whose message never reached the broker (e.g. Redis was flushed).
    lost = ExtractionJob.objects.create(
        project=owner_project,
        agent=job.agent,
        inline_text="Total: 7",
        data_schema=job.data_schema,
        config=job.config,
        queued_at=timezone.now() - dt.timedelta(minutes=5),
    )
    current_run(lost)
    assert maintenance.jobs_requeue_stale() == [str(lost.pk)]
    wait_for(lambda: ExtractionJob.objects.get(pk=lost.pk).status == JobStatus.SUCCESS)
    # Once picked up it is no longer stale.
    assert maintenance.jobs_requeue_stale() == []


@pytest.mark.django_db
def test_running_job_with_expired_lease_is_requeued_but_live_one_is_not(
    owner_project, monkeypatch, settings
):
    sent: list[str] = []
    monkeypatch.setattr(
        maintenance.enqueue, "task_send", lambda name, *, args, queue: sent.append(args[0])
    )
    dead = submit(owner_project)
    alive = submit(owner_project)
    now = timezone.now()
    ExtractionJob.objects.filter(pk=dead.pk).update(
        status=JobStatus.RUNNING,
        lease_expires_at=now - dt.timedelta(seconds=1),
        queued_at=now - dt.timedelta(minutes=5),
    )
    ExtractionJob.objects.filter(pk=alive.pk).update(
        status=JobStatus.RUNNING, lease_expires_at=now + dt.timedelta(minutes=10)
    )
    assert maintenance.jobs_requeue_stale(now=now) == [str(dead.pk)]
    assert sent == [str(dead.pk)]
    # Sent once: the next passes wait a lease for a worker to claim it.
    assert maintenance.jobs_requeue_stale(now=now + dt.timedelta(seconds=1)) == []
    later = now + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    assert maintenance.jobs_requeue_stale(now=later) == [str(dead.pk)]


@pytest.mark.django_db
def test_expired_cache_entries_are_purged(owner_project):
    now = timezone.now()
    ExtractionCacheEntry.objects.create(
        project=owner_project, key="a" * 64, data={}, expires_at=now - dt.timedelta(hours=1)
    )
    keep = ExtractionCacheEntry.objects.create(
        project=owner_project, key="b" * 64, data={}, expires_at=now + dt.timedelta(hours=1)
    )
    assert maintenance.cache_purge_expired(now=now) == 1
    assert list(ExtractionCacheEntry.objects.values_list("pk", flat=True)) == [keep.pk]


def test_beat_schedule_runs_the_reaper():
    schedule = celery_app.conf.beat_schedule
    assert schedule["requeue-stale-jobs"]["task"] == "extraction.tasks.requeue_stale_jobs"
    assert "extraction.tasks.requeue_stale_jobs" in celery_app.tasks
