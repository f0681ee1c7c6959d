"""Oversized bodies get a JSON 413 before being read; API keys are rate limited with 429."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

AGENTS_URL = "/api/v1/extraction/extraction-agents"


@pytest.mark.django_db
def test_json_body_over_the_limit_is_refused_with_413_before_reading(owner_client, settings):
    settings.MAX_JSON_BODY_BYTES = 1000
    response = owner_client.generic(
        "POST",
        "/api/v1/extraction/run",
        "x" * 10,
        content_type="application/json",
        CONTENT_LENGTH="5000",
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is 5000 bytes; the limit is 1000 bytes."}


@pytest.mark.django_db
def test_upload_over_the_limit_is_refused_with_413(owner_client, settings):
    settings.MAX_UPLOAD_BYTES = 10
    response = owner_client.generic(
        "POST",
        "/api/v1/files",
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(5 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "upload" in response.json()["detail"]


@pytest.mark.django_db
def test_requests_over_the_rate_limit_get_429_with_retry_after(owner_key, monkeypatch):
    from accounts.throttling import APIKeyRateThrottle

    monkeypatch.setattr(APIKeyRateThrottle, "THROTTLE_RATES", {"api_key": "3/min"})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_key}")
    statuses = [client.get(AGENTS_URL).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get(AGENTS_URL)
    assert int(limited["Retry-After"]) > 0
    assert "throttled" in limited.json()["detail"].lower()


@pytest.mark.django_db
def test_api_key_in_the_query_string_is_not_accepted(owner_key):
    response = APIClient().get(AGENTS_URL, {"api_key": owner_key, "token": owner_key})
    assert response.status_code == 401
