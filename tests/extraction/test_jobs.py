"""Jobs through services and a real Celery worker on Redis."""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from extraction import services
from extraction.models import ExtractionJob, ExtractionRun, JobStatus, RunStatus
from extraction.tasks import extract_job
from tests.conftest import wait_for
from tests.factories import AgentFactory, submit_job


def submit_text_job(project, text: str = "Invoice number: INV-001\nTotal: 42.50") -> ExtractionJob:
    agent = AgentFactory(project=project)
    return submit_job(project=project, agent=agent, text=text)


def job_status(job_id) -> str:
    return ExtractionJob.objects.values_list("status", flat=True).get(pk=job_id)


@pytest.mark.django_db(transaction=True)
def test_job_runs_in_a_real_worker_and_reaches_a_terminal_status(
    celery_worker_process, owner_project
):
    job = submit_text_job(owner_project)
    status = wait_for(
        lambda: job_status(job.pk) if job_status(job.pk) in ("SUCCESS", "ERROR") else None
    )
    assert status == JobStatus.SUCCESS
    job.refresh_from_db()
    assert job.attempts == 1
    assert job.started_at is not None
    assert job.finished_at >= job.started_at
    run = ExtractionRun.objects.get(job=job)
    assert run.status == RunStatus.SUCCESS
    assert run.data is not None


@pytest.mark.django_db(transaction=True)
def test_duplicate_delivery_does_the_work_once(celery_worker_process, owner_project):
    job = submit_text_job(owner_project)
    # Deliver the same task twice more on top of the one job_submit enqueued.
    extract_job.apply_async(args=[str(job.pk)], queue="medium")
    extract_job.apply_async(args=[str(job.pk)], queue="medium")
    wait_for(lambda: job_status(job.pk) == JobStatus.SUCCESS)
    # Give the extra deliveries time to be consumed, then check they changed nothing.
    wait_for(lambda: _queue_is_drained(), timeout=15)
    job.refresh_from_db()
    assert job.attempts == 1
    assert ExtractionRun.objects.filter(job=job).count() == 1


def _queue_is_drained() -> bool:
    from config.celery_app import app

    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen("medium") == 0


@pytest.mark.django_db(transaction=True)
def test_jobs_are_routed_to_the_queue_of_their_priority(celery_worker_process, owner_project):
    agent = AgentFactory(project=owner_project)
    job = submit_job(project=owner_project, agent=agent, text="x", priority="critical")
    assert job.priority == "critical"
    wait_for(lambda: job_status(job.pk) == JobStatus.SUCCESS)


@pytest.mark.django_db
def test_task_skips_a_cancelled_job(owner_project):
    job = submit_text_job(owner_project)
    services.job_cancel(job=job)
    extract_job.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.attempts == 0
    assert ExtractionRun.objects.get(job=job).status == RunStatus.ERROR


@pytest.mark.django_db
def test_task_runs_inline_and_records_the_outcome(owner_project):
    job = submit_text_job(owner_project)
    extract_job.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCESS
    assert job.pages_total == job.pages_done >= 1
    # A second delivery after the job ended is a no-op.
    extract_job.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.attempts == 1


@pytest.mark.django_db
def test_cancelling_an_ended_job_is_refused(owner_project):
    job = submit_text_job(owner_project)
    extract_job.apply(args=[str(job.pk)])
    with pytest.raises(services.ConflictError, match="already ended"):
        services.job_cancel(job=ExtractionJob.objects.get(pk=job.pk))


@pytest.mark.django_db
def test_redelivered_job_fails_after_the_attempt_limit(owner_project, settings):
    job = submit_text_job(owner_project)
    # Simulate workers that died mid-job: RUNNING, lease expired, attempts used up.
    ExtractionJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=settings.JOB_MAX_ATTEMPTS, lease_expires_at=None
    )
    extract_job.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == JobStatus.ERROR
    assert job.error == (
        f"The worker stopped while processing this document ({settings.JOB_MAX_ATTEMPTS} attempts)."
    )


@pytest.mark.django_db
def test_submit_requires_a_document(owner_project):
    agent = AgentFactory(project=owner_project)
    request = services.job_request_clean(agent=agent)
    with pytest.raises(services.ServiceError, match="at least one document"):
        services.jobs_submit(project=owner_project, agent=agent, request=request, documents=[])
    assert ExtractionJob.objects.count() == 0


@pytest.mark.django_db
def test_a_short_job_costs_the_worker_seven_sql_statements(owner_project):
    """Claim (select + update), cache lookup + upsert, complete (select + job and run updates).

    Progress writes and cancellation checks wait half a second, so a short job makes none.
    """
    job = submit_text_job(owner_project)
    with CaptureQueriesContext(connection) as captured:
        extract_job.apply(args=[str(job.pk)])
    statements = [
        query["sql"].split()[0]
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))
    ]
    assert job_status(job.pk) == JobStatus.SUCCESS
    assert statements == ["SELECT", "UPDATE", "SELECT", "INSERT", "SELECT", "UPDATE", "UPDATE"]
    assert ExtractionRun.objects.get(job=job).data == {"invoice_number": "INV-001", "total": 42.5}


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_jobs(celery_worker_process, owner_project):
    """Celery would reconnect for every task (a new PostgreSQL backend per job)."""
    if connection.vendor != "postgresql":
        pytest.skip("counts PostgreSQL backends")

    def worker_backends() -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return {pid for (pid,) in cursor.fetchall()}

    seen: list[set[int]] = []
    for _ in range(6):
        job = submit_text_job(owner_project)
        wait_for(lambda job=job: job_status(job.pk) == JobStatus.SUCCESS)
        time.sleep(0.1)  # past the task's end, when Celery used to close the connection
        seen.append(worker_backends())
    assert all(seen), f"a job's worker had no open connection afterwards: {seen}"
    # The worker runs two pool processes, each with one connection for all its jobs.
    assert len(set().union(*seen)) <= 2, seen


@pytest.mark.django_db
def test_jobs_in_one_worker_thread_share_its_sandbox_child(owner_project, settings):
    """The job travels pickled to the kept child; an unpicklable one would fork every time."""
    from extraction.worker.sandbox import thread_sandbox

    assert settings.SANDBOX_ENABLED
    pids = []
    for _ in range(3):
        job = submit_text_job(owner_project)
        extract_job.apply(args=[str(job.pk)])
        assert job_status(job.pk) == JobStatus.SUCCESS
        pids.append(thread_sandbox(settings.SANDBOX_MAX_JOBS).pid)
    assert pids[0] is not None
    assert pids[0] != os.getpid()
    assert pids == [pids[0]] * 3
