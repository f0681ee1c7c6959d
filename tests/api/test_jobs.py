"""Stateless runs and agent jobs: shapes, statuses, results, cancel, batch, multipart."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from extraction.models import ExtractionJob, ExtractionRun, JobStatus, SourceFile
from extraction.tasks import extract_job
from tests.api.helpers import INVOICE_SCHEMA, INVOICE_TEXT, V1, b64, create_agent, stateless, upload

pytestmark = pytest.mark.django_db
JOBS = f"{V1}/extraction/jobs"


def run_inline(job_id: str) -> None:
    """Run the real task body in this process (the worker tests cover the queue)."""
    extract_job.apply(args=[job_id])


def test_stateless_text_run_answers_a_pending_job_embedding_the_default_agent(
    owner_client, owner_project
):
    response = stateless(owner_client, text=INVOICE_TEXT)
    assert response.status_code == 200, response.content
    job = response.json()
    assert job["status"] == "PENDING"
    assert job["error"] is None
    assert job["file"] is None
    assert job["file_id"] is None
    agent = job["extraction_agent"]
    assert agent["name"] == "default-agent"
    assert agent["project_id"] == str(owner_project.id)
    assert isinstance(agent["data_schema"], dict)
    assert isinstance(agent["config"], dict)
    stored = ExtractionJob.objects.get(pk=job["id"])
    assert stored.inline_text == INVOICE_TEXT
    assert stored.data_schema == INVOICE_SCHEMA
    assert ExtractionRun.objects.get(job=stored).status == "PENDING"


def test_stateless_run_extracts_the_values(owner_client):
    job = stateless(owner_client, text=INVOICE_TEXT).json()
    run_inline(job["id"])
    assert owner_client.get(f"{JOBS}/{job['id']}").json()["status"] == "SUCCESS"
    result = owner_client.get(f"{JOBS}/{job['id']}/result").json()
    assert result["extraction_agent_id"] == job["extraction_agent"]["id"]
    assert result["data"] == {"invoice_number": "INV-001", "total": 42.5}
    assert isinstance(result["extraction_metadata"], dict)
    run = owner_client.get(f"{V1}/extraction/runs/by-job/{job['id']}").json()
    assert run["id"] == result["run_id"]
    assert run["status"] == "SUCCESS"
    assert run["data"] == result["data"]
    assert run["data_schema"] == INVOICE_SCHEMA


def test_stateless_base64_file_run_stores_a_file_with_every_field(owner_client):
    response = stateless(owner_client, file={"data": b64(INVOICE_TEXT), "mime_type": "text/plain"})
    assert response.status_code == 200, response.content
    job = response.json()
    file = job["file"]
    assert job["file_id"] == file["id"]
    assert file["file_size"] == len(INVOICE_TEXT)
    assert file["file_type"] == "txt"
    for key in (
        "external_file_id",
        "purpose",
        "expires_at",
        "created_at",
        "last_modified_at",
        "data_source_id",
        "permission_info",
        "resource_info",
        "updated_at",
    ):
        assert key in file
    run_inline(job["id"])
    result = owner_client.get(f"{JOBS}/{job['id']}/result").json()
    assert result["data"]["invoice_number"] == "INV-001"


def test_stateless_file_id_run(owner_client):
    uploaded = upload(owner_client)
    job = stateless(owner_client, file_id=uploaded["id"]).json()
    assert job["file_id"] == uploaded["id"]
    assert job["file"]["name"] == "invoice.txt"


def test_running_job_reads_as_pending(owner_client):
    job = stateless(owner_client, text=INVOICE_TEXT).json()
    ExtractionJob.objects.filter(pk=job["id"]).update(status=JobStatus.RUNNING)
    assert owner_client.get(f"{JOBS}/{job['id']}").json()["status"] == "PENDING"


def test_result_of_an_unfinished_job_is_400(owner_client):
    job = stateless(owner_client, text=INVOICE_TEXT).json()
    response = owner_client.get(f"{JOBS}/{job['id']}/result")
    assert response.status_code == 400
    assert "not finished" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (
            {"text": INVOICE_TEXT, "file": {"data": b64("x"), "mime_type": "text/plain"}},
            400,
            "exactly one of text, file or file_id (got text, file)",
        ),
        ({}, 400, "Provide exactly one of text, file or file_id."),
        ({"text": "  \n "}, 400, "text is empty."),
        (
            {"file": {"data": "not base64!!", "mime_type": "text/plain"}},
            400,
            "file.data is not valid base64",
        ),
        ({"text": INVOICE_TEXT, "config": {"page_range": "0"}}, 400, "page numbers start at 1"),
        ({"text": INVOICE_TEXT, "config": {"page_range": "5-3"}}, 400, "ends before it starts"),
        (
            {"text": INVOICE_TEXT, "config": {"page_range": "a"}},
            400,
            "'a' is not a page number or range",
        ),
        (
            {"text": INVOICE_TEXT, "config": {"page_range": "1,,2"}},
            400,
            "'' is not a page number or range",
        ),
        (
            {"text": INVOICE_TEXT, "config": {"extraction_mode": "TURBO"}},
            400,
            "'TURBO' is not one of FAST",
        ),
        (
            {"text": INVOICE_TEXT, "config": {"extract_model": "gpt-99"}},
            400,
            "unknown model 'gpt-99'",
        ),
        (
            {"text": INVOICE_TEXT, "data_schema": {"properties": {"a": {"type": "money"}}}},
            400,
            "/properties/a/type",
        ),
        ({"text": INVOICE_TEXT, "data_schema": "{not json"}, 400, "not valid JSON"),
        (
            {"text": INVOICE_TEXT, "webhook_configurations": [{"webhook_url": "ftp://x.test/"}]},
            400,
            "http or https",
        ),
    ],
)
def test_stateless_submission_errors_store_nothing(owner_client, body, status, fragment):
    response = stateless(owner_client, **body)
    assert response.status_code == status, response.content
    assert fragment in response.json()["detail"]
    assert not ExtractionJob.objects.exists()
    assert not SourceFile.objects.exists()


def test_stateless_missing_config_is_a_422(owner_client):
    response = owner_client.post(
        f"{V1}/extraction/run", {"data_schema": INVOICE_SCHEMA, "text": "x"}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "config"]


def test_agent_job_uses_overrides_and_lists_as_bare_array(owner_client):
    agent = create_agent(owner_client)
    uploaded = upload(owner_client)
    override = {"type": "object", "properties": {"invoice_number": {"type": "string"}}}
    response = owner_client.post(
        JOBS,
        {
            "extraction_agent_id": agent["id"],
            "file_id": uploaded["id"],
            "data_schema_override": override,
            "config_override": {"extraction_mode": "FAST"},
            "priority": "high",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    job = response.json()
    assert job["extraction_agent"]["id"] == agent["id"]
    assert job["file_id"] == uploaded["id"]
    stored = ExtractionJob.objects.get(pk=job["id"])
    assert stored.data_schema == override
    assert stored.config["extraction_mode"] == "FAST"
    assert stored.priority == "high"
    listed = owner_client.get(f"{JOBS}?extraction_agent_id={agent['id']}").json()
    assert [item["id"] for item in listed] == [job["id"]]
    run_inline(job["id"])
    result = owner_client.get(f"{JOBS}/{job['id']}/result").json()
    assert result["data"] == {"invoice_number": "INV-001"}


def test_job_list_without_agent_id_is_422(owner_client):
    response = owner_client.get(JOBS)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "extraction_agent_id"]


def test_job_on_multipart_file_takes_json_string_overrides(owner_client):
    agent = create_agent(owner_client)
    part = SimpleUploadedFile("upload", INVOICE_TEXT.encode(), "application/octet-stream")
    response = owner_client.post(
        f"{JOBS}/file",
        {
            "extraction_agent_id": agent["id"],
            "file": part,
            "data_schema_override": json.dumps(
                {"type": "object", "properties": {"total": {"type": "number"}}}
            ),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    job = response.json()
    source = SourceFile.objects.get(pk=job["file_id"])
    assert source.mime_type == "text/plain"
    assert source.name == "upload.txt"
    run_inline(job["id"])
    assert owner_client.get(f"{JOBS}/{job['id']}/result").json()["data"] == {"total": 42.5}


def test_multipart_job_with_bad_override_stores_nothing(owner_client):
    agent = create_agent(owner_client)
    part = SimpleUploadedFile("a.txt", b"hello", "text/plain")
    response = owner_client.post(
        f"{JOBS}/file",
        {
            "extraction_agent_id": agent["id"],
            "file": part,
            "config_override": '{"chunk_mode": "X"}',
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "chunk_mode" in response.json()["detail"]
    assert not SourceFile.objects.exists()


def test_batch_creates_one_job_per_file(owner_client):
    agent = create_agent(owner_client)
    files = [upload(owner_client, name=f"{n}.txt")["id"] for n in range(3)]
    response = owner_client.post(
        f"{JOBS}/batch", {"extraction_agent_id": agent["id"], "file_ids": files}, format="json"
    )
    assert response.status_code == 200, response.content
    jobs = response.json()
    assert sorted(job["file_id"] for job in jobs) == sorted(files)
    assert ExtractionJob.objects.count() == 3


def test_batch_with_an_unknown_file_creates_nothing(owner_client):
    agent = create_agent(owner_client)
    real = upload(owner_client)["id"]
    response = owner_client.post(
        f"{JOBS}/batch",
        {
            "extraction_agent_id": agent["id"],
            "file_ids": [real, "00000000-0000-0000-0000-000000000000"],
        },
        format="json",
    )
    assert response.status_code == 404
    assert not ExtractionJob.objects.exists()


def test_cancel_gives_cancelled_job_and_an_error_run(owner_client):
    job = stateless(owner_client, text=INVOICE_TEXT).json()
    response = owner_client.post(f"{JOBS}/{job['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "CANCELLED"
    run = owner_client.get(f"{V1}/extraction/runs/by-job/{job['id']}").json()
    assert run["status"] == "ERROR"
    assert run["error"] == "Cancelled by the user."
    run_inline(job["id"])  # a late delivery of the task does nothing
    assert ExtractionJob.objects.get(pk=job["id"]).status == JobStatus.CANCELLED
    again = owner_client.post(f"{JOBS}/{job['id']}/cancel")
    assert again.status_code == 400
    assert "already ended with status CANCELLED" in again.json()["detail"]


def test_failed_job_has_an_error_run(owner_client):
    broken_pdf = b64("%PDF-1.7\nthis is not really a PDF")
    job = stateless(owner_client, file={"data": broken_pdf, "mime_type": "application/pdf"}).json()
    run_inline(job["id"])
    polled = owner_client.get(f"{JOBS}/{job['id']}").json()
    assert polled["status"] == "ERROR"
    assert polled["error"]
    run = owner_client.get(f"{V1}/extraction/runs/by-job/{job['id']}").json()
    assert run["status"] == "ERROR"
    assert run["error"] == polled["error"]
