"""Schemas and results keep their key order through the database (jsonb would sort them)."""

from __future__ import annotations

import pytest

from extraction.models import ExtractionAgent, ExtractionRun
from extraction.tasks import extract_job

ORDER = ["zeta", "a", "mid_field", "b"]
SCHEMA = {"type": "object", "properties": {name: {"type": ["string", "null"]} for name in ORDER}}


@pytest.mark.django_db
def test_schema_and_result_key_order_survive_storage_and_the_api(owner_client, owner_project):
    created = owner_client.post(
        "/api/v1/extraction/extraction-agents",
        {"name": "ordered", "data_schema": SCHEMA, "config": {}},
        format="json",
    )
    assert created.status_code == 200
    assert list(created.json()["data_schema"]["properties"]) == ORDER
    agent = ExtractionAgent.objects.get(name="ordered")
    assert list(ExtractionAgent.objects.get(pk=agent.pk).data_schema["properties"]) == ORDER
    fetched = owner_client.get(f"/api/v1/extraction/extraction-agents/{agent.pk}").json()
    assert list(fetched["data_schema"]["properties"]) == ORDER

    job = owner_client.post(
        "/api/v1/extraction/run",
        {
            "config": {},
            "data_schema": SCHEMA,
            "text": "Zeta: one\nA: two\nMid field: three\nB: four",
        },
        format="json",
    ).json()
    extract_job.apply(args=[job["id"]])
    run = ExtractionRun.objects.get(job_id=job["id"])
    assert list(run.data) == ORDER
    result = owner_client.get(f"/api/v1/extraction/jobs/{job['id']}/result").json()
    assert list(result["data"]) == ORDER
