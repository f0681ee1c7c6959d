"""Tenancy: another tenant's ids are 404 on every id-taking v2 and beta endpoint."""

from __future__ import annotations

import pytest

from extraction.models import ExtractionJob, SavedConfiguration, SourceFile
from tests.api.helpers import INVOICE_SCHEMA
from tests.api_v2.helpers import CONFIGURATIONS, EXTRACT, FILES, beta_upload, create_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(owner_client) -> dict[str, str]:
    file = beta_upload(owner_client)
    configuration = owner_client.post(
        CONFIGURATIONS,
        {
            "name": "secret",
            "parameters": {"product_type": "extract_v2", "data_schema": INVOICE_SCHEMA},
        },
        format="json",
    ).json()
    job = create_job(owner_client, file["id"]).json()
    return {"file": file["id"], "configuration": configuration["id"], "job": job["id"]}


def requests_for(ids: dict[str, str]) -> list[tuple[str, str, dict | None]]:
    f, c, j = ids["file"], ids["configuration"], ids["job"]
    config = {"data_schema": INVOICE_SCHEMA}
    return [
        ("get", f"{EXTRACT}/{j}", None),
        ("get", f"{EXTRACT}/ext-{j}?expand=configuration", None),
        ("post", f"{EXTRACT}/{j}/cancel", None),
        ("delete", f"{EXTRACT}/{j}?force=true", None),
        ("post", EXTRACT, {"file_input": f, "configuration": config}),
        ("post", EXTRACT, {"file_input": f"dfl-{f}", "configuration": config}),
        ("post", f"{EXTRACT}/schema/generate", {"file_id": f}),
        ("get", f"{FILES}/{f}", None),
        ("get", f"{FILES}/{f}/content", None),
        ("delete", f"{FILES}/{f}", None),
        ("get", f"{CONFIGURATIONS}/{c}", None),
        ("put", f"{CONFIGURATIONS}/{c}", {"name": "mine-now"}),
        ("delete", f"{CONFIGURATIONS}/{c}", None),
    ]


def call(client, method: str, url: str, body: dict | None):
    return (
        getattr(client, method)(url, body, format="json") if body else getattr(client, method)(url)
    )


def test_outsider_gets_404_everywhere_and_changes_nothing(owned, outsider_client):
    for method, url, body in requests_for(owned):
        response = call(outsider_client, method, url, body)
        assert response.status_code == 404, (method, url, response.content)
        assert "not found" in response.json()["detail"].lower()
    assert ExtractionJob.objects.get(pk=owned["job"]).status == "PENDING"
    assert SourceFile.objects.filter(pk=owned["file"]).exists()
    assert SavedConfiguration.objects.get(pk=owned["configuration"]).name == "secret"


def test_outsider_cannot_run_a_job_on_anothers_configuration(owned, outsider_client):
    own_file = beta_upload(outsider_client)
    response = outsider_client.post(
        EXTRACT,
        {"file_input": own_file["id"], "configuration_id": owned["configuration"]},
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "Configuration not found."


def test_outsider_lists_see_nothing_of_the_owner(owned, outsider_client):
    for url in (
        EXTRACT,
        f"{EXTRACT}?file_input={owned['file']}",
        f"{EXTRACT}?configuration_id={owned['configuration']}",
        f"{EXTRACT}?job_ids={owned['job']}",
        FILES,
        f"{FILES}?file_ids={owned['file']}",
        CONFIGURATIONS,
        "/api/v1/beta/extraction-agents?include_default=true",
    ):
        page = outsider_client.get(url).json()
        assert page["items"] == [], url
        assert page["next_page_token"] is None, url


def test_a_forged_project_id_is_refused(owned, owner_client, outsider):
    from tests.factories import default_project

    other = default_project(outsider)
    response = owner_client.get(f"{EXTRACT}/{owned['job']}?project_id={other.id}")
    assert response.status_code in (403, 404)
