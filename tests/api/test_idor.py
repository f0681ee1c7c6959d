"""Tenancy: another tenant's ids are 404 on every id-taking endpoint, forged project_id too."""

from __future__ import annotations

import pytest

from extraction.models import ExtractionAgent, ExtractionJob, ExtractionRun, SourceFile
from tests.api.helpers import AGENTS, INVOICE_SCHEMA, V1, create_agent, stateless, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(owner_client):
    agent = create_agent(owner_client, name="secret-agent")
    file = upload(owner_client)
    job = owner_client.post(
        f"{V1}/extraction/jobs",
        {"extraction_agent_id": agent["id"], "file_id": file["id"]},
        format="json",
    ).json()
    run = owner_client.get(f"{V1}/extraction/runs/by-job/{job['id']}").json()
    return {"agent": agent["id"], "file": file["id"], "job": job["id"], "run": run["id"]}


def requests_for(ids: dict[str, str]) -> list[tuple[str, str, dict | None]]:
    a, f, j, r = ids["agent"], ids["file"], ids["job"], ids["run"]
    return [
        ("get", f"{AGENTS}/{a}", None),
        ("put", f"{AGENTS}/{a}", {"data_schema": INVOICE_SCHEMA, "config": {}}),
        ("delete", f"{AGENTS}/{a}", None),
        ("get", f"{AGENTS}/by-name/secret-agent", None),
        ("post", f"{AGENTS}/schema/generate", {"file_id": f}),
        ("get", f"{V1}/files/{f}", None),
        ("get", f"{V1}/files/{f}/content", None),
        ("delete", f"{V1}/files/{f}", None),
        ("get", f"{V1}/extraction/jobs?extraction_agent_id={a}", None),
        ("post", f"{V1}/extraction/jobs", {"extraction_agent_id": a, "file_id": f}),
        ("post", f"{V1}/extraction/jobs/batch", {"extraction_agent_id": a, "file_ids": [f]}),
        ("get", f"{V1}/extraction/jobs/{j}", None),
        ("get", f"{V1}/extraction/jobs/{j}/result", None),
        ("post", f"{V1}/extraction/jobs/{j}/cancel", None),
        ("get", f"{V1}/extraction/runs?extraction_agent_id={a}", None),
        ("get", f"{V1}/extraction/runs/{r}", None),
        ("delete", f"{V1}/extraction/runs/{r}", None),
        ("get", f"{V1}/extraction/runs/by-job/{j}", None),
        ("get", f"{V1}/extraction/runs/latest-from-ui?extraction_agent_id={a}", None),
    ]


def call(client, method: str, url: str, body: dict | None):
    return (
        getattr(client, method)(url, body, format="json") if body else getattr(client, method)(url)
    )


def assert_untouched(ids: dict[str, str]) -> None:
    assert ExtractionAgent.objects.filter(pk=ids["agent"]).exists()
    assert SourceFile.objects.filter(pk=ids["file"]).exists()
    assert ExtractionJob.objects.get(pk=ids["job"]).status == "PENDING"
    assert ExtractionRun.objects.filter(pk=ids["run"]).exists()
    assert ExtractionJob.objects.count() == 1


def test_outsider_gets_404_for_every_id(owned, outsider_client):
    for method, url, body in requests_for(owned):
        response = call(outsider_client, method, url, body)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json()["detail"].endswith("not found."), url
    assert_untouched(owned)


def test_outsider_forging_the_owners_project_id_gets_404(owned, outsider_client, owner_project):
    for method, url, body in requests_for(owned):
        sep = "&" if "?" in url else "?"
        response = call(outsider_client, method, f"{url}{sep}project_id={owner_project.id}", body)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json() == {"detail": "Project not found."}
    assert_untouched(owned)


def test_outsider_stateless_run_cannot_use_the_owners_file(owned, outsider_client):
    response = stateless(outsider_client, file_id=owned["file"])
    assert response.status_code == 404
    assert ExtractionJob.objects.count() == 1


def test_outsider_cannot_read_owner_lists(owned, outsider_client):
    assert outsider_client.get(AGENTS).json() == []
    default = outsider_client.get(f"{AGENTS}/default").json()
    assert default["id"] != owned["agent"]
