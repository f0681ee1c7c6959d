"""A model endpoint that fails for a while: jobs retry and finish; one that keeps failing trips a
circuit breaker that stops new jobs from calling it."""

from __future__ import annotations

import pytest
from celery.exceptions import Retry
from django.core.cache import cache

from extraction.models import ExtractionJob, ExtractionRun, JobStatus
from extraction.tasks import extract_job
from extraction.worker.circuit import (
    circuit_open_for,
    circuit_record_failure,
    circuit_record_success,
)
from tests.factories import AgentFactory, submit_job
from tests.llm.fake_openai import FakeOpenAI, completion, error

ANSWER = {"data": {"invoice_number": "INV-1", "total": 5}, "quotes": []}
SCHEMA = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
}


@pytest.fixture
def llm_settings(settings):
    def configure(base_url: str) -> None:
        settings.OPENAI_BASE_URL = base_url
        settings.OPENAI_API_KEY = "sk-test"
        settings.OPENAI_MODEL = "test-model"
        settings.SANDBOX_ENABLED = False
        settings.CIRCUIT_FAILURE_THRESHOLD = 2
        settings.CIRCUIT_OPEN_SECONDS = 30

    cache.clear()
    yield configure
    cache.clear()


def submit(project) -> ExtractionJob:
    agent = AgentFactory(project=project, data_schema=SCHEMA, config={})
    return submit_job(project=project, agent=agent, text="Invoice INV-1, total 5.00")


@pytest.mark.django_db
def test_endpoint_failing_for_a_while_slows_the_job_which_then_finishes(
    llm_settings, owner_project
):
    script = [error(500), error(429, **{"Retry-After": "0"}), error(503), completion(ANSWER)]
    with FakeOpenAI(script) as server:
        llm_settings(server.base_url)
        job = submit(owner_project)
        extract_job.apply(args=[str(job.pk)])
        calls = len(server.requests)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCESS, job.error
    assert calls == 4
    assert ExtractionRun.objects.get(job=job).data == {"invoice_number": "INV-1", "total": 5}


@pytest.mark.django_db
def test_open_circuit_keeps_new_jobs_pending_without_calling_the_endpoint(
    llm_settings, owner_project
):
    with FakeOpenAI([completion(ANSWER)]) as server:
        llm_settings(server.base_url)
        assert not circuit_record_failure(server.base_url)
        assert circuit_record_failure(server.base_url)  # second failure in a row opens it
        assert 0 < circuit_open_for(server.base_url) <= 30
        job = submit(owner_project)
        with pytest.raises(Retry):
            extract_job.apply(args=[str(job.pk)], throw=True)
        assert server.requests == []
        job.refresh_from_db()
        assert job.status == JobStatus.PENDING
        assert job.attempts == 0

        circuit_record_success(server.base_url)
        assert circuit_open_for(server.base_url) == 0
        extract_job.apply(args=[str(job.pk)])
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCESS
        assert len(server.requests) == 1


@pytest.mark.django_db
def test_jobs_failing_on_the_endpoint_open_the_circuit(llm_settings, owner_project, settings):
    with FakeOpenAI([error(500)]) as server:
        llm_settings(server.base_url)
        settings.OPENAI_TIMEOUT_SECONDS = 2
        settings.LLM_MAX_RETRIES = 0
        settings.JOB_MAX_ATTEMPTS = 1
        for _ in range(2):
            job = submit(owner_project)
            extract_job.apply(args=[str(job.pk)])
            job.refresh_from_db()
            assert job.status == JobStatus.ERROR
        assert circuit_open_for(server.base_url) > 0
