"""Hostile or malformed input gets a clear 4xx and stores nothing."""

from __future__ import annotations

import base64

import pytest

from extraction.models import ExtractionJob, SourceFile

RUN_URL = "/api/v1/extraction/run"
SCHEMA = {"type": "object", "properties": {"total": {"type": "number"}}}


def run(client, **body):
    return client.post(RUN_URL, {"config": {}, "data_schema": SCHEMA, **body}, format="json")


@pytest.mark.django_db
def test_text_over_a_million_characters_is_refused(owner_client):
    response = run(owner_client, text="x" * 1_000_001)
    assert response.status_code in (400, 413, 422)
    assert "1000000" in str(response.json()["detail"]).replace(",", "")
    assert ExtractionJob.objects.count() == 0


@pytest.mark.django_db
def test_text_with_nul_characters_is_refused(owner_client):
    response = run(owner_client, text="Total: 5\x00")
    assert response.status_code in (400, 422)
    assert (
        "NUL" in str(response.json()["detail"])
        or "null character" in str(response.json()["detail"]).lower()
    )
    assert ExtractionJob.objects.count() == 0


@pytest.mark.django_db
def test_invalid_base64_is_refused(owner_client):
    response = run(owner_client, file={"data": "not base64!!", "mime_type": "application/pdf"})
    assert response.status_code in (400, 422)
    assert "base64" in str(response.json()["detail"]).lower()
    assert ExtractionJob.objects.count() == 0


@pytest.mark.django_db
def test_lying_mime_type_is_overridden_by_the_content(owner_client):
    data = base64.b64encode(b"Invoice number: INV-7\nTotal: 12.00").decode()
    response = run(owner_client, file={"data": data, "mime_type": "application/pdf"})
    assert response.status_code == 200
    stored = SourceFile.objects.get()
    assert stored.mime_type.startswith("text/")


@pytest.mark.django_db
def test_unsupported_content_is_refused_naming_the_type(owner_client):
    data = base64.b64encode(b"\x7fELF\x02\x01\x01" + b"\x00" * 64).decode()
    response = run(owner_client, file={"data": data, "mime_type": "application/pdf"})
    assert response.status_code in (400, 415, 422)
    assert ExtractionJob.objects.count() == 0


@pytest.mark.django_db
def test_path_traversal_in_file_names_never_reaches_the_storage_path(owner_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("../../etc/passwd", b"Total: 5", content_type="text/plain")
    response = owner_client.post("/api/v1/files", {"upload_file": upload}, format="multipart")
    assert response.status_code == 200
    stored = SourceFile.objects.get()
    assert stored.name.startswith("passwd")
    assert "/" not in stored.name
    assert ".." not in stored.content.name
    assert "passwd" not in stored.content.name
