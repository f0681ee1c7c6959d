"""Runs, not overwrites: a job run again keeps its earlier runs; the APIs read the newest."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from extraction import services
from extraction.models import ExtractionJob, ExtractionRun, JobStatus, RunStatus
from extraction.tasks import extract_job
from tests.factories import AgentFactory, submit_job

TEXT = "Invoice number: INV-001\nTotal: 42.50\nCurrency: EUR"
SCHEMA = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
}
WIDER = {
    "type": "object",
    "properties": {**SCHEMA["properties"], "currency": {"type": "string"}},
}


def run_now(job: ExtractionJob) -> ExtractionJob:
    """Run the job's queued attempt in this process (the queue is not under test here)."""
    extract_job.apply(args=[str(job.pk)])
    return ExtractionJob.objects.select_related("run").get(pk=job.pk)


@pytest.fixture
def finished(owner_project):
    agent = AgentFactory(project=owner_project, data_schema=SCHEMA)
    return run_now(submit_job(project=owner_project, agent=agent, text=TEXT))


@pytest.mark.django_db
def test_a_rerun_with_a_new_schema_is_a_new_run_and_the_first_one_stays(finished):
    first = finished.run
    assert (first.number, first.status) == (1, RunStatus.SUCCESS)
    assert first.data == {"invoice_number": "INV-001", "total": 42.5}
    assert first.data_schema == SCHEMA

    request = services.job_request_clean(agent=finished.agent, data_schema=WIDER, from_ui=True)
    second = services.job_rerun(
        job=finished, data_schema=request.data_schema, config=request.config.to_dict()
    )
    assert (second.number, second.status, second.data) == (2, RunStatus.PENDING, None)
    job = run_now(finished)

    assert job.status == JobStatus.SUCCESS
    assert job.run_id == second.id
    assert job.run.data == {"invoice_number": "INV-001", "total": 42.5, "currency": "EUR"}
    assert job.run.data_schema == WIDER
    assert job.data_schema == WIDER
    # A changed schema has a key of its own: the first run's cached result is not reused.
    assert job.run.extraction_metadata["cache"]["hit"] is False
    first.refresh_from_db()
    assert first.data == {"invoice_number": "INV-001", "total": 42.5}
    assert first.data_schema == SCHEMA
    assert list(job.runs.order_by("number").values_list("number", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_run_again_extracts_afresh_while_the_same_request_would_hit_the_cache(finished):
    services.job_rerun(job=finished)
    cached = run_now(finished).run
    assert cached.extraction_metadata["cache"]["hit"] is True

    services.job_rerun(job=finished, ignore_cache=True)
    fresh = run_now(finished).run
    assert fresh.number == 3
    assert fresh.config["invalidate_cache"] is True
    assert fresh.extraction_metadata["cache"]["hit"] is False
    assert fresh.data == cached.data


@pytest.mark.django_db
def test_an_active_job_is_not_rerun(owner_project):
    agent = AgentFactory(project=owner_project, data_schema=SCHEMA)
    job = submit_job(project=owner_project, agent=agent, text=TEXT)
    with pytest.raises(services.ConflictError):
        services.job_rerun(job=job)
    assert ExtractionRun.objects.filter(job=job).count() == 1


@pytest.mark.django_db
def test_the_apis_answer_with_the_newest_run_and_list_one_run_per_job(finished, owner_client):
    services.job_rerun(job=finished, data_schema=WIDER)
    job = run_now(finished)

    result = owner_client.get(f"/api/v1/extraction/jobs/{job.id}/result").json()
    assert result["run_id"] == str(job.run_id)
    assert result["data"]["currency"] == "EUR"
    by_job = owner_client.get(f"/api/v1/extraction/runs/by-job/{job.id}").json()
    assert by_job["id"] == str(job.run_id)
    listed = owner_client.get(
        "/api/v1/extraction/runs", {"extraction_agent_id": str(job.agent_id)}
    ).json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == str(job.run_id)
    v2 = owner_client.get(f"/api/v2/extract/{job.id}").json()
    assert v2["extract_result"]["currency"] == "EUR"
    # The earlier run is still there by its id.
    first = job.runs.get(number=1)
    assert owner_client.get(f"/api/v1/extraction/runs/{first.id}").json()["data"] == {
        "invoice_number": "INV-001",
        "total": 42.5,
    }


@pytest.mark.django_db
def test_deleting_the_current_run_leaves_the_earlier_ones(finished, owner_client):
    services.job_rerun(job=finished)
    job = run_now(finished)
    services.run_delete(run=job.run)
    job.refresh_from_db()
    assert job.run is None
    assert owner_client.get(f"/api/v1/extraction/jobs/{job.id}/result").status_code == 404
    assert list(job.runs.values_list("number", flat=True)) == [1]
    # Run again afterwards: numbered after the runs that remain.
    assert services.job_rerun(job=job).number == 2


MIGRATION_BEFORE = ("extraction", "0005_job_attempt_token")
MIGRATION_AFTER = ("extraction", "0006_job_runs_history_and_agent_workspaces")


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_each_existing_run_its_jobs_first_and_current(owner_project):
    executor = MigrationExecutor(connection)
    executor.migrate([MIGRATION_BEFORE])
    old = executor.loader.project_state([MIGRATION_BEFORE]).apps
    Agent, Job, Run = (
        old.get_model("extraction", name)
        for name in ("ExtractionAgent", "ExtractionJob", "ExtractionRun")
    )
    agent = Agent.objects.create(project_id=owner_project.id, name="old", data_schema=SCHEMA)
    config = {"cite_sources": True}
    with_run = Job.objects.create(
        project_id=owner_project.id,
        agent=agent,
        inline_text=TEXT,
        data_schema=SCHEMA,
        config=config,
        status="SUCCESS",
    )
    run = Run.objects.create(
        job=with_run,
        project_id=owner_project.id,
        agent=agent,
        data={"total": 42.5},
        status="SUCCESS",
    )
    without_run = Job.objects.create(project_id=owner_project.id, agent=agent, inline_text=TEXT)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([MIGRATION_AFTER])
    migrated = ExtractionJob.objects.get(pk=with_run.pk)
    assert migrated.run_id == run.pk
    assert (migrated.run.number, migrated.run.data) == (1, {"total": 42.5})
    assert migrated.run.data_schema == SCHEMA
    assert migrated.run.config == config
    assert ExtractionJob.objects.get(pk=without_run.pk).run is None

    # Backwards: one run per job again, the job's current one.
    extra = ExtractionRun.objects.create(
        job=migrated, number=2, project=owner_project, agent_id=agent.pk, status="SUCCESS"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([MIGRATION_BEFORE])
    old = executor.loader.project_state([MIGRATION_BEFORE]).apps
    assert list(
        old.get_model("extraction", "ExtractionRun").objects.values_list("pk", flat=True)
    ) == [run.pk]
    assert extra.pk != run.pk
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
