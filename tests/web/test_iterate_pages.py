"""Issue 21's pages without a browser: workspaces, runs, edit & re-run, the Jobs page, the
engine line and model menu, downloads with every field, and the small fixes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from extraction import services
from extraction.models import ExtractionJob, ExtractionRun, JobStatus, WorkspaceDocument
from extraction.tasks import extract_job
from extraction.web.forms import ExtractOptionsForm
from tests.factories import AgentFactory, UserFactory, current_run, store_file, submit_job

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
    "required": ["invoice_number"],
}
WIDER = {
    "type": "object",
    "properties": {**SCHEMA["properties"], "currency": {"type": "string"}},
    "required": ["invoice_number"],
}
TEXT = "Invoice number: INV-001\nTotal: 42.50\nCurrency: EUR\n"
CITED = {"cite_sources": True, "confidence_scores": True}


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
def agent(owner_project):
    return AgentFactory(project=owner_project, name="Invoices", data_schema=SCHEMA, config=CITED)


def text_file(project, name: str, text: str = TEXT):
    return store_file(project, text.encode(), name, "text/plain")


def run_pending(agent) -> None:
    """Run the agent's queued jobs in this process (on_commit never fires in these tests)."""
    for job in ExtractionJob.objects.filter(agent=agent, status=JobStatus.PENDING):
        extract_job.apply(args=[str(job.pk)])


# --- Workspace ---------------------------------------------------------------------------------


