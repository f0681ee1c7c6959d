"""/api/v2/extract: create, get with expand, statuses, options, errors, cancel and delete."""

from __future__ import annotations

import pytest

from extraction.models import (
    ExtractionJob,
    ExtractionJobConfiguration,
    ExtractionRun,
    JobStatus,
    SourceFile,
)
from tests.api.helpers import INVOICE_SCHEMA, INVOICE_TEXT, V1, stateless
from tests.api_v2.helpers import EXTRACT, beta_upload, create_job, run_inline

pytestmark = pytest.mark.django_db
INVOICE = {"invoice_number": "INV-001", "total": 42.5}


@pytest.fixture
def file_id(owner_client) -> str:
    return beta_upload(owner_client)["id"]


def test_create_answers_a_pending_job_echoing_its_configuration(
    owner_client, owner_project, file_id
):
    response = create_job(owner_client, file_id, tier="cost_effective")
    assert response.status_code == 200, response.content
    job = response.json()
    assert job["status"] == "PENDING"
    assert job["file_input"] == file_id
    assert job["project_id"] == str(owner_project.id)
    assert job["configuration"] == {"data_schema": INVOICE_SCHEMA, "tier": "cost_effective"}
    assert job["configuration_id"] is None
    assert job["error_message"] is None
    assert job["extract_result"] is None
    assert "created_at" in job
    assert "updated_at" in job
    stored = ExtractionJob.objects.get(pk=job["id"])
    assert stored.agent.is_default
    assert stored.file_id is not None
    assert stored.config["extraction_mode"] == "BALANCED"
    assert ExtractionRun.objects.filter(job=stored, status="PENDING").exists()


def test_job_completes_with_the_extracted_values(owner_client, file_id):
    job = create_job(owner_client, file_id).json()
    run_inline(job["id"])
    done = owner_client.get(f"{EXTRACT}/{job['id']}").json()
    assert done["status"] == "COMPLETED"
    assert done["extract_result"] == INVOICE
    assert done["metadata"]["usage"] == {"num_pages_extracted": 1, "num_pages_billed": 1}
    assert "configuration" not in done
    assert "extract_metadata" not in done
    assert "usage" not in done
    expanded = owner_client.get(
        f"{EXTRACT}/{job['id']}?expand=configuration&expand=extract_metadata&expand=usage"
    ).json()
    assert expanded["configuration"]["data_schema"] == INVOICE_SCHEMA
    assert set(expanded["extract_metadata"]["field_metadata"]) == {"document_metadata"}
    assert expanded["usage"] == {"credits": None, "extract_credits": None, "parse_credits": None}


def test_prefixed_file_ids_are_accepted(owner_client, file_id):
    response = create_job(owner_client, f"dfl-{file_id}")
    assert response.status_code == 200, response.content
    assert response.json()["file_input"] == file_id
    job_id = response.json()["id"]
    assert owner_client.get(f"{EXTRACT}/ext-{job_id}").json()["id"] == job_id


def test_cite_sources_includes_extract_metadata_without_expand(owner_client, file_id):
    job = create_job(owner_client, file_id, cite_sources=True, confidence_scores=True).json()
    run_inline(job["id"])
    done = owner_client.get(f"{EXTRACT}/{job['id']}").json()
    assert done["extract_result"] == INVOICE
    metadata = done["extract_metadata"]
    assert metadata["parse_job_id"] is None
    assert isinstance(metadata["field_metadata"]["document_metadata"], dict)
    run = ExtractionRun.objects.get(job_id=job["id"])
    assert metadata["field_metadata"]["document_metadata"] == (
        run.extraction_metadata.get("field_metadata") or {}
    )


