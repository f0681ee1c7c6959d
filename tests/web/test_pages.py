"""The HTMX pages through Django's test client: personas, forms, fragments, downloads."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import APIKey, Membership
from accounts.selectors import api_key_lookup
from accounts.services import project_create
from extraction import services
from extraction.models import ExtractionAgent, ExtractionJob, JobStatus
from extraction.pipeline.config import ExtractConfig
from extraction.pipeline.schemas import load_schema
from extraction.services import lifecycle
from extraction.storage import derived_files_delete
from extraction.web.starter_schemas import STARTER_SCHEMAS
from tests.factories import AgentFactory, UserFactory, current_run, store_file, submit_job

SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string"},
        "total": {"type": "number"},
        "line_items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"description": {"type": "string"}, "amount": {"type": "number"}},
            },
        },
    },
}
DATA = {
    "invoice_number": "INV-<script>alert(1)</script>",
    "total": 42.5,
    "line_items": [
        {"description": "Widget", "amount": 40.0},
        {"description": "Shipping", "amount": 2.5},
    ],
}


def leaf(page: int, x: float, confidence: float, match: str = "exact") -> dict:
    return {
        "citation": [
            {
                "page": page,
                "matching_text": "text",
                "bounding_boxes": [{"x": x, "y": 100.0, "w": 61.2, "h": 12.0}],
                "page_dimensions": {"width": 612.0, "height": 792.0},
                "char_start": 0,
                "char_end": 4,
            }
        ],
        "confidence": confidence,
        "match": match,
    }


METADATA = {
    "engine": "local",
    "model": None,
    "usage": {"num_pages_extracted": 1, "num_document_tokens": 321, "num_output_tokens": 45},
    "field_metadata": {
        "invoice_number": leaf(1, 306.0, 0.97),
        "total": {"citation": [], "confidence": 0.31, "match": "not_found"},
        "line_items": [
            {"description": leaf(1, 50, 0.9), "amount": leaf(1, 500, 0.72)},
            {"description": leaf(1, 50, 0.9), "amount": leaf(1, 500, 0.88)},
        ],
    },
}


@pytest.fixture
def owner_client(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_web(outsider) -> Client:
    client = Client()
    client.force_login(outsider)
    return client


@pytest.fixture
def pdf_file(owner_project, corpus):
    invoice = corpus["invoice_classic_us"]
    return store_file(
        owner_project, invoice.path.read_bytes(), invoice.path.name, "application/pdf"
    )


@pytest.fixture
def finished_job(owner_project, pdf_file):
    agent = services.agent_get_or_create_default(project=owner_project)
    job = ExtractionJob.objects.create(
        project=owner_project,
        agent=agent,
        file=pdf_file,
        file_name=pdf_file.name,
        data_schema=SCHEMA,
        config={**ExtractConfig().to_dict(), "cite_sources": True, "confidence_scores": True},
        status=JobStatus.SUCCESS,
        pages_done=1,
        pages_total=1,
    )
    current_run(
        job,
        data=DATA,
        extraction_metadata=METADATA,
        status="SUCCESS",
    )
    return job


def running_job(project, **extra) -> ExtractionJob:
    agent = services.agent_get_or_create_default(project=project)
    job = ExtractionJob.objects.create(
        project=project,
        agent=agent,
        inline_text="Total: 1",
        data_schema=SCHEMA,
        status=JobStatus.RUNNING,
        pages_done=1,
        pages_total=3,
        **extra,
    )
    current_run(job, status="PENDING")
    return job


# --- Access ------------------------------------------------------------------------------------


def test_pages_require_login(client, db):
    for name in ("dashboard", "extraction_new", "agents", "files", "api_keys"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_every_object_page_is_404_for_an_outsider(
    outsider_web, finished_job, pdf_file, owner_project
):
    agent = AgentFactory(project=owner_project)
    gets = [
        reverse("job_detail", args=[finished_job.id]),
        reverse("job_download_json", args=[finished_job.id]),
        reverse("job_download_csv", args=[finished_job.id]),
        reverse("page_image", args=[pdf_file.id, 1]),
        reverse("agent_detail", args=[agent.id]),
        reverse("extraction_new") + f"?agent={agent.id}",
    ]
    for url in gets:
        assert outsider_web.get(url).status_code == 404, url
    posts = [
        reverse("job_cancel", args=[finished_job.id]),
        reverse("job_rerun", args=[finished_job.id]),
        reverse("agent_run", args=[agent.id]),
        reverse("agent_delete", args=[agent.id]),
        reverse("file_delete", args=[pdf_file.id]),
        reverse("project_switch"),
    ]
    for url in posts:
        data = {"project": str(owner_project.id)} if url == reverse("project_switch") else {}
        assert outsider_web.post(url, data).status_code == 404, url
    assert ExtractionAgent.objects.filter(id=agent.id).exists()
    assert ExtractionJob.objects.get(id=finished_job.id).status == JobStatus.SUCCESS
    pdf_file.refresh_from_db()


def test_a_member_of_the_organization_sees_the_project_jobs(finished_job, owner_project):
    member = UserFactory(username="member")
    Membership.objects.create(
        user=member, organization=owner_project.organization, role=Membership.Role.MEMBER
    )
    client = Client()
    client.force_login(member)
    response = client.get(reverse("job_detail", args=[finished_job.id]))
    assert response.status_code == 200
    assert 'data-testid="job-status">SUCCESS<' in response.content.decode()


def test_forms_enforce_csrf(owner, owner_project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    job = running_job(owner_project)
    assert client.post(reverse("job_cancel", args=[job.id])).status_code == 403
    assert client.post(reverse("api_keys"), {"name": "x"}).status_code == 403
    assert (
        client.post(reverse("schema_validate"), "{}", content_type="application/json").status_code
        == 403
    )
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert not APIKey.objects.filter(user=owner, name="x").exists()
    page = client.get(reverse("dashboard")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


# --- Dashboard and projects --------------------------------------------------------------------


def test_dashboard_shows_recent_jobs_and_polls_only_while_active(owner_client, owner_project):
    job = running_job(owner_project)
    page = owner_client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert reverse("job_detail", args=[job.id]) in page.content.decode()
    assert 'hx-trigger="every 2s"' in page.content.decode()
    fragment = owner_client.get(reverse("dashboard"), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    ExtractionJob.objects.filter(id=job.id).update(status=JobStatus.SUCCESS)
    assert owner_client.get(reverse("dashboard"), HTTP_HX_REQUEST="true").status_code == 286


def test_project_switcher_changes_the_current_project(owner_client, owner_project):
    other = project_create(organization=owner_project.organization, name="Receipts")
    running_job(other)
    response = owner_client.post(reverse("project_switch"), {"project": str(other.id)})
    assert response.status_code == 302
    page = owner_client.get(reverse("dashboard")).content.decode()
    assert "<h1>Receipts</h1>" in page
    assert "Pasted text" in page
    owner_client.post(reverse("project_new"), {"name": "Contracts"})
    assert owner_project.organization.projects.filter(name="Contracts").exists()
    assert "<h1>Contracts</h1>" in owner_client.get(reverse("dashboard")).content.decode()


# --- New extraction ----------------------------------------------------------------------------


def test_new_extraction_page_has_a_control_for_every_config_field(owner_client):
    page = owner_client.get(reverse("extraction_new")).content.decode()
    names = [f.name for f in fields(ExtractConfig) if f.name != "extra"]
    for name in names:
        assert f'data-testid="option-{name}"' in page, name
    for testid in ("upload-input", "add-field", "schema-json", "run", "new-extraction"):
        assert f'data-testid="{testid}"' in page
    assert "up to 100 MB" in page


def test_starter_schemas_are_valid():
    for name, schema in STARTER_SCHEMAS.items():
        assert load_schema(schema)["type"] == "object", name


def test_pasted_text_runs_one_job_with_the_schema_and_options(owner_client, owner_project):
    response = owner_client.post(
        reverse("extraction_new"),
        {
            "text": "Invoice number: INV-9\nTotal: 12.00",
            "data_schema": json.dumps(SCHEMA),
            "extraction_mode": "FAST",
            "extraction_target": "PER_DOC",
            "chunk_mode": "PAGE",
            "priority": "high",
            "page_range": "1-2",
            "cite_sources": "on",
            "action": "run",
        },
    )
    job = ExtractionJob.objects.get(project=owner_project)
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[job.id])
    assert job.inline_text.startswith("Invoice number")
    assert job.data_schema == SCHEMA
    assert job.config["extraction_mode"] == "FAST"
    assert job.config["page_range"] == "1-2"
    assert job.config["cite_sources"] is True
    assert job.config["confidence_scores"] is False
    assert job.priority == "high"
    assert job.from_ui is True


def test_each_uploaded_file_becomes_a_job_and_can_be_saved_as_an_agent(owner_client, owner_project):
    files = [
        SimpleUploadedFile("a.txt", b"Total: 1", content_type="text/plain"),
        SimpleUploadedFile("b.txt", b"Total: 2", content_type="text/plain"),
    ]
    response = owner_client.post(
        reverse("extraction_new"),
        {
            "files": files,
            "data_schema": json.dumps(SCHEMA),
            "extraction_mode": "BALANCED",
            "extraction_target": "PER_DOC",
            "chunk_mode": "PAGE",
            "priority": "medium",
            "save_agent": "on",
            "agent_name": "Invoices",
        },
    )
    assert response.status_code == 302
    jobs = ExtractionJob.objects.filter(project=owner_project)
    assert sorted(job.file_name for job in jobs) == ["a.txt", "b.txt"]
    agent = ExtractionAgent.objects.get(project=owner_project, name="Invoices")
    assert {job.agent_id for job in jobs} == {agent.id}
    assert agent.data_schema == SCHEMA


def test_save_agent_only_needs_no_document(owner_client, owner_project):
    response = owner_client.post(
        reverse("extraction_new"),
        {
            "data_schema": json.dumps(SCHEMA),
            "extraction_mode": "PREMIUM",
            "extraction_target": "PER_DOC",
            "chunk_mode": "PAGE",
            "priority": "low",
            "agent_name": "Saved",
            "action": "save",
        },
    )
    agent = ExtractionAgent.objects.get(project=owner_project, name="Saved")
    assert response["Location"] == reverse("agent_detail", args=[agent.id])
    assert agent.config["extraction_mode"] == "PREMIUM"
    assert not ExtractionJob.objects.filter(project=owner_project).exists()


def test_schema_problems_come_back_with_pointers_and_nothing_is_stored(owner_client, owner_project):
    bad = {"type": "object", "properties": {"total": {"type": "money"}}}
    response = owner_client.post(
        reverse("extraction_new"),
        {
            "files": [SimpleUploadedFile("a.txt", b"Total: 1", content_type="text/plain")],
            "data_schema": json.dumps(bad),
            "extraction_mode": "BALANCED",
            "extraction_target": "PER_DOC",
            "chunk_mode": "PAGE",
            "priority": "medium",
        },
    )
    assert response.status_code == 400
    problems = json.loads(
        response.content.decode()
        .split('id="schema-problems" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert problems
    assert problems[0]["pointer"].startswith("/properties/total")
    assert not ExtractionJob.objects.exists()
    assert not owner_project.files.exists()
    assert "Choose a.txt again" in response.content.decode()


def test_bad_page_range_is_shown_next_to_its_control(owner_client):
    response = owner_client.post(
        reverse("extraction_new"),
        {
            "text": "x",
            "data_schema": json.dumps(SCHEMA),
            "extraction_mode": "BALANCED",
            "extraction_target": "PER_DOC",
            "chunk_mode": "PAGE",
            "priority": "medium",
            "page_range": "3-1",
        },
    )
    assert response.status_code == 400
    assert 'data-testid="error-page_range"' in response.content.decode()
    assert "ends before it starts" in response.content.decode()


def test_schema_validate_endpoint_reports_pointers(owner_client):
    bad = {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "nope"}}}}
    response = owner_client.post(
        reverse("schema_validate"), json.dumps(bad), content_type="application/json"
    )
    problems = response.json()["problems"]
    assert problems[0]["pointer"].startswith("/properties/a/items")
    good = owner_client.post(
        reverse("schema_validate"), json.dumps(SCHEMA), content_type="application/json"
    )
    assert good.json() == {"problems": []}


def test_schema_suggestion_from_pasted_text(owner_client):
    response = owner_client.post(
        reverse("schema_suggest"),
        {"text": "Invoice Number: INV-1\nTotal: $12.50\nDue date: 5 Mar 2024"},
    )
    assert response.status_code == 200
    properties = response.json()["data_schema"]["properties"]
    assert properties["total"]["type"] == "number"
    assert properties["invoice_number"]["type"] == "string"
    empty = owner_client.post(reverse("schema_suggest"), {})
    assert empty.status_code == 400
    assert "Choose a file" in empty.json()["detail"]


# --- Job page ----------------------------------------------------------------------------------


def test_job_fragment_polls_while_running_and_stops_with_286(owner_client, owner_project):
    job = running_job(owner_project)
    page = owner_client.get(reverse("job_detail", args=[job.id])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert 'data-testid="job-status">RUNNING<' in page
    assert "1 / 3" in page
    fragment = owner_client.get(reverse("job_detail", args=[job.id]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "HX-Request" in fragment["Vary"]  # a cached fragment never stands in for the page
    assert '<div id="job-live"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    lifecycle.job_fail(job_id=str(job.id), error="The PDF is password protected.")
    done = owner_client.get(reverse("job_detail", args=[job.id]), HTTP_HX_REQUEST="true")
    assert done.status_code == 286
    body = done.content.decode()
    assert 'data-testid="job-status">ERROR<' in body
    assert "The PDF is password protected." in body
    assert "hx-trigger" not in body


def test_cancel_and_rerun(owner_client, owner_project):
    job = running_job(owner_project)
    response = owner_client.post(reverse("job_cancel", args=[job.id]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="job-status">CANCELLED<' in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    response = owner_client.post(reverse("job_rerun", args=[job.id]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING


def test_results_show_values_citations_confidence_and_escape_text(owner_client, finished_job):
    page = owner_client.get(reverse("job_detail", args=[finished_job.id])).content.decode()
    for path in ("invoice_number", "total", "line_items[0].amount", "line_items[1].description"):
        assert f'data-testid="result-field" data-path="{path}"' in page, path
    assert page.count('data-testid="citation-box"') == 5
    assert 'data-testid="citation-box" data-path="invoice_number"' in page
    assert "left: 50.000%; top: 12.626%; width: 10.000%" in page
    assert 'data-testid="page-image"' in page
    assert ">97%<" in page
    assert "conf-high" in page
    assert "conf-low" in page
    assert 'data-testid="unsupported"' in page  # total has no support in the document
    assert "<script>alert(1)</script>" not in page
    assert "INV-&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "321" in page  # document tokens
    assert "/api/v1/extraction/run" in page
    assert "base64 -w0" in page


def test_downloads_give_the_run_data_as_json_and_flattened_csv(owner_client, finished_job):
    response = owner_client.get(reverse("job_download_json", args=[finished_job.id]))
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content) == DATA
    response = owner_client.get(reverse("job_download_csv", args=[finished_job.id]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["line_items.amount"] for row in rows] == ["40.0", "2.5"]
    assert {row["invoice_number"] for row in rows} == {DATA["invoice_number"]}


def test_page_image_is_rendered_once_and_cached(owner_client, pdf_file, settings):
    url = reverse("page_image", args=[pdf_file.id, 1])
    response = owner_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    cached = list((settings.DATA_DIR / "renders" / str(pdf_file.id)).glob("1-*.png"))
    assert len(cached) == 1
    assert owner_client.get(reverse("page_image", args=[pdf_file.id, 99])).status_code == 404


# --- Agents, files, keys -----------------------------------------------------------------------


def test_agent_edit_and_run_on_new_files(owner_client, owner_project):
    agent = AgentFactory(project=owner_project, name="Bills")
    page = owner_client.get(reverse("agent_detail", args=[agent.id]))
    assert page.status_code == 200
    response = owner_client.post(
        reverse("agent_detail", args=[agent.id]),
        {
            "name": "Bills v2",
            "data_schema": json.dumps(SCHEMA),
            "extraction_mode": "FAST",
            "extraction_target": "PER_DOC",
            "chunk_mode": "PAGE",
            "priority": "medium",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.name == "Bills v2"
    assert agent.data_schema == SCHEMA
    response = owner_client.post(
        reverse("agent_run", args=[agent.id]),
        {"files": [SimpleUploadedFile("c.txt", b"Total: 3", content_type="text/plain")]},
    )
    job = ExtractionJob.objects.get(agent=agent)
    assert response["Location"] == reverse("job_detail", args=[job.id])
    history = owner_client.get(reverse("agent_detail", args=[agent.id])).content.decode()
    assert reverse("job_detail", args=[job.id]) in history


def test_files_list_and_delete(owner_client, pdf_file):
    page = owner_client.get(reverse("files")).content.decode()
    assert pdf_file.name in page
    assert "KB" in page
    response = owner_client.post(reverse("file_delete", args=[pdf_file.id]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not type(pdf_file).objects.filter(id=pdf_file.id).exists()


def test_api_key_is_shown_once_and_can_be_revoked(owner_client, owner):
    response = owner_client.post(reverse("api_keys"), {"name": "ci"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    raw = body.split('data-testid="api-key-value"')[0].rsplit('value="', 1)[1].split('"')[0]
    key = APIKey.objects.get(user=owner, name="ci")
    assert raw.startswith(key.prefix)
    assert api_key_lookup(raw_key=raw) == key
    listing = owner_client.get(reverse("api_keys")).content.decode()
    assert raw not in listing
    assert key.prefix in listing
    owner_client.post(reverse("api_key_revoke", args=[key.id]), HTTP_HX_REQUEST="true")
    assert api_key_lookup(raw_key=raw) is None
    other = UserFactory(username="someone")
    stranger = Client()
    stranger.force_login(other)
    other_key, _ = services_key(owner)
    assert stranger.post(reverse("api_key_revoke", args=[other_key.id])).status_code == 404
    other_key.refresh_from_db()
    assert other_key.revoked_at is None


def services_key(user):
    from accounts.services import api_key_create
    from tests.factories import default_project

    return api_key_create(user=user, project=default_project(user), name="kept")


def test_pasted_text_results_highlight_cited_spans(owner_client, owner_project):
    agent = services.agent_get_or_create_default(project=owner_project)
    text = "Invoice <b>INV-7</b> total 12.50"
    job = ExtractionJob.objects.create(
        project=owner_project,
        agent=agent,
        inline_text=text,
        data_schema=SCHEMA,
        config={**ExtractConfig().to_dict(), "cite_sources": True},
        status=JobStatus.SUCCESS,
    )
    start = text.index("INV-7")
    current_run(
        job,
        status="SUCCESS",
        data={"invoice_number": "INV-7"},
        extraction_metadata={
            "field_metadata": {
                "invoice_number": {
                    "citation": [
                        {
                            "page": 1,
                            "char_start": start,
                            "char_end": start + 5,
                            "matching_text": "INV-7",
                        }
                    ],
                    "confidence": 0.9,
                }
            }
        },
    )
    page = owner_client.get(reverse("job_detail", args=[job.id])).content.decode()
    assert (
        '<mark class="citation-mark" data-testid="citation-box" data-path="invoice_number" '
        'tabindex="0">INV-7</mark>'
    ) in page
    assert "Invoice &lt;b&gt;" in page
    assert "<b>INV" not in page
    # The marked text replaces the plain one: pasted text is shown once.
    assert page.count('class="source-text"') == 1


def test_a_template_that_asks_the_job_page_for_an_unknown_field_fails_loudly():
    from django.template import Context, Template

    from extraction.web.job_page import JobPage, UnknownField

    view = JobPage(
        run=None,
        metadata={},
        usage={},
        elapsed="",
        progress_percent=None,
        active=False,
        has_result=False,
    )
    assert (
        Template("{{ job_page.elapsed }}|{{ job_page.active }}").render(Context({"job_page": view}))
        == "|False"
    )
    for source in ("{{ job_page.text_segments }}", "{% if job_page.text_segments %}x{% endif %}"):
        with pytest.raises(UnknownField, match="text_segments"):
            Template(source).render(Context({"job_page": view}))


def test_agent_create_list_and_delete(owner_client, owner_project):
    response = owner_client.post(
        reverse("agent_new"),
        {
            "name": "Receipts",
            "data_schema": json.dumps(STARTER_SCHEMAS["receipt"]),
            "extraction_mode": "BALANCED",
            "extraction_target": "PER_DOC",
            "chunk_mode": "PAGE",
            "priority": "medium",
            "confidence_scores": "on",
        },
    )
    agent = ExtractionAgent.objects.get(project=owner_project, name="Receipts")
    assert response["Location"] == reverse("agent_detail", args=[agent.id])
    assert agent.config["confidence_scores"] is True
    assert agent.config["cite_sources"] is False
    listing = owner_client.get(reverse("agents")).content.decode()
    assert "Receipts" in listing
    assert f"?agent={agent.id}" in listing
    prefilled = owner_client.get(reverse("extraction_new") + f"?agent={agent.id}").content.decode()
    assert '"merchant"' in prefilled
    assert f'name="agent" value="{agent.id}"' in prefilled
    duplicate = owner_client.post(
        reverse("agent_new"),
        {
            "name": "Receipts",
            "data_schema": json.dumps(SCHEMA),
            "extraction_mode": "BALANCED",
            "extraction_target": "PER_DOC",
            "chunk_mode": "PAGE",
            "priority": "medium",
        },
    )
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.content.decode()
    owner_client.post(reverse("agent_delete", args=[agent.id]))
    assert not ExtractionAgent.objects.filter(id=agent.id).exists()


def test_running_an_agent_from_another_project_stays_in_that_project(owner_client, owner_project):
    other = project_create(organization=owner_project.organization, name="Other")
    agent = AgentFactory(project=other)
    owner_client.post(
        reverse("extraction_new"),
        {
            "agent": str(agent.id),
            "text": "Total: 5",
            "data_schema": json.dumps(SCHEMA),
            "extraction_mode": "BALANCED",
            "extraction_target": "PER_DOC",
            "chunk_mode": "PAGE",
            "priority": "medium",
        },
    )
    job = ExtractionJob.objects.get(agent=agent)
    assert job.project == other


def test_page_viewer_shows_the_pages_the_run_read(owner_client, finished_job):
    run = finished_job.run
    run.extraction_metadata = {**METADATA, "pages": {"selected": [2, 3]}}
    run.save()
    page = owner_client.get(reverse("job_detail", args=[finished_job.id])).content.decode()
    # Page 1 holds the citations; pages 2 and 3 were read.
    for number in (1, 2, 3):
        assert reverse("page_image", args=[finished_job.file.id, number]) in page
    assert reverse("page_image", args=[finished_job.file.id, 4]) not in page


def test_schema_field_order_survives_saving(owner_client, owner_project):
    """The order a user gives the fields is the order the editor, results and CSV show."""

    ordered = {
        "type": "object",
        "properties": {n: {"type": "string"} for n in ("zeta", "a", "mid")},
    }
    owner_client.post(
        reverse("agent_new"),
        {
            "name": "Ordered",
            "data_schema": json.dumps(ordered),
            "extraction_mode": "BALANCED",
            "extraction_target": "PER_DOC",
            "chunk_mode": "PAGE",
            "priority": "medium",
        },
    )
    agent = ExtractionAgent.objects.get(project=owner_project, name="Ordered")
    stored = list(agent.data_schema["properties"])
    assert stored == ["zeta", "a", "mid"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.txt", b"ACME Tools\nInvoice number: INV-3301\nTotal: 42.50 USD\n"),
        (
            "invoice.html",
            b"<html><body><h1>ACME &amp; Sons</h1><p>Invoice number: <b>INV-3301</b></p>"
            b"<p>Total: 42.50 USD</p></body></html>",
        ),
    ],
)
def test_text_file_results_show_the_file_text_with_cited_spans(
    owner_client, owner_project, name, content
):
    from extraction.tasks import extract_job

    agent = services.agent_get_or_create_default(project=owner_project)
    source = store_file(owner_project, content, name)
    job = submit_job(
        project=owner_project,
        agent=agent,
        source=source,
        data_schema=SCHEMA,
        config={"cite_sources": True},
    )
    extract_job.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCESS
    page = owner_client.get(reverse("job_detail", args=[job.id])).content.decode()
    assert 'data-testid="source-text"' in page
    assert (
        '<mark class="citation-mark" data-testid="citation-box" data-path="invoice_number" '
        'tabindex="0">INV-3301</mark>'
    ) in page
    assert "<b>INV" not in page  # the text, escaped; never the file's markup
    assert 'data-testid="page-image"' not in page


def test_text_previews_are_read_once_and_cached(owner_project):
    from extraction.web import page_images

    source = store_file(
        owner_project, b"Invoice number: INV-3301\nTotal: 42.50 USD\n", "invoice.txt"
    )
    first = page_images.page_texts(source=source)
    assert first is not None
    assert "INV-3301" in first[1]
    source.content.delete(save=False)  # the second view must not need the file
    assert page_images.page_texts(source=source) == first
    derived_files_delete(file_id=str(source.id))
    assert page_images.page_texts(source=source) is None  # gone from storage and cache