def test_workspace_add_run_edit_and_run_again_keeps_every_run(owner_client, agent):
    project = agent.project
    response = owner_client.post(
        reverse("workspace_add", args=[agent.id]),
        {"files": [io.BytesIO(TEXT.encode()), io.BytesIO(b"Invoice number: B-2\nTotal: 7")]},
    )
    assert response.status_code == 302
    assert WorkspaceDocument.objects.filter(agent=agent).count() == 2

    page = owner_client.get(reverse("workspace", args=[agent.id])).content.decode()
    assert page.count('data-testid="ws-row"') == 2
    assert "Not run yet" in page

    form = {
        "data_schema": json.dumps(SCHEMA),
        **{k: v for k, v in ExtractOptionsForm.from_config(CITED).initial.items() if v},
        "extraction_target": "PER_DOC",
        "extraction_mode": "BALANCED",
        "chunk_mode": "PAGE",
        "priority": "medium",
        "cite_sources": "on",
        "confidence_scores": "on",
    }
    assert owner_client.post(reverse("workspace_run", args=[agent.id]), form).status_code == 302
    run_pending(agent)
    fragment = owner_client.get(reverse("workspace", args=[agent.id]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 286  # nothing left running: polling stops
    assert "INV-001" in fragment.content.decode()

    form["data_schema"] = json.dumps(WIDER)
    assert owner_client.post(reverse("workspace_run", args=[agent.id]), form).status_code == 302
    agent.refresh_from_db()
    assert agent.data_schema == WIDER  # the edit is saved on the agent
    run_pending(agent)
    jobs = ExtractionJob.objects.filter(agent=agent)
    assert jobs.count() == 2
    for job in jobs:
        assert list(job.runs.order_by("number").values_list("number", flat=True)) == [1, 2]
        assert "currency" not in job.runs.get(number=1).data
    page = owner_client.get(reverse("workspace", args=[agent.id])).content.decode()
    assert 'data-path="currency" data-changed="true"' in page
    assert 'data-path="invoice_number" data-changed="false"' in page
    assert project.files.count() == 2  # each document stored once


def test_workspace_add_names_the_refused_file_and_adds_nothing(owner_client, agent):
    empty = io.BytesIO(b"")
    empty.name = "blank.pdf"
    good = io.BytesIO(TEXT.encode())
    good.name = "good.txt"
    response = owner_client.post(
        reverse("workspace_add", args=[agent.id]), {"files": [good, empty]}, follow=True
    )
    assert "Nothing was added. blank.pdf: The file is empty." in response.content.decode()
    assert not WorkspaceDocument.objects.exists()
    assert agent.project.files.count() == 0


def test_workspace_adds_stored_files_once_and_removing_keeps_file_and_job(owner_client, agent):
    source = text_file(agent.project, "a.txt")
    url = reverse("workspace_add", args=[agent.id])
    owner_client.post(url, {"file_ids": [str(source.id)]})
    owner_client.post(url, {"file_ids": [str(source.id)]})
    [entry] = WorkspaceDocument.objects.filter(agent=agent)
    services.workspace_run(agent=agent)
    entry.refresh_from_db()
    job = entry.job
    owner_client.post(reverse("workspace_remove", args=[agent.id, entry.id]))
    assert not WorkspaceDocument.objects.exists()
    assert ExtractionJob.objects.filter(pk=job.pk).exists()
    source.refresh_from_db()


def test_workspace_exports_every_field_for_every_document(owner_client, agent):
    services.workspace_documents_add(
        agent=agent,
        documents=[
            text_file(agent.project, "one.txt"),
            text_file(agent.project, "two.txt", '=HYPERLINK("x")\nNothing else here'),
        ],
    )
    services.workspace_run(agent=agent, data_schema=WIDER)
    run_pending(agent)
    base = "workspace_export"

    rows = list(
        csv.reader(
            io.StringIO(owner_client.get(reverse(base, args=[agent.id, "csv"])).content.decode())
        )
    )
    assert rows[0] == ["file_name", "status", "run", "invoice_number", "total", "currency"]
    assert rows[1] == ["one.txt", "SUCCESS", "1", "INV-001", "42.5", "EUR"]
    assert rows[2][0] == "two.txt"
    assert len(rows[2]) == 6

    records = json.loads(owner_client.get(reverse(base, args=[agent.id, "json"])).content)
    assert [set(record["data"]) for record in records] == [set(WIDER["properties"])] * 2
    lines = owner_client.get(reverse(base, args=[agent.id, "jsonl"])).content.decode().splitlines()
    assert [json.loads(line) for line in lines] == records

    xlsx = owner_client.get(reverse(base, args=[agent.id, "xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == rows[0]
    assert values[1][:4] == ["one.txt", "SUCCESS", 1, "INV-001"]
    assert owner_client.get(reverse(base, args=[agent.id, "exe"])).status_code == 404


def test_workspace_pages_are_404_for_an_outsider(outsider_web, agent):
    source = text_file(agent.project, "a.txt")
    [entry] = services.workspace_documents_add(agent=agent, documents=[source])
    for url in (
        reverse("workspace", args=[agent.id]),
        reverse("workspace_export", args=[agent.id, "csv"]),
        reverse("agent_jobs", args=[agent.id]),
    ):
        assert outsider_web.get(url).status_code == 404, url
    for url in (
        reverse("workspace_add", args=[agent.id]),
        reverse("workspace_run", args=[agent.id]),
        reverse("workspace_remove", args=[agent.id, entry.id]),
    ):
        assert outsider_web.post(url, {"file_ids": [str(source.id)]}).status_code == 404, url
    assert WorkspaceDocument.objects.filter(agent=agent).count() == 1
    assert not ExtractionJob.objects.exists()


# --- Job page: runs, edit & re-run, downloads ---------------------------------------------------


@pytest.fixture
def finished(owner_project, agent):
    job = submit_job(project=owner_project, agent=agent, text=TEXT)
    extract_job.apply(args=[str(job.pk)])
    return ExtractionJob.objects.get(pk=job.pk)


def test_run_again_from_the_page_adds_a_run_and_skips_the_cache(owner_client, finished):
    response = owner_client.post(reverse("job_rerun", args=[finished.id]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-run="2"' in response.content.decode()  # the runs list, out of band
    run = ExtractionRun.objects.get(job=finished, number=2)
    assert run.config["invalidate_cache"] is True
    assert run.from_ui
    assert ExtractionRun.objects.get(job=finished, number=1).data["invoice_number"] == "INV-001"


def test_edit_and_rerun_runs_the_new_schema_and_refuses_a_bad_one(owner_client, finished):
    url = reverse("job_edit", args=[finished.id])
    page = owner_client.get(url).content.decode()
    assert (
        json.loads(page.split('id="initial-schema" type="application/json">')[1].split("<")[0])
        == SCHEMA
    )
    options = {
        "extraction_target": "PER_DOC",
        "extraction_mode": "BALANCED",
        "chunk_mode": "PAGE",
        "priority": "medium",
        "cite_sources": "on",
    }
    bad = owner_client.post(
        url, {"data_schema": '{"type": "object", "properties": {"a": {"type": "nope"}}}', **options}
    )
    assert bad.status_code == 400
    assert ExtractionRun.objects.filter(job=finished).count() == 1
    response = owner_client.post(url, {"data_schema": json.dumps(WIDER), **options})
    assert response.status_code == 302
    extract_job.apply(args=[str(finished.pk)])
    finished.refresh_from_db()
    assert finished.run.number == 2
    assert finished.run.data["currency"] == "EUR"
    assert finished.run.data_schema == WIDER

    page = owner_client.get(
        reverse("job_detail", args=[finished.id]) + "?from=1&to=2"
    ).content.decode()
    assert 'data-path="currency" data-state="added"' in page
    assert 'data-path="invoice_number" data-state="same"' in page
    earlier = owner_client.get(
        reverse("job_detail", args=[finished.id]) + "?run=1"
    ).content.decode()
    assert 'data-testid="result-field" data-path="currency"' not in earlier
    download = owner_client.get(reverse("job_download_json", args=[finished.id]) + "?run=1")
    assert json.loads(download.content) == {"invoice_number": "INV-001", "total": 42.5}
    assert "-run" not in download["Content-Disposition"]
    latest = owner_client.get(reverse("job_download_json", args=[finished.id]))
    assert "-run2.json" in latest["Content-Disposition"]


def test_the_job_schema_and_options_show_as_json(owner_client, finished):
    page = owner_client.get(reverse("job_detail", args=[finished.id])).content.decode()
    schema_block = page.split('data-testid="job-schema">')[1].split("</pre>")[0]
    assert json.loads(schema_block.replace("&quot;", '"')) == SCHEMA
    assert "{&#x27;type&#x27;" not in page  # never a Python dict


# --- Jobs page, live rows -----------------------------------------------------------------------


def make_job(project, agent, name: str, status: str, days_ago: int = 0) -> ExtractionJob:
    job = ExtractionJob.objects.create(
        project=project, agent=agent, file_name=name, inline_text="x", status=status
    )
    current_run(job)
    if days_ago:
        created = timezone.now() - dt.timedelta(days=days_ago)
        ExtractionJob.objects.filter(pk=job.pk).update(created_at=created)
    return job


def test_jobs_page_search_and_filters(owner_client, owner_project, agent):
    default = services.agent_get_or_create_default(project=owner_project)
    old = make_job(owner_project, agent, "alpha.pdf", JobStatus.SUCCESS, days_ago=10)
    make_job(owner_project, default, "beta.pdf", JobStatus.ERROR)
    running = make_job(owner_project, agent, "gamma.pdf", JobStatus.RUNNING)
    other = UserFactory(username="someone-else")
    from tests.factories import default_project

    make_job(
        default_project(other),
        services.agent_get_or_create_default(project=default_project(other)),
        "theirs.pdf",
        "SUCCESS",
    )

    def names(**query: str) -> list[str]:
        page = owner_client.get(reverse("jobs"), query).content.decode()
        return sorted(
            n for n in ("alpha.pdf", "beta.pdf", "gamma.pdf", "theirs.pdf") if f">{n}<" in page
        )

    assert names() == ["alpha.pdf", "beta.pdf", "gamma.pdf"]
    assert names(q="BETA") == ["beta.pdf"]
    assert names(q="invoices") == ["alpha.pdf", "gamma.pdf"]  # the agent's name
    assert names(q=str(old.id)) == ["alpha.pdf"]
    assert names(status="ERROR") == ["beta.pdf"]
    assert names(
        agent=str(agent.id), created_from=str(timezone.localdate() - dt.timedelta(days=2))
    ) == ["gamma.pdf"]
    assert names(created_to=str(timezone.localdate() - dt.timedelta(days=5))) == ["alpha.pdf"]
    assert names(status="NONSENSE", created_from="not a date") == [
        "alpha.pdf",
        "beta.pdf",
        "gamma.pdf",
    ]

    poll = owner_client.get(reverse("jobs"), {"q": "gamma"}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    assert "<html" not in poll.content.decode()
    ExtractionJob.objects.filter(pk=running.pk).update(status=JobStatus.SUCCESS)
    assert (
        owner_client.get(reverse("jobs"), {"q": "gamma"}, HTTP_HX_REQUEST="true").status_code == 286
    )


def test_agent_page_rows_poll_while_a_job_runs(owner_client, owner_project, agent):
    job = make_job(owner_project, agent, "gamma.pdf", JobStatus.RUNNING)
    page = owner_client.get(reverse("agent_detail", args=[agent.id])).content.decode()
    assert f'hx-get="{reverse("agent_jobs", args=[agent.id])}"' in page
    assert owner_client.get(reverse("agent_jobs", args=[agent.id])).status_code == 200
    ExtractionJob.objects.filter(pk=job.pk).update(status=JobStatus.SUCCESS)
    assert owner_client.get(reverse("agent_jobs", args=[agent.id])).status_code == 286


# --- Engine and options --------------------------------------------------------------------------


def test_without_an_llm_the_options_hide_models_and_name_the_local_engine(owner_client):
    page = owner_client.get(reverse("extraction_new")).content.decode()
    assert (
        "Runs on the built-in local engine (offline; no LLM is configured on this server)." in page
    )
    assert "openai-gpt-4o" not in page
    assert "gemini" not in page
    assert '<select name="extract_model"' not in page


def test_with_an_llm_the_model_menu_offers_only_configured_models(owner_client, settings):
    settings.OPENAI_BASE_URL = "http://llm.internal:8000/v1"
    settings.OPENAI_MODEL = "qwen2.5-7b-instruct"
    form = ExtractOptionsForm()
    choices = [value for value, _ in form.fields["extract_model"].choices]
    assert choices == ["", "qwen2.5-7b-instruct", "local"]
    assert form.engine.summary == "Runs on the model qwen2.5-7b-instruct (llm.internal)."
    # A LlamaCloud name saved through the API stays selectable and valid when edited here.
    stored = ExtractOptionsForm.from_config({"extract_model": "openai-gpt-4o"})
    assert "openai-gpt-4o" in [value for value, _ in stored.fields["extract_model"].choices]
    line = owner_client.get(reverse("engine_preview"), {"extract_model": "local"}).content.decode()
    assert "Runs on the built-in local engine (offline; the local engine was chosen" in line
    unknown = owner_client.get(
        reverse("engine_preview"), {"extract_model": "nope"}
    ).content.decode()
    assert "engine-unknown" in unknown


# --- Small fixes ---------------------------------------------------------------------------------


def test_times_under_a_minute_read_just_now():
    template = Template("{% load oe_display %}{{ a|ago }}|{{ b|ago }}|{{ c|ago }}")
    now = timezone.now()
    rendered = template.render(
        Context({"a": now, "b": now - dt.timedelta(minutes=5, seconds=3), "c": None})
    )
    assert rendered == "just now|5\xa0minutes ago|"


def test_admin_names_are_plural_english_and_jobs_are_newest_first(client, owner_project):
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    client.force_login(staff)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Webhook deliveries" in index
    assert "Extraction cache entries" in index
    assert "entrys" not in index
    assert "deliverys" not in index
    default = services.agent_get_or_create_default(project=owner_project)
    older = make_job(owner_project, default, "older.pdf", JobStatus.SUCCESS, days_ago=3)
    newer = make_job(owner_project, default, "newer.pdf", JobStatus.SUCCESS)
    changelist = client.get(reverse("admin:extraction_extractionjob_changelist")).content.decode()
    assert changelist.index(str(newer.id)) < changelist.index(str(older.id))
