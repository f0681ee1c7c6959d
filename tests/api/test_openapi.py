"""The OpenAPI schema lists every v1 endpoint with its request and response shapes."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.django_db

EXPECTED = {
    ("/api/v1/extraction/run", "post"): "ExtractJob",
    ("/api/v1/extraction/jobs", "get"): None,
    ("/api/v1/extraction/jobs", "post"): "ExtractJob",
    ("/api/v1/extraction/jobs/file", "post"): "ExtractJob",
    ("/api/v1/extraction/jobs/batch", "post"): None,
    ("/api/v1/extraction/jobs/{job_id}", "get"): "ExtractJob",
    ("/api/v1/extraction/jobs/{job_id}/result", "get"): "ExtractResultset",
    ("/api/v1/extraction/jobs/{job_id}/cancel", "post"): "ExtractJob",
    ("/api/v1/extraction/runs", "get"): "PaginatedExtractRunsResponse",
    ("/api/v1/extraction/runs/{run_id}", "get"): "ExtractRun",
    ("/api/v1/extraction/runs/{run_id}", "delete"): None,
    ("/api/v1/extraction/runs/by-job/{job_id}", "get"): "ExtractRun",
    ("/api/v1/extraction/runs/latest-from-ui", "get"): "ExtractRun",
    ("/api/v1/extraction/extraction-agents", "get"): None,
    ("/api/v1/extraction/extraction-agents", "post"): "ExtractAgent",
    ("/api/v1/extraction/extraction-agents/{agent_id}", "get"): "ExtractAgent",
    ("/api/v1/extraction/extraction-agents/{agent_id}", "put"): "ExtractAgent",
    ("/api/v1/extraction/extraction-agents/{agent_id}", "delete"): None,
    ("/api/v1/extraction/extraction-agents/by-name/{name}", "get"): "ExtractAgent",
    ("/api/v1/extraction/extraction-agents/default", "get"): "ExtractAgent",
    ("/api/v1/extraction/extraction-agents/schema/validation", "post"): "ExtractSchema",
    ("/api/v1/extraction/extraction-agents/schema/generate", "post"): "ExtractSchema",
    ("/api/v1/files", "post"): "File",
    ("/api/v1/files/{file_id}", "get"): "File",
    ("/api/v1/files/{file_id}", "delete"): None,
    ("/api/v1/files/{file_id}/content", "get"): "PresignedUrl",
}


def test_schema_documents_every_endpoint(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    for (path, method), component in EXPECTED.items():
        operation = schema["paths"][path][method]
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        if component:
            assert body["$ref"] == f"#/components/schemas/{component}", (path, method)
    assert schema["components"]["securitySchemes"]["APIKey"]["scheme"] == "bearer"
    job = schema["components"]["schemas"]["ExtractJob"]
    assert set(job["required"]) >= {"id", "extraction_agent", "status"}
    assert job["properties"]["status"]["allOf"][0]["$ref"].endswith("ExtractJobStatusEnum")
    assert schema["components"]["schemas"]["ExtractJobStatusEnum"]["enum"] == [
        "PENDING",
        "SUCCESS",
        "ERROR",
        "PARTIAL_SUCCESS",
        "CANCELLED",
    ]
    stateless = schema["paths"]["/api/v1/extraction/run"]["post"]["requestBody"]["content"]
    fields = schema["components"]["schemas"]["StatelessRunRequest"]["properties"]
    assert "application/json" in stateless
    assert {"config", "data_schema", "text", "file"} <= set(fields)


def test_swagger_ui_is_served(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_swagger_ui_assets_are_served_locally_not_from_a_cdn(client):
    page = client.get("/api/docs/").content.decode()
    assert "cdn.jsdelivr" not in page
    assert "unpkg.com" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
