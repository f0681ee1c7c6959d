"""API key authentication (foundation issue): Bearer keys, 401s, and hashed storage."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import APIKey, hash_api_key
from accounts.services import api_key_revoke
from tests.api.helpers import AGENTS

pytestmark = pytest.mark.django_db


def client_with(header: str | None) -> APIClient:
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client


def test_valid_key_is_accepted(owner_key):
    response = client_with(f"Bearer {owner_key}").get(AGENTS)
    assert response.status_code == 200
    assert response.json() == []


def test_missing_header_is_401_with_json_detail(owner_key):
    response = client_with(None).get(AGENTS)
    assert response.status_code == 401
    assert response.json()["detail"] == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"] == "Bearer"


def test_wrong_key_is_rejected(owner_key):
    wrong = owner_key[:-4] + ("aaaa" if not owner_key.endswith("aaaa") else "bbbb")
    response = client_with(f"Bearer {wrong}").get(AGENTS)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid, revoked or expired API key."


def test_unknown_key_shape_is_rejected(db):
    response = client_with("Bearer not-a-key").get(AGENTS)
    assert response.status_code == 401


def test_revoked_key_is_rejected(owner_key):
    key = APIKey.objects.get(prefix="_".join(owner_key.split("_")[:2]))
    api_key_revoke(key=key)
    response = client_with(f"Bearer {owner_key}").get(AGENTS)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_stored_value_is_a_hash_not_the_key(owner_key):
    key = APIKey.objects.get(prefix="_".join(owner_key.split("_")[:2]))
    assert key.hashed_key == hash_api_key(owner_key)
    assert owner_key not in {key.hashed_key, key.prefix, key.name}
    assert len(key.hashed_key) == 64


def test_key_selects_its_own_project(owner_client, owner_project):
    response = owner_client.get(f"{AGENTS}/default")
    assert response.status_code == 200
    assert response.json()["project_id"] == str(owner_project.id)
