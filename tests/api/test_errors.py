"""Every API error is JSON with a readable detail: 404 URLs, 405, 400 parse errors, 500."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.helpers import AGENTS, V1

pytestmark = pytest.mark.django_db


def test_unknown_api_url_is_json_404(owner_client):
    response = owner_client.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found: /api/v1/nothing/here"}


def test_unknown_id_is_json_404(owner_client):
    response = owner_client.get(f"{V1}/extraction/jobs/not-a-uuid")
    assert response.status_code == 404
    assert response.json() == {"detail": "Extraction job not found."}


def test_wrong_method_is_json_405(owner_client):
    response = owner_client.patch(f"{AGENTS}/default")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PATCH" not allowed.'}


def test_malformed_json_is_400(owner_client):
    response = owner_client.generic(
        "POST", f"{V1}/extraction/run", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_non_object_body_is_422(owner_client):
    response = owner_client.post(f"{V1}/extraction/run", [1, 2], format="json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


def test_forbidden_project_is_json_403(owner_client, owner):
    from accounts.services import project_create

    other = project_create(organization=owner.memberships.first().organization, name="Other")
    response = owner_client.get(f"{AGENTS}?project_id={other.id}")
    assert response.status_code == 403
    assert response.json() == {"detail": "This API key is not valid for the requested project."}


def test_server_error_under_api_is_json(owner_client, owner_key, monkeypatch):
    from extraction import selectors

    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "agents_for_project", boom)
    client = Client(raise_request_exception=False)
    response = client.get(AGENTS, HTTP_AUTHORIZATION=f"Bearer {owner_key}")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error; it has been logged."}


def test_non_api_404_stays_html(client):
    response = client.get("/definitely-not-a-page")
    assert response.status_code == 404
    assert "application/json" not in response["Content-Type"]


def test_oversized_body_is_json_413(owner_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = owner_client.post(
        f"{V1}/extraction/run", {"text": "x" * (2 * 1024 * 1024)}, format="multipart"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than the 1 MB limit."}