@pytest.mark.parametrize(
    ("configuration", "expected"),
    [
        ({"tier": "turbo"}, {"extraction_mode": "FAST"}),
        ({"tier": "cost_effective"}, {"extraction_mode": "BALANCED"}),
        ({"tier": "agentic"}, {"extraction_mode": "PREMIUM"}),
        ({"tier": "agentic_plus"}, {"extraction_mode": "PREMIUM"}),
        ({"target_pages": "2,4-6"}, {"page_range": "2,4-6"}),
        ({"max_pages": 3}, {"page_range": "1-3"}),
        ({"target_pages": "2,4-9", "max_pages": 3}, {"page_range": "2,4-5"}),
        ({"target_pages": "1-4,3-6", "max_pages": 5}, {"page_range": "1-4,5"}),
        ({"disable_cache": True}, {"invalidate_cache": True}),
        ({"cite_sources": True}, {"cite_sources": True}),
        ({"confidence_scores": True}, {"confidence_scores": True}),
        ({"advanced_citations": True}, {"citation_bbox": True}),
        ({"system_prompt": "Amounts are in EUR."}, {"system_prompt": "Amounts are in EUR."}),
        ({"extraction_target": "per_page"}, {"extraction_target": "PER_PAGE"}),
        ({"extraction_target": "per_table_row"}, {"extraction_target": "PER_TABLE_ROW"}),
        ({"version": "latest", "parse_tier": "fast"}, {"extraction_mode": "BALANCED"}),
    ],
)
def test_configuration_maps_onto_the_job_config(owner_client, file_id, configuration, expected):
    response = create_job(owner_client, file_id, **configuration)
    assert response.status_code == 200, response.content
    stored = ExtractionJob.objects.get(pk=response.json()["id"])
    for key, value in expected.items():
        assert stored.config[key] == value, key
    assert response.json()["configuration"] == {"data_schema": INVOICE_SCHEMA, **configuration}


def test_per_page_results_are_arrays_with_page_metadata(owner_client, file_id):
    job = create_job(owner_client, file_id, extraction_target="per_page").json()
    run_inline(job["id"])
    done = owner_client.get(f"{EXTRACT}/{job['id']}?expand=extract_metadata").json()
    assert done["status"] == "COMPLETED"
    assert done["extract_result"] == [INVOICE]
    assert set(done["extract_metadata"]["field_metadata"]) == {"page_metadata"}


def test_target_pages_beyond_the_document_fails_the_job_readably(owner_client, file_id):
    job = create_job(owner_client, file_id, target_pages="5-6").json()
    run_inline(job["id"])
    done = owner_client.get(f"{EXTRACT}/{job['id']}").json()
    assert done["status"] == "FAILED"
    assert "selects no page" in done["error_message"]
    assert done["extract_result"] is None


def test_partial_success_reads_as_completed_with_the_error_in_metadata(owner_client, file_id):
    job = create_job(owner_client, file_id).json()
    run_inline(job["id"])
    ExtractionJob.objects.filter(pk=job["id"]).update(
        status=JobStatus.PARTIAL_SUCCESS, error="Extraction failed on page(s) 2: timeout"
    )
    done = owner_client.get(f"{EXTRACT}/{job['id']}").json()
    assert done["status"] == "COMPLETED"
    assert done["error_message"] is None
    assert done["extract_result"] == INVOICE
    assert done["metadata"]["partial_success"] is True
    assert done["metadata"]["error"] == "Extraction failed on page(s) 2: timeout"


def test_running_job_reads_as_running(owner_client, file_id):
    job = create_job(owner_client, file_id).json()
    ExtractionJob.objects.filter(pk=job["id"]).update(status=JobStatus.RUNNING)
    assert owner_client.get(f"{EXTRACT}/{job['id']}").json()["status"] == "RUNNING"


