"""Shared bits of the v2 tests: paths and small request helpers (the invoice from tests.api)."""

from __future__ import annotations

from typing import Any

from extraction.tasks import extract_job
from tests.api.helpers import INVOICE_SCHEMA, INVOICE_TEXT

EXTRACT = "/api/v2/extract"
BETA = "/api/v1/beta"
FILES = f"{BETA}/files"
CONFIGURATIONS = f"{BETA}/configurations"


def beta_upload(
    client: Any,
    content: bytes = INVOICE_TEXT.encode(),
    name: str = "invoice.txt",
    **fields: str,
) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    part = SimpleUploadedFile(name, content, content_type="text/plain")
    body = {"file": part, "purpose": "extract", **fields}
    response = client.post(FILES, body, format="multipart")
    assert response.status_code == 200, response.content
    return response.json()


def create_job(client: Any, file_id: str, **configuration: Any) -> Any:
    body = {
        "file_input": file_id,
        "configuration": {"data_schema": INVOICE_SCHEMA, **configuration},
    }
    return client.post(EXTRACT, body, format="json")


def run_inline(job_id: str) -> None:
    """Run the real task body in this process (the SDK tests cover the queue)."""
    extract_job.apply(args=[job_id])
