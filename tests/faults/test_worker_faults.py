"""Jobs survive killed workers and a broker that lost its messages (issue: reliability)."""

from __future__ import annotations

import pytest

from extraction.models import ExtractionJob, ExtractionRun, JobStatus
from tests.conftest import wait_for
from tests.factories import AgentFactory
from tests.faults.conftest import create_queued_job, sender_for
from tests.llm.fake_openai import FakeOpenAI, completion

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ANSWER = {"data": {"invoice_number": "INV-1", "total": 5}, "quotes": []}
SCHEMA = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
}


def llm_env(server: FakeOpenAI) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": server.base_url,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_MODEL": "test-model",
    }


def job_row(job: ExtractionJob) -> ExtractionJob:
    return ExtractionJob.objects.get(pk=job.pk)


def test_job_of_a_worker_killed_mid_model_call_is_redelivered_and_written_once(
    fault_worker_factory,
    private_redis,
    owner_project,
):
    calls = []

    def responder(request):
        calls.append(request)
        # The first call hangs until its worker is killed; the retry answers at once.
        return completion(ANSWER, delay=60 if len(calls) == 1 else 0)

    with FakeOpenAI(responder) as server:
        agent = AgentFactory(project=owner_project, data_schema=SCHEMA)
        worker = fault_worker_factory(**llm_env(server))
        worker.start()
        job = create_queued_job(agent, "Invoice INV-1, total 5.00", sender_for(private_redis.url))
        wait_for(lambda: job_row(job).status == JobStatus.RUNNING and len(calls) == 1, timeout=60)
        worker.kill9()

        replacement = fault_worker_factory(**llm_env(server))
        replacement.start()
        done = wait_for(lambda: (j := job_row(job)).is_terminal and j, timeout=120)

    assert done.status == JobStatus.SUCCESS, replacement.logs()
    assert done.attempts == 2
    run = ExtractionRun.objects.get(job=job)
    assert run.data == {"invoice_number": "INV-1", "total": 5}
    assert ExtractionRun.objects.filter(job=job).count() == 1


def test_job_whose_workers_keep_dying_ends_in_error_after_three_attempts(
    fault_worker_factory,
    private_redis,
    owner_project,
):
    with FakeOpenAI(lambda request: completion(ANSWER, delay=60)) as server:
        agent = AgentFactory(project=owner_project, data_schema=SCHEMA)
        job = create_queued_job(agent, "Invoice INV-1", sender_for(private_redis.url))
        for attempt in (1, 2, 3):
            worker = fault_worker_factory(**llm_env(server))
            worker.start()
            wait_for(
                lambda attempt=attempt: (
                    (j := job_row(job)).status == JobStatus.RUNNING
                    and j.attempts == attempt
                    and len(server.requests) == attempt  # killed mid-call
                ),
                timeout=60,
            )
            worker.kill9()
        last = fault_worker_factory(**llm_env(server))
        last.start()
        done = wait_for(lambda: (j := job_row(job)).is_terminal and j, timeout=60)
        requests = len(server.requests)

    assert done.status == JobStatus.ERROR
    assert done.error == "The worker stopped while processing this document (3 attempts)."
    assert requests == 3
    assert ExtractionRun.objects.get(job=job).status == "ERROR"


def test_jobs_queued_when_redis_restarts_empty_are_recovered_from_the_database(
    fault_worker_factory,
    private_redis,
    owner_project,
):
    agent = AgentFactory(project=owner_project, data_schema=SCHEMA)
    sender = sender_for(private_redis.url)
    jobs = [
        create_queued_job(agent, f"Invoice number: INV-{n}\nTotal: {n}.00", sender)
        for n in range(5)
    ]
    private_redis.stop()  # no persistence: every queued message is gone
    private_redis.start()
    fault_worker_factory().start()
    for job in jobs:
        wait_for(lambda job=job: job_row(job).status == JobStatus.SUCCESS, timeout=90)
    rows = {str(j.pk): ExtractionRun.objects.get(job=j).data for j in jobs}
    assert rows[str(jobs[3].pk)] == {"invoice_number": "INV-3", "total": 3.0}
    assert all(job_row(j).attempts == 1 for j in jobs)
