"""The official SDKs against a live server, by changing only their base URL.

A live test server (pytest-django ``live_server``, in a thread of this process) takes the
requests; a real Celery worker subprocess on Redis runs the jobs against the same test
database; each SDK runs in its own virtualenv in a subprocess (see ``sdk_env``).
"""

from __future__ import annotations

import pytest

from extraction.models import ExtractionAgent, ExtractionJob, ExtractionRun, SourceFile
from tests.api.sdk_env import run_sdk_script
from tests.factories import api_key_for

pytestmark = [pytest.mark.sdk, pytest.mark.django_db(transaction=True)]
INVOICE = {"invoice_number": "INV-001", "total": 42.5}


def test_llama_cloud_1_6_client_extraction_calls(
    live_server, celery_worker_process, owner, tmp_path
):
    out = run_sdk_script(
        "llama-cloud-1.6.0",
        "llama_cloud_v1.py",
        base_url=live_server.url,
        api_key=api_key_for(owner),
        work_dir=tmp_path,
    )
    assert out["stateless_text"] == INVOICE
    assert out["run_status"] == "PENDING"
    assert out["run_agent_name"] == "default-agent"
    assert out["run_final_status"] == "SUCCESS"
    assert out["stateless_base64"] == INVOICE
    assert out["agent_get_name"] == "sdk-v1-invoices"
    assert out["agent_list"] == ["sdk-v1-invoices"]
    assert out["agent_updated_mode"] == "BALANCED"
    assert out["agent_file_job"] == {"total": 42.5}
    assert out["agent_file_job_2"] == INVOICE
    assert out["jobs_list"] == out["job_ids"]
    assert out["runs_paged"] == out["job_ids"]  # limit=1: the SDK paged with skip
    assert out["run_get_status"] == "SUCCESS"
    assert out["deleted_run"] == 404
    assert out["validated"]["properties"]["total"] == {"type": "number"}
    assert out["bad_schema"][0] == 400
    assert "/type" in out["bad_schema"][1]
    assert out["bad_page_range"] == [
        400,
        "Invalid config: page_range: page_range part '5-3' ends before it starts",
    ]
    assert out["missing_job"] == 404
    assert out["agents_after_delete"] == []
    assert not ExtractionAgent.objects.filter(name="sdk-v1-invoices").exists()
    # The three stateless jobs remain; the agent's two went with it.
    assert ExtractionJob.objects.filter(status="SUCCESS").count() == 3


def test_llama_extract_stateless_agents_and_runs(
    live_server, celery_worker_process, owner, tmp_path
):
    out = run_sdk_script(
        "llama-cloud-services-0.6.94",
        "llama_extract.py",
        base_url=live_server.url,
        api_key=api_key_for(owner),
        work_dir=tmp_path,
    )
    assert out["stateless_text"] == INVOICE
    assert out["stateless_path"] == INVOICE
    assert out["stateless_file_object"] == INVOICE
    assert out["stateless_bytes"] == INVOICE
    assert out["by_name"] is True
    assert out["by_id"] == "sdk-svc-invoices"
    assert out["listed"] == ["sdk-svc-invoices"]
    assert out["agent_extract"] == INVOICE
    assert out["agent_run_status"] == "SUCCESS"
    assert out["agent_run_file_name"] == "invoice.txt"
    assert out["agent_run_external_id"] == str(tmp_path / "invoice.txt")
    assert out["reloaded_schema_keys"] == ["total"]
    assert out["agent_extract_after_update"] == {"total": 42.5}
    assert out["runs_total"] == 2
    assert out["runs_items"] == 2
    assert out["failed_run_status"] == "ERROR"
    assert out["failed_run_error"]
    assert out["listed_after_delete"] == []
    uploaded = SourceFile.objects.get(external_file_id=str(tmp_path / "invoice.txt"))
    assert uploaded.mime_type == "text/plain"
    assert ExtractionRun.objects.filter(status="ERROR").count() == 1
