"""Findings 2 ($ref fan-out), 10 (hostile request shapes) and 14 (config bounds).

Each hostile request gets a JSON 4xx naming the problem, and nothing is stored.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from extraction.models import ExtractionAgent, ExtractionJob, SourceFile
from extraction.pipeline.schemas import MAX_RESOLVED_NODES, SchemaError, load_schema
from tests.api.helpers import AGENTS, INVOICE_SCHEMA, INVOICE_TEXT, V1

RUN = f"{V1}/extraction/run"


def ref_fan_out(levels: int) -> dict:
    """Each level references the one below twice: 2**levels nodes once inlined."""
    defs = {"l0": {"type": "string"}}
    for level in range(1, levels + 1):
        below = {"$ref": f"#/$defs/l{level - 1}"}
        defs[f"l{level}"] = {"type": "object", "properties": {"a": below, "b": dict(below)}}
    return {"type": "object", "$defs": defs, "properties": {"root": {"$ref": f"#/$defs/l{levels}"}}}


def nested_string(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- 2: $ref fan-out ---------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [17, 22])
def test_a_schema_whose_refs_multiply_is_refused_as_over_limit(levels):
    with pytest.raises(SchemaError) as caught:
        load_schema(ref_fan_out(levels))
    assert caught.value.over_limit
    assert "$ref" in str(caught.value) or "nests deeper" in str(caught.value)


def test_the_budget_counts_nodes_while_resolving():
    # 2**15 leaves plus their parents pass the budget: refused, not expanded to the end.
    assert 2**15 < MAX_RESOLVED_NODES < 2**17
    with pytest.raises(SchemaError, match="expands to more than"):
        load_schema(ref_fan_out(16))
    load_schema(ref_fan_out(6))  # a few levels of shared definitions stay fine


@pytest.mark.django_db
def test_the_api_answers_422_naming_the_fan_out(owner_client):
    for body in (
        {"name": "bomb", "data_schema": ref_fan_out(18), "config": {}},
        {"name": "bomb", "data_schema": json.dumps(ref_fan_out(18)), "config": {}},
    ):
        response = owner_client.post(AGENTS, body, format="json")
        assert response.status_code == 422, response.content
        assert "data_schema" in response.json()["detail"]
        assert "$refs" in response.json()["detail"]
    assert not ExtractionAgent.objects.filter(name="bomb").exists()


# --- 10: nesting, charsets, chunked uploads, unknown API paths ----------------------------------


@pytest.mark.django_db
def test_a_schema_string_nested_100k_deep_is_4xx(owner_client):
    body = {"text": INVOICE_TEXT, "data_schema": nested_string(100_000), "config": {}}
    response = owner_client.post(RUN, body, format="json")
    assert 400 <= response.status_code < 500
    assert "nests deeper" in response.json()["detail"]
    assert ExtractionJob.objects.count() == 0


@pytest.mark.django_db
def test_an_uploaded_json_file_nested_100k_deep_is_stored_not_a_500(owner_client):
    part = SimpleUploadedFile("deep.json", nested_string(100_000).encode(), "application/json")
    response = owner_client.post(f"{V1}/files", {"upload_file": part}, format="multipart")
    assert response.status_code == 200, response.content
    assert SourceFile.objects.get().mime_type != "application/json"  # not JSON as far as we go


@pytest.mark.django_db
def test_a_deep_json_form_field_is_422(owner_client, owner_project):
    from tests.api.helpers import create_agent

    agent = create_agent(owner_client)
    part = SimpleUploadedFile("a.txt", INVOICE_TEXT.encode(), "text/plain")
    response = owner_client.post(
        f"{V1}/extraction/jobs/file",
        {
            "extraction_agent_id": agent["id"],
            "file": part,
            "config_override": nested_string(50_000),
        },
        format="multipart",
    )
    assert 400 <= response.status_code < 500, response.content


@pytest.mark.django_db
def test_a_non_text_charset_is_415_json(owner_client):
    response = owner_client.generic(
        "POST",
        RUN,
        json.dumps({"text": INVOICE_TEXT, "data_schema": INVOICE_SCHEMA}).encode(),
        content_type="application/json; charset=bz2_codec",
    )
    assert response.status_code == 415
    assert "bz2_codec" in response.json()["detail"]
    response = owner_client.generic(
        "POST", RUN, b"{}", content_type="application/json; charset=no-such-charset"
    )
    assert response.status_code == 415


@pytest.mark.django_db
def test_a_chunked_upload_without_length_is_411_saying_why(owner_client):
    response = owner_client.generic(
        "POST",
        f"{V1}/files",
        b"",
        content_type="multipart/form-data; boundary=x",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )
    assert response.status_code == 411
    assert "Content-Length" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_unknown_api_paths_are_json_404_even_for_session_posts(owner, method):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    response = getattr(client, method)("/api/v1/no-such-thing", {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("Not found")
    anonymous = APIClient(enforce_csrf_checks=True)
    response = getattr(anonymous, method)("/api/no/such/path", {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_csrf_refusal_under_api_is_json_and_html_elsewhere():
    from django.test import RequestFactory

    from extraction.api.exceptions import csrf_failure

    response = csrf_failure(RequestFactory().post("/api/v1/anything"), reason="token missing")
    assert response.status_code == 403
    assert json.loads(response.content)["detail"] == "CSRF check failed: token missing"
    page = csrf_failure(RequestFactory().post("/extract/new/"), reason="token missing")
    assert page.status_code == 403
    assert b"<html" in page.content.lower()


# --- 14: config bounds ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("system_prompt", "x" * 2_000_000),
        ("num_pages_context", 10**9),
        ("page_range", "1-99999999999999999999"),
        ("page_range", ",".join(["1"] * 5000)),
        ("extract_model", "m" * 5000),
    ],
)
def test_config_values_past_their_bounds_are_422_naming_the_field(owner_client, field, value):
    body = {"text": INVOICE_TEXT, "data_schema": INVOICE_SCHEMA, "config": {field: value}}
    response = owner_client.post(RUN, body, format="json")
    assert response.status_code == 422, response.content[:300]
    assert field in response.json()["detail"]
    assert response.json()["errors"][0]["loc"] == ["body", "config", field]
    assert ExtractionJob.objects.count() == 0


@pytest.mark.django_db
def test_values_within_bounds_are_accepted(owner_client):
    config = {"system_prompt": "Be exact.", "num_pages_context": 2, "page_range": "1-3,100000"}
    body = {"text": INVOICE_TEXT, "data_schema": INVOICE_SCHEMA, "config": config}
    assert owner_client.post(RUN, body, format="json").status_code == 200


@pytest.mark.django_db
def test_a_malformed_value_stays_400(owner_client):
    body = {
        "text": INVOICE_TEXT,
        "data_schema": INVOICE_SCHEMA,
        "config": {"num_pages_context": -1},
    }
    assert owner_client.post(RUN, body, format="json").status_code == 400
