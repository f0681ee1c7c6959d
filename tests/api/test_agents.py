"""Extraction agents: CRUD, lookups, the default agent and the schema endpoints."""

from __future__ import annotations

import pytest

from extraction.models import ExtractionAgent
from tests.api.helpers import AGENTS, INVOICE_SCHEMA, create_agent, upload

pytestmark = pytest.mark.django_db


def test_create_agent_echoes_the_full_agent_shape(owner_client, owner_project):
    agent = create_agent(owner_client, config={"extraction_mode": "FAST"})
    assert agent["name"] == "invoices"
    assert agent["project_id"] == str(owner_project.id)
    assert agent["data_schema"] == INVOICE_SCHEMA
    assert agent["config"]["extraction_mode"] == "FAST"
    assert agent["config"]["extraction_target"] == "PER_DOC"
    assert agent["custom_configuration"] is None
    assert agent["created_at"].endswith("Z")
    stored = ExtractionAgent.objects.get(pk=agent["id"])
    assert stored.project == owner_project
    assert stored.config["extraction_mode"] == "FAST"


def test_list_is_a_bare_array_without_the_default_agent(owner_client):
    create_agent(owner_client, name="a")
    owner_client.get(f"{AGENTS}/default")
    names = [agent["name"] for agent in owner_client.get(AGENTS).json()]
    assert names == ["a"]
    with_default = owner_client.get(f"{AGENTS}?include_default=true").json()
    assert sorted(agent["name"] for agent in with_default) == ["a", "default-agent"]


def test_get_by_id_and_by_name_including_slashes(owner_client):
    agent = create_agent(owner_client, name="team/invoices v2")
    assert owner_client.get(f"{AGENTS}/{agent['id']}").json()["id"] == agent["id"]
    by_name = owner_client.get(f"{AGENTS}/by-name/team/invoices v2")
    assert by_name.status_code == 200
    assert by_name.json()["id"] == agent["id"]
    missing = owner_client.get(f"{AGENTS}/by-name/nope")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Extraction agent not found."}


def test_default_agent_is_created_once(owner_client):
    first = owner_client.get(f"{AGENTS}/default").json()
    second = owner_client.get(f"{AGENTS}/default").json()
    assert first["id"] == second["id"]
    assert first["name"] == "default-agent"
    assert ExtractionAgent.objects.filter(is_default=True).count() == 1


