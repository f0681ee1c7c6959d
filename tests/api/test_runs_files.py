"""Runs (paging envelope, by-job, delete, latest-from-ui) and files (upload, content URL)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from extraction.models import ExtractionRun, SourceFile
from extraction.tasks import extract_job
from tests.api.helpers import INVOICE_TEXT, V1, create_agent, upload

pytestmark = pytest.mark.django_db
RUNS = f"{V1}/extraction/runs"


def submit(client, agent_id: str, *, from_ui: bool = False) -> dict:
    file_id = upload(client)["id"]
    query = "?from_ui=true" if from_ui else ""
    response = client.post(
        f"{V1}/extraction/jobs{query}",
        {"extraction_agent_id": agent_id, "file_id": file_id},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_runs_page_with_skip_limit_total(owner_client):
    agent = create_agent(owner_client)
    jobs = [submit(owner_client, agent["id"]) for _ in range(3)]
    first = owner_client.get(f"{RUNS}?extraction_agent_id={agent['id']}&skip=0&limit=2").json()
    assert (first["skip"], first["limit"], first["total"]) == (0, 2, 3)
    second = owner_client.get(f"{RUNS}?extraction_agent_id={agent['id']}&skip=2&limit=2").json()
    ids = {run["job_id"] for run in first["items"] + second["items"]}
    assert ids == {job["id"] for job in jobs}
    run = first["items"][0]
    for key in ("config", "data_schema", "extraction_agent_id", "from_ui", "project_id"):
        assert run[key] is not None
    assert run["status"] == "PENDING"


def test_run_get_and_delete_after_the_job_ended(owner_client):
    agent = create_agent(owner_client)
    job = submit(owner_client, agent["id"])
    run = owner_client.get(f"{RUNS}/by-job/{job['id']}").json()
    refused = owner_client.delete(f"{RUNS}/{run['id']}")
    assert refused.status_code == 400
    assert "still in progress" in refused.json()["detail"]
    extract_job.apply(args=[job["id"]])
    fetched = owner_client.get(f"{RUNS}/{run['id']}").json()
    assert fetched["status"] == "SUCCESS"
    assert fetched["data"] == {"invoice_number": "INV-001", "total": 42.5}
    response = owner_client.delete(f"{RUNS}/{run['id']}")
    assert response.status_code == 200
    assert response.json() == {}
    assert not ExtractionRun.objects.filter(pk=run["id"]).exists()


def test_latest_from_ui_is_null_then_the_newest_ui_run(owner_client):
    agent = create_agent(owner_client)
    submit(owner_client, agent["id"])
    response = owner_client.get(f"{RUNS}/latest-from-ui?extraction_agent_id={agent['id']}")
    assert response.status_code == 200
    assert response.content == b"null"
    ui_job = submit(owner_client, agent["id"], from_ui=True)
    latest = owner_client.get(f"{RUNS}/latest-from-ui?extraction_agent_id={agent['id']}").json()
    assert latest["job_id"] == ui_job["id"]
    assert latest["from_ui"] is True


def test_upload_takes_metadata_from_the_query_string(owner_client, owner_project):
    uploaded = upload(owner_client, query="?external_file_id=/tmp/x/invoice.txt")
    assert uploaded["name"] == "invoice.txt"
    assert uploaded["external_file_id"] == "/tmp/x/invoice.txt"
    assert uploaded["project_id"] == str(owner_project.id)
    assert uploaded["file_size"] == len(INVOICE_TEXT)
    assert uploaded["file_type"] == "txt"
    assert SourceFile.objects.get(pk=uploaded["id"]).mime_type == "text/plain"


def test_raw_bytes_upload_is_typed_from_the_content(owner_client):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    part = SimpleUploadedFile("upload", pdf, content_type="application/octet-stream")
    response = owner_client.post(f"{V1}/files", {"upload_file": part}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["file_type"] == "pdf"
    assert body["name"] == "upload.pdf"
    assert SourceFile.objects.get(pk=body["id"]).mime_type == "application/pdf"


def test_upload_without_the_part_is_422(owner_client):
    response = owner_client.post(f"{V1}/files", {}, format="multipart")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "upload_file"]


def test_empty_upload_is_400(owner_client):
    part = SimpleUploadedFile("a.txt", b"", content_type="text/plain")
    response = owner_client.post(f"{V1}/files", {"upload_file": part}, format="multipart")
    assert response.status_code in (400, 422)
    assert not SourceFile.objects.exists()


def test_content_url_downloads_without_credentials_until_it_expires(owner_client, client):
    uploaded = upload(owner_client)
    presigned = owner_client.get(f"{V1}/files/{uploaded['id']}/content").json()
    assert presigned["url"].startswith("http://testserver/api/v1/files/download/")
    expires = dt.datetime.fromisoformat(presigned["expires_at"].replace("Z", "+00:00"))
    assert dt.timedelta(seconds=500) < expires - timezone.now() <= dt.timedelta(seconds=600)
    download = client.get(presigned["url"].removeprefix("http://testserver"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == INVOICE_TEXT.encode()
    tampered = client.get(presigned["url"].removeprefix("http://testserver")[:-2] + "xx")
    assert tampered.status_code == 403
    later = timezone.now() + dt.timedelta(seconds=700)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        expired = client.get(presigned["url"].removeprefix("http://testserver"))
    assert expired.status_code == 403
    assert expired.json()["detail"] == "This download link has expired."


def test_file_get_and_delete(owner_client):
    uploaded = upload(owner_client)
    assert owner_client.get(f"{V1}/files/{uploaded['id']}").json()["id"] == uploaded["id"]
    response = owner_client.delete(f"{V1}/files/{uploaded['id']}")
    assert response.status_code == 200
    assert response.json() == {}
    assert owner_client.get(f"{V1}/files/{uploaded['id']}").status_code == 404