@pytest.mark.parametrize(
    ("configuration", "loc"),
    [
        ({"tier": "premium"}, ["body", "configuration", "tier"]),
        ({"extraction_target": "PER_DOC"}, ["body", "configuration", "extraction_target"]),
        ({"max_pages": 0}, ["body", "configuration", "max_pages"]),
        ({"cite_sources": "maybe"}, ["body", "configuration", "cite_sources"]),
        ({"parse_tier": "slow"}, ["body", "configuration", "parse_tier"]),
    ],
)
def test_wrongly_typed_configuration_is_a_fastapi_422(owner_client, file_id, configuration, loc):
    count = ExtractionJob.objects.count()
    response = create_job(owner_client, file_id, **configuration)
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert any(error["loc"] == loc and error["msg"] and error["type"] for error in errors)
    assert ExtractionJob.objects.count() == count


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"configuration": {"data_schema": INVOICE_SCHEMA, "target_pages": "0"}}, 400, "target"),
        ({"configuration": {"data_schema": INVOICE_SCHEMA, "target_pages": "4-2"}}, 400, "ends"),
        ({"configuration": {"data_schema": {"type": "strin"}}}, 400, "Invalid data_schema"),
        ({}, 400, "exactly one of configuration or configuration_id"),
        (
            {"configuration": {"data_schema": INVOICE_SCHEMA}, "configuration_id": "x"},
            404,
            "Configuration not found",
        ),
        (
            {"configuration": {"data_schema": INVOICE_SCHEMA, "parse_config_id": "cfg-1"}},
            400,
            "parse_config_id is not supported",
        ),
        (
            {"configuration": {"data_schema": INVOICE_SCHEMA}, "webhook_configuration_ids": ["w"]},
            400,
            "Saved webhook configurations are not supported",
        ),
        (
            {
                "configuration": {"data_schema": INVOICE_SCHEMA},
                "webhook_configurations": [{"webhook_url": "http://127.0.0.1:1/hook"}],
            },
            400,
            "webhook_configurations[0]",
        ),
    ],
)
def test_bad_requests_are_refused_readably_and_store_nothing(
    owner_client, file_id, body, status, fragment
):
    count = ExtractionJob.objects.count()
    response = owner_client.post(EXTRACT, {"file_input": file_id, **body}, format="json")
    assert response.status_code == status, response.content
    assert fragment in str(response.json()["detail"])
    assert ExtractionJob.objects.count() == count


