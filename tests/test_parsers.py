"""Deeply nested JSON bodies are refused with a readable 400, never a 500."""

from __future__ import annotations

import json

import pytest

from extraction.api.parsers import json_depth_exceeds


def test_depth_scan_ignores_brackets_inside_strings():
    assert not json_depth_exceeds(json.dumps({"a": "[[[[[[[[[[" * 20}).encode(), 5)
    assert json_depth_exceeds(b'{"a": [[[[[[1]]]]]]}', 5)
    assert not json_depth_exceeds(b'{"a": "\\"[[[[[[[["}', 2)


@pytest.mark.django_db
def test_deeply_nested_body_gets_400(owner_client):
    body = '{"data_schema": ' + "[" * 100_000 + "]" * 100_000 + ', "config": {}, "text": "x"}'
    response = owner_client.post("/api/v1/extraction/run", body, content_type="application/json")
    assert response.status_code == 400
    assert "nests deeper than 64 levels" in response.json()["detail"]


@pytest.mark.django_db
def test_malformed_json_gets_400_with_detail(owner_client):
    response = owner_client.post(
        "/api/v1/extraction/run", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
