"""/api/v1/beta: files (shared with v1), saved configurations and the agents list."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from extraction.models import ExtractionJob, SavedConfiguration, SourceFile
from tests.api.helpers import INVOICE_SCHEMA, V1, create_agent, stateless
from tests.api_v2.helpers import BETA, CONFIGURATIONS, EXTRACT, FILES, beta_upload, run_inline

pytestmark = pytest.mark.django_db
PDF_MAGIC = b"%PDF-1.4\n"


def test_upload_answers_a_beta_file_usable_by_v1(owner_client, owner_project):
    file = beta_upload(owner_client, external_file_id="ext-42")
    assert file["name"] == "invoice.txt"
    assert file["project_id"] == str(owner_project.id)
    assert file["file_type"] == "txt"
    assert file["purpose"] == "extract"
    assert file["external_file_id"] == "ext-42"
    assert file["last_modified_at"]
    stored = SourceFile.objects.get(pk=file["id"])
    assert stored.mime_type == "text/plain"
    assert stored.external_file_id == "ext-42"
    assert owner_client.get(f"{V1}/files/{file['id']}").json()["name"] == "invoice.txt"
    job = stateless(owner_client, file_id=file["id"]).json()
    run_inline(job["id"])
    result = owner_client.get(f"{V1}/extraction/jobs/{job['id']}/result").json()
    assert result["data"]["invoice_number"] == "INV-001"


def test_a_v1_upload_reads_through_beta(owner_client):
    part = SimpleUploadedFile("v1.txt", b"Invoice number: A-1\n", content_type="text/plain")
    v1_file = owner_client.post(f"{V1}/files", {"upload_file": part}, format="multipart").json()
    assert owner_client.get(f"{FILES}/dfl-{v1_file['id']}").json()["name"] == "v1.txt"


def test_raw_bytes_upload_is_sniffed(owner_client):
    part = SimpleUploadedFile(
        "upload", b"Invoice number: X\n", content_type="application/octet-stream"
    )
    response = owner_client.post(FILES, {"file": part, "purpose": "user_data"}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["file_type"] == "txt"
    assert response.json()["purpose"] == "user_data"


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({}, 422, "file"),
        ({"purpose": "nonsense"}, 400, "purpose must be one of"),
    ],
)
def test_bad_uploads_are_refused(owner_client, body, status, fragment):
    if body:
        body["file"] = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
    response = owner_client.post(FILES, body, format="multipart")
    assert response.status_code == status, response.content
    assert fragment in str(response.json()["detail"])
    assert SourceFile.objects.count() == 0


def test_get_with_download_url_and_content_download(owner_client):
    file = beta_upload(owner_client)
    plain = owner_client.get(f"{FILES}/{file['id']}").json()
    assert "download_url" not in plain
    expanded = owner_client.get(f"{FILES}/{file['id']}?expand=download_url").json()
    assert expanded["download_url"]["url"].startswith("http")
    content = owner_client.get(f"{FILES}/{file['id']}/content?expires_at_seconds=60").json()
    assert content["expires_at"]
    assert content["form_fields"] is None
    download = owner_client.get(content["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"Invoice number: INV-001")


def test_delete_removes_the_file_and_keeps_job_results(owner_client):
    file = beta_upload(owner_client)
    job = owner_client.post(
        EXTRACT,
        {"file_input": file["id"], "configuration": {"data_schema": INVOICE_SCHEMA}},
        format="json",
    ).json()
    run_inline(job["id"])
    response = owner_client.delete(f"{FILES}/{file['id']}")
    assert response.status_code == 204
    assert not SourceFile.objects.filter(pk=file["id"]).exists()
    assert owner_client.get(f"{FILES}/{file['id']}").status_code == 404
    kept = owner_client.get(f"{EXTRACT}/{job['id']}").json()
    assert kept["status"] == "COMPLETED"
    assert kept["extract_result"]["invoice_number"] == "INV-001"


def test_list_filters_orders_and_pages(owner_client):
    names = ["b.txt", "a.txt", "c.txt"]
    files = [beta_upload(owner_client, name=n, external_file_id=f"x-{n}") for n in names]
    listed = owner_client.get(FILES).json()
    assert [f["name"] for f in listed["items"]] == ["c.txt", "a.txt", "b.txt"]
    assert listed["next_page_token"] is None
    assert listed["total_size"] == 3
    by_name = owner_client.get(f"{FILES}?order_by=name&page_size=2").json()
    assert [f["name"] for f in by_name["items"]] == ["a.txt", "b.txt"]
    rest = owner_client.get(
        f"{FILES}?order_by=name&page_size=2&page_token={by_name['next_page_token']}"
    ).json()
    assert [f["name"] for f in rest["items"]] == ["c.txt"]
    assert rest["next_page_token"] is None
    assert [f["name"] for f in owner_client.get(f"{FILES}?file_name=a.txt").json()["items"]] == [
        "a.txt"
    ]
    external = owner_client.get(f"{FILES}?external_file_id=x-c.txt").json()["items"]
    assert [f["id"] for f in external] == [files[2]["id"]]
    ids = owner_client.get(
        f"{FILES}?file_ids={files[0]['id']}&file_ids=dfl-{files[1]['id']}"
    ).json()["items"]
    assert {f["id"] for f in ids} == {files[0]["id"], files[1]["id"]}
    wrong_order = owner_client.get(
        f"{FILES}?order_by=created_at&page_token={by_name['next_page_token']}"
    )
    assert wrong_order.status_code == 400
    assert owner_client.get(f"{FILES}?order_by=size").status_code == 422


def test_configuration_create_is_an_upsert_by_name_and_product_type(owner_client, owner_project):
    parameters = {"product_type": "extract_v2", "data_schema": INVOICE_SCHEMA}
    first = owner_client.post(
        CONFIGURATIONS, {"name": "invoices", "parameters": parameters}, format="json"
    )
    assert first.status_code == 200, first.content
    created = first.json()
    assert created["name"] == "invoices"
    assert created["product_type"] == "extract_v2"
    assert created["parameters"] == parameters
    assert created["version"]
    again = owner_client.post(
        CONFIGURATIONS,
        {"name": "invoices", "parameters": {**parameters, "tier": "agentic"}},
        format="json",
    ).json()
    assert again["id"] == created["id"]
    assert again["parameters"]["tier"] == "agentic"
    assert SavedConfiguration.objects.filter(project=owner_project).count() == 1
    other_type = owner_client.post(
        CONFIGURATIONS,
        {"name": "invoices", "parameters": {"product_type": "parse_v2", "tier": "fast"}},
        format="json",
    ).json()
    assert other_type["id"] != created["id"]
    listed = owner_client.get(f"{CONFIGURATIONS}?product_type=extract_v2").json()
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    assert listed["next_page_token"] is None
    assert len(owner_client.get(f"{CONFIGURATIONS}?name=invoices").json()["items"]) == 2


def test_configuration_get_update_delete(owner_client):
    parameters = {"product_type": "extract_v2", "data_schema": INVOICE_SCHEMA}
    created = owner_client.post(
        CONFIGURATIONS, {"name": "a", "parameters": parameters}, format="json"
    ).json()
    owner_client.post(CONFIGURATIONS, {"name": "b", "parameters": parameters}, format="json")
    url = f"{CONFIGURATIONS}/{created['id']}"
    assert owner_client.get(f"{CONFIGURATIONS}/cfg-{created['id']}").json()["name"] == "a"
    renamed = owner_client.put(url, {"name": "a2"}, format="json")
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "a2"
    assert renamed.json()["parameters"] == parameters
    taken = owner_client.put(url, {"name": "b"}, format="json")
    assert taken.status_code == 400
    assert "already exists" in taken.json()["detail"]
    retyped = owner_client.put(url, {"parameters": {"product_type": "parse_v2"}}, format="json")
    assert retyped.status_code == 400
    assert "cannot change" in retyped.json()["detail"]
    updated = owner_client.put(
        url, {"parameters": {**parameters, "target_pages": "1"}}, format="json"
    ).json()
    assert updated["parameters"]["target_pages"] == "1"
    assert owner_client.delete(url).status_code == 204
    assert owner_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("parameters", "status", "fragment"),
    [
        ({"product_type": "extract_v2"}, 400, "data_schema"),
        ({"product_type": "extract_v2", "data_schema": {"type": "strin"}}, 400, "data_schema"),
        (
            {"product_type": "extract_v2", "data_schema": INVOICE_SCHEMA, "tier": "x"},
            400,
            "tier",
        ),
        ({"product_type": "nope"}, 400, "product_type must be one of"),
    ],
)
def test_bad_configurations_are_refused(owner_client, parameters, status, fragment):
    response = owner_client.post(
        CONFIGURATIONS, {"name": "bad", "parameters": parameters}, format="json"
    )
    assert response.status_code == status, response.content
    assert fragment in str(response.json()["detail"])
    assert SavedConfiguration.objects.count() == 0


def test_a_job_by_configuration_id_uses_the_saved_configuration(owner_client):
    saved = owner_client.post(
        CONFIGURATIONS,
        {
            "name": "invoices",
            "parameters": {
                "product_type": "extract_v2",
                "data_schema": INVOICE_SCHEMA,
                "tier": "turbo",
            },
        },
        format="json",
    ).json()
    file = beta_upload(owner_client)
    response = owner_client.post(
        EXTRACT, {"file_input": file["id"], "configuration_id": saved["id"]}, format="json"
    )
    assert response.status_code == 200, response.content
    job = response.json()
    assert job["configuration_id"] == saved["id"]
    assert job["configuration"] == {"data_schema": INVOICE_SCHEMA, "tier": "turbo"}
    assert ExtractionJob.objects.get(pk=job["id"]).config["extraction_mode"] == "FAST"
    run_inline(job["id"])
    done = owner_client.get(f"{EXTRACT}/{job['id']}").json()
    assert done["extract_result"] == {"invoice_number": "INV-001", "total": 42.5}
    by_config = owner_client.get(f"{EXTRACT}?configuration_id={saved['id']}").json()["items"]
    assert [j["id"] for j in by_config] == [job["id"]]
    owner_client.delete(f"{CONFIGURATIONS}/{saved['id']}")
    kept = owner_client.get(f"{EXTRACT}/{job['id']}?expand=configuration").json()
    assert kept["configuration"]["tier"] == "turbo"
    assert kept["configuration_id"] is None


def test_a_non_extract_configuration_cannot_run_a_job(owner_client):
    saved = owner_client.post(
        CONFIGURATIONS, {"name": "p", "parameters": {"product_type": "parse_v2"}}, format="json"
    ).json()
    file = beta_upload(owner_client)
    response = owner_client.post(
        EXTRACT, {"file_input": file["id"], "configuration_id": saved["id"]}, format="json"
    )
    assert response.status_code == 400
    assert "parse_v2" in response.json()["detail"]


def test_extraction_agents_list_is_an_envelope(owner_client):
    create_agent(owner_client, name="first")
    create_agent(owner_client, name="second")
    stateless(owner_client, text="Invoice number: 1")  # creates the hidden default agent
    listed = owner_client.get(f"{BETA}/extraction-agents?page_size=1").json()
    assert [a["name"] for a in listed["items"]] == ["second"]
    rest = owner_client.get(
        f"{BETA}/extraction-agents?page_size=1&page_token={listed['next_page_token']}"
    ).json()
    assert [a["name"] for a in rest["items"]] == ["first"]
    assert rest["next_page_token"] is None
    with_default = owner_client.get(f"{BETA}/extraction-agents?include_default=true").json()
    assert {a["name"] for a in with_default["items"]} == {"first", "second", "default-agent"}


def test_deprecated_query_lists_with_filters_in_the_body(owner_client, owner_project):
    files = [beta_upload(owner_client, name=n, external_file_id=n) for n in ("b.txt", "a.txt")]
    query = f"{FILES}/query"
    by_name = owner_client.post(query, {"order_by": "name desc", "page_size": 1}, format="json")
    assert by_name.status_code == 200, by_name.content
    assert [f["name"] for f in by_name.json()["items"]] == ["b.txt"]
    rest = owner_client.post(
        query,
        {"order_by": "name desc", "page_token": by_name.json()["next_page_token"]},
        format="json",
    ).json()
    assert [f["name"] for f in rest["items"]] == ["a.txt"]
    assert rest["next_page_token"] is None
    filtered = owner_client.post(
        query, {"filter": {"external_file_id": "a.txt"}, "page_size": 5000}, format="json"
    ).json()
    assert [f["id"] for f in filtered["items"]] == [files[1]["id"]]
    mine = {"filter": {"project_id": str(owner_project.id), "file_ids": [files[0]["id"]]}}
    assert [f["name"] for f in owner_client.post(query, mine, format="json").json()["items"]] == [
        "b.txt"
    ]
    for nothing in ({"data_source_id": "ds-1"}, {"project_id": "another"}):
        page = owner_client.post(query, {"filter": nothing}, format="json").json()
        assert page["items"] == []
        assert page["total_size"] == 0
    assert owner_client.post(query, {"order_by": "size"}, format="json").status_code == 422