def test_missing_file_input_is_422_and_unknown_files_404(owner_client):
    response = owner_client.post(
        EXTRACT, {"configuration": {"data_schema": INVOICE_SCHEMA}}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file_input"]
    missing = create_job(owner_client, "dfl-00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "File not found."
    assert create_job(owner_client, "not-an-id").status_code == 404
    parse_job = create_job(owner_client, "pjb-123")
    assert parse_job.status_code == 400
    assert "Parse API" in parse_job.json()["detail"]


def test_cancel_a_pending_job_then_cancel_again_is_400(owner_client, file_id):
    job = create_job(owner_client, file_id).json()
    response = owner_client.post(f"{EXTRACT}/{job['id']}/cancel")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "CANCELLED"
    assert response.json()["error_message"] == "Cancelled by the user."
    assert ExtractionJob.objects.get(pk=job["id"]).status == JobStatus.CANCELLED
    again = owner_client.post(f"{EXTRACT}/{job['id']}/cancel")
    assert again.status_code == 400
    assert "already ended" in again.json()["detail"]


def test_delete_refuses_an_active_job_unless_forced(owner_client, file_id):
    job = create_job(owner_client, file_id).json()
    refused = owner_client.delete(f"{EXTRACT}/{job['id']}")
    assert refused.status_code == 400
    assert "force=true" in refused.json()["detail"]
    assert ExtractionJob.objects.filter(pk=job["id"]).exists()
    forced = owner_client.delete(f"{EXTRACT}/{job['id']}?force=true")
    assert forced.status_code == 200
    assert forced.json() == {}
    assert not ExtractionJob.objects.filter(pk=job["id"]).exists()
    assert not ExtractionRun.objects.filter(job_id=job["id"]).exists()
    assert not ExtractionJobConfiguration.objects.filter(job_id=job["id"]).exists()
    assert SourceFile.objects.filter(pk=file_id).exists()
    assert owner_client.get(f"{EXTRACT}/{job['id']}").status_code == 404


def test_delete_a_finished_job(owner_client, file_id):
    job = create_job(owner_client, file_id).json()
    run_inline(job["id"])
    assert owner_client.delete(f"{EXTRACT}/{job['id']}").status_code == 200
    assert not ExtractionJob.objects.filter(pk=job["id"]).exists()
    assert owner_client.delete(f"{EXTRACT}/{job['id']}").status_code == 404


def test_a_v1_job_reads_in_v2(owner_client):
    uploaded = beta_upload(owner_client)
    v1_job = stateless(
        owner_client,
        file_id=uploaded["id"],
        config={"extraction_mode": "FAST", "page_range": "1", "cite_sources": True},
    ).json()
    run_inline(v1_job["id"])
    job = owner_client.get(f"{EXTRACT}/{v1_job['id']}?expand=configuration").json()
    assert job["status"] == "COMPLETED"
    assert job["extract_result"] == INVOICE
    assert job["file_input"] == uploaded["id"]
    assert job["configuration_id"] is None
    configuration = job["configuration"]
    assert configuration["tier"] == "turbo"
    assert configuration["target_pages"] == "1"
    assert configuration["extraction_target"] == "per_doc"
    assert configuration["cite_sources"]
    assert configuration["data_schema"] == INVOICE_SCHEMA
    text_job = stateless(owner_client, text=INVOICE_TEXT).json()
    assert owner_client.get(f"{EXTRACT}/{text_job['id']}").json()["file_input"] == ""


def test_a_v2_job_reads_in_v1(owner_client, file_id):
    job = create_job(owner_client, file_id, tier="turbo").json()
    pending = owner_client.get(f"{V1}/extraction/jobs/{job['id']}").json()
    assert pending["status"] == "PENDING"
    assert pending["file_id"] == file_id
    assert pending["extraction_agent"]["name"] == "default-agent"
    run_inline(job["id"])
    assert owner_client.get(f"{V1}/extraction/jobs/{job['id']}").json()["status"] == "SUCCESS"
    result = owner_client.get(f"{V1}/extraction/jobs/{job['id']}/result").json()
    assert result["data"] == INVOICE
    run = owner_client.get(f"{V1}/extraction/runs/by-job/{job['id']}").json()
    assert run["config"]["extraction_mode"] == "FAST"
    assert run["data_schema"] == INVOICE_SCHEMA


def test_schema_validation_answers_the_schema_or_400(owner_client):
    ok = owner_client.post(
        f"{EXTRACT}/schema/validation", {"data_schema": INVOICE_SCHEMA}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json() == {"data_schema": INVOICE_SCHEMA}
    bad = owner_client.post(
        f"{EXTRACT}/schema/validation",
        {"data_schema": {"type": "object", "properties": {"x": {"type": "strin"}}}},
        format="json",
    )
    assert bad.status_code == 400
    assert "Invalid data_schema" in bad.json()["detail"]
    assert owner_client.post(f"{EXTRACT}/schema/validation", {}, format="json").status_code == 422


def test_schema_generation_answers_an_extract_v2_configuration(owner_client, file_id):
    response = owner_client.post(
        f"{EXTRACT}/schema/generate", {"file_id": f"dfl-{file_id}", "name": "inv"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "inv"
    assert body["parameters"]["product_type"] == "extract_v2"
    properties = body["parameters"]["data_schema"]["properties"]
    assert {"invoice_number", "total"} <= set(properties)
    empty = owner_client.post(f"{EXTRACT}/schema/generate", {}, format="json")
    assert empty.status_code == 400


def test_webhook_configurations_deliver_the_job_events(
    owner_client, file_id, settings, django_capture_on_commit_callbacks
):
    import json

    from config.celery_app import app
    from tests.api.receiver import webhook_receiver

    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    app.conf.task_always_eager = True
    try:
        with webhook_receiver() as receiver, django_capture_on_commit_callbacks(execute=True):
            body = {
                "file_input": file_id,
                "configuration": {"data_schema": INVOICE_SCHEMA},
                "webhook_configurations": [
                    {
                        "webhook_url": receiver.url,
                        "webhook_events": ["extract.success"],
                        "webhook_output_format": "json",
                    }
                ],
            }
            job = owner_client.post(EXTRACT, body, format="json").json()
    finally:
        app.conf.task_always_eager = False
    payloads = [json.loads(request.body) for request in receiver.requests]
    assert [p["event_type"] for p in payloads] == ["extract.success"]
    assert payloads[0]["data"]["job_id"] == job["id"]
    assert payloads[0]["data"]["data"] == INVOICE
    assert owner_client.get(f"{EXTRACT}/{job['id']}").json()["status"] == "COMPLETED"