def test_update_replaces_schema_and_config(owner_client):
    agent = create_agent(owner_client)
    schema = {"type": "object", "properties": {"vendor": {"type": "string"}}}
    response = owner_client.put(
        f"{AGENTS}/{agent['id']}",
        {"data_schema": schema, "config": {"extraction_target": "PER_PAGE"}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["data_schema"] == schema
    stored = ExtractionAgent.objects.get(pk=agent["id"])
    assert stored.data_schema == schema
    assert stored.config["extraction_target"] == "PER_PAGE"


def test_delete_answers_a_json_body(owner_client):
    agent = create_agent(owner_client)
    response = owner_client.delete(f"{AGENTS}/{agent['id']}")
    assert response.status_code == 200
    assert response.json() == {}
    assert not ExtractionAgent.objects.filter(pk=agent["id"]).exists()
    assert owner_client.get(f"{AGENTS}/{agent['id']}").status_code == 404


def test_duplicate_name_is_400_not_409(owner_client):
    create_agent(owner_client)
    response = owner_client.post(
        AGENTS, {"name": "invoices", "data_schema": INVOICE_SCHEMA, "config": {}}, format="json"
    )
    assert response.status_code == 400
    assert "already exists" in response.json()["detail"]


@pytest.mark.parametrize(
    ("config", "field", "fragment"),
    [
        ({"extraction_mode": "fast"}, "extraction_mode", "is not one of FAST"),
        ({"extraction_target": "per_doc"}, "extraction_target", "is not one of PER_DOC"),
        ({"priority": "LOW"}, "priority", "is not one of low"),
        ({"page_range": "0"}, "page_range", "page numbers start at 1"),
        ({"extract_model": "no-such-model"}, "extract_model", "unknown model 'no-such-model'"),
    ],
)
def test_bad_config_is_400_naming_the_field(owner_client, config, field, fragment):
    response = owner_client.post(
        AGENTS, {"name": "x", "data_schema": INVOICE_SCHEMA, "config": config}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert fragment in body["detail"]
    assert body["errors"][0]["loc"] == ["body", "config", field]
    assert not ExtractionAgent.objects.exists()


def test_bad_schema_is_400_with_json_pointers(owner_client):
    schema = {"type": "object", "properties": {"total": {"type": "money"}}}
    response = owner_client.post(
        AGENTS, {"name": "x", "data_schema": schema, "config": {}}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Invalid data_schema:")
    assert body["errors"][0]["pointer"] == "/properties/total/type"
    assert not ExtractionAgent.objects.exists()


def test_missing_fields_are_fastapi_shaped_422(owner_client):
    response = owner_client.post(AGENTS, {"config": {}}, format="json")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {"loc": ["body", "name"], "msg": "This field is required.", "type": "missing"} in detail
    assert any(item["loc"] == ["body", "data_schema"] for item in detail)


def test_schema_validation_returns_the_normalised_schema(owner_client):
    schema = {
        "type": "object",
        "$defs": {"money": {"type": "number"}},
        "properties": {"total": {"$ref": "#/$defs/money"}},
    }
    response = owner_client.post(
        f"{AGENTS}/schema/validation", {"data_schema": schema}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["data_schema"]["properties"]["total"]["type"] == "number"


def test_schema_validation_refuses_a_bad_schema(owner_client):
    response = owner_client.post(
        f"{AGENTS}/schema/validation", {"data_schema": {"type": "array"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/type"


def test_schema_generate_from_a_prompt(owner_client):
    response = owner_client.post(
        f"{AGENTS}/schema/generate",
        {"prompt": "Extract the invoice number, total amount and due date"},
        format="json",
    )
    assert response.status_code == 200
    properties = response.json()["data_schema"]["properties"]
    assert properties["invoice_number"]["type"] == "string"
    assert properties["total_amount"]["type"] == "number"
    assert properties["due_date"] == {"type": "string", "format": "date", "description": "due date"}


def test_schema_generate_from_a_file_reads_labels_and_tables(owner_client):
    text = (
        "Invoice number: INV-001\nInvoice date: 2024-03-05\nTotal: 42.50\n\n"
        "Description | Qty | Amount\nWidget | 2 | 20.00\n"
    )
    uploaded = upload(owner_client, text.encode())
    response = owner_client.post(
        f"{AGENTS}/schema/generate", {"file_id": uploaded["id"]}, format="json"
    )
    assert response.status_code == 200, response.content
    properties = response.json()["data_schema"]["properties"]
    assert properties["invoice_number"]["type"] == "string"
    assert properties["invoice_date"]["format"] == "date"
    assert properties["total"]["type"] == "number"
    columns = properties["line_items"]["items"]["properties"]
    assert set(columns) == {"description", "qty", "amount"}
    assert columns["amount"]["type"] == "number"


def test_schema_generate_without_anything_is_400(owner_client):
    response = owner_client.post(f"{AGENTS}/schema/generate", {}, format="json")
    assert response.status_code == 400
    assert "prompt" in response.json()["detail"]


def test_schema_generate_asks_the_configured_model(owner_client, settings):
    from tests.llm.fake_openai import FakeOpenAI, completion, message_text

    proposed = {"type": "object", "properties": {"vendor": {"type": "string"}}}
    asked: list[str] = []

    def responder(request):
        asked.append(message_text(request))
        return completion({"data_schema": proposed})

    with FakeOpenAI(responder) as server:
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_MODEL = "test-model"
        settings.LLM_MAX_RETRIES = 0
        response = owner_client.post(
            f"{AGENTS}/schema/generate", {"prompt": "the vendor name"}, format="json"
        )
    assert response.status_code == 200, response.content
    assert response.json()["data_schema"] == proposed
    assert "the vendor name" in asked[0]


def test_schema_generate_falls_back_when_the_model_fails(owner_client, settings):
    from tests.llm.fake_openai import FakeOpenAI, error

    with FakeOpenAI(lambda request: error(400, "bad request")) as server:
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_MODEL = "test-model"
        settings.LLM_MAX_RETRIES = 0
        response = owner_client.post(
            f"{AGENTS}/schema/generate", {"prompt": "invoice number and total"}, format="json"
        )
    assert response.status_code == 200
    assert set(response.json()["data_schema"]["properties"]) == {"invoice_number", "total"}
