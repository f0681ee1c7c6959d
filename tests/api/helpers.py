"""Shared bits of the API tests: the invoice schema and small request helpers."""

from __future__ import annotations

import base64
from typing import Any

INVOICE_TEXT = "Invoice number: INV-001\nTotal: 42.50 USD\n"
INVOICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
    "required": ["invoice_number", "total"],
}
V1 = "/api/v1"
AGENTS = f"{V1}/extraction/extraction-agents"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def create_agent(client: Any, name: str = "invoices", **extra: Any) -> dict[str, Any]:
    body = {"name": name, "data_schema": INVOICE_SCHEMA, "config": {}, **extra}
    response = client.post(AGENTS, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def upload(
    client: Any, content: bytes = INVOICE_TEXT.encode(), name: str = "invoice.txt", query: str = ""
) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    part = SimpleUploadedFile(name, content, content_type="text/plain")
    response = client.post(f"{V1}/files{query}", {"upload_file": part}, format="multipart")
    assert response.status_code == 200, response.content
    return response.json()


def stateless(client: Any, **body: Any) -> Any:
    payload = {"config": {}, "data_schema": INVOICE_SCHEMA, **body}
    return client.post(f"{V1}/extraction/run", payload, format="json")
