"""llama-cloud 2.19.0 against a live server, by changing only its base URL.

The live server (pytest-django ``live_server``) answers in a thread of this process, a real
Celery worker subprocess on Redis runs the jobs on the same test database, and the SDK runs in
its own cached virtualenv (``tests.api.sdk_env``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from extraction import services
from extraction.models import ExtractionJob, ExtractionRun, SavedConfiguration, SourceFile
from tests.api import sdk_env
from tests.api.helpers import INVOICE_SCHEMA, INVOICE_TEXT
from tests.factories import api_key_for, default_project, submit_job

pytestmark = [pytest.mark.sdk, pytest.mark.django_db(transaction=True)]
SDK = "llama-cloud-2.19.0"
sdk_env.SDKS.setdefault(SDK, ["llama-cloud==2.19.0"])
SCRIPT = Path(__file__).resolve().parent / "sdk_scripts" / "llama_cloud_v2.py"
INVOICE = {"invoice_number": "INV-001", "total": 42.5}


def test_llama_cloud_2_19_files_extract_and_configurations(
    live_server, celery_worker_process, owner, tmp_path
):
    key = api_key_for(owner)
    project = default_project(owner)
    v1_job = submit_job(
        project=project,
        agent=services.agent_get_or_create_default(project=project),
        text=INVOICE_TEXT,
        data_schema=INVOICE_SCHEMA,
        config={"extraction_mode": "FAST"},
    )
    (tmp_path / "v1_job_id").write_text(str(v1_job.id))
    out = sdk_env.run_sdk_script(
        SDK, str(SCRIPT), base_url=live_server.url, api_key=key, work_dir=tmp_path
    )
    assert out["v1_job"] == {"status": "COMPLETED", "result": INVOICE, "tier": "turbo"}
    file = out["file"]
    assert file["name"] == "invoice.txt"
    assert file["type"] == "txt"
    assert file["ext"] == "sdk-v2-invoice"
    assert out["file_retrieved"] == "invoice.txt"
    assert out["files_listed"] == [file["id"]]
    assert out["files_queried"] == [file["id"]]
    assert out["file_content"].startswith("Invoice number: INV-001")

    run = out["run"]
    assert run["status"] == "COMPLETED"
    assert run["result"] == INVOICE
    assert run["pages"] == 1
    stored = ExtractionRun.objects.get(job_id=out["ids"]["run"]).extraction_metadata
    assert run["document_metadata"] == stored["field_metadata"]
    assert out["created_status"] == "PENDING"
    assert out["created_tier"] == "turbo"
    assert out["waited"] == {"status": "COMPLETED", "result": INVOICE}
    assert out["expanded_tier"] == "turbo"
    # page_size=1: the SDK followed next_page_token; newest first.
    assert out["listed"] == [out["ids"]["created"], out["ids"]["run"]]
    assert out["listed_completed"] == out["listed"]

    assert out["cancelled"] == "CANCELLED"
    assert out["cancel_again"] == 400
    assert out["delete_active"] == 400
    assert out["get_deleted"] == 404
    assert out["after_deletes"] == [404, 404, 404]
    assert out["wait_on_cancelled"] != "returned"

    assert out["config"] == {
        "same_id": True,
        "tier": "turbo",
        "product_type": "extract_v2",
        "version": True,
    }
    assert out["config_renamed"] == "sdk-v2-renamed"
    assert out["config_listed"] == ["sdk-v2-renamed"]
    assert out["by_config"] == {"status": "COMPLETED", "result": INVOICE, "configuration_id": True}
    assert out["listed_by_config"] == [True]
    assert out["config_deleted"] == 404
    assert not SavedConfiguration.objects.exists()

    assert out["validated"] == {
        "type": "object",
        "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
        "required": ["invoice_number", "total"],
    }
    assert out["invalid_schema"] == 400
    assert out["agents"] == []
    assert out["bad_tier"] == 422
    assert out["file_deleted"] == 404
    assert not SourceFile.objects.filter(pk=file["id"]).exists()
    # The completed jobs remain in the store, and the SDK's jobs read in v1 too.
    assert ExtractionJob.objects.filter(status="SUCCESS").count() == 4
    v1 = APIClient()
    v1.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    v1_view = v1.get(f"/api/v1/extraction/jobs/{out['ids']['created']}/result").json()
    assert v1_view["data"] == INVOICE
