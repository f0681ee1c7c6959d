"""Cursor pagination of GET /api/v2/extract: newest first, each job once, stable under inserts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from extraction.models import ExtractionJob, JobStatus, SourceFile
from extraction.services import configurations
from tests.api.helpers import INVOICE_SCHEMA
from tests.api_v2.helpers import EXTRACT, beta_upload

pytestmark = pytest.mark.django_db


def submit(project, source: SourceFile) -> ExtractionJob:
    return configurations.extract_job_submit(
        project=project, source=source, configuration={"data_schema": INVOICE_SCHEMA}
    )


@pytest.fixture
def jobs(owner_client, owner_project) -> list[str]:
    """120 jobs, newest first; a block of 30 shares one created_at to exercise the tie-break."""
    source = SourceFile.objects.get(pk=beta_upload(owner_client)["id"])
    created = [submit(owner_project, source) for _ in range(120)]
    base = timezone.now() - dt.timedelta(hours=1)
    for index, job in enumerate(created):
        stamp = base if 40 <= index < 70 else base + dt.timedelta(seconds=index)
        ExtractionJob.objects.filter(pk=job.pk).update(created_at=stamp)
    ordered = ExtractionJob.objects.filter(project=owner_project).order_by("-created_at", "-id")
    return [str(job_id) for job_id in ordered.values_list("id", flat=True)]


def walk(client, url: str, on_page=None) -> list[str]:
    seen, token, pages = [], None, 0
    while True:
        page = client.get(url + (f"&page_token={token}" if token else "")).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        if on_page:
            on_page(pages)
        token = page["next_page_token"]
        if not token:
            return seen


def test_each_job_exactly_once_newest_first(owner_client, jobs):
    seen = walk(owner_client, f"{EXTRACT}?page_size=7")
    assert seen == jobs
    assert len(set(seen)) == 120
    first = owner_client.get(f"{EXTRACT}?page_size=7").json()
    assert first["total_size"] == 120
    assert len(first["items"]) == 7


def test_default_page_size_is_50(owner_client, jobs):
    first = owner_client.get(EXTRACT).json()
    assert len(first["items"]) == 50
    assert first["next_page_token"]
    assert walk(owner_client, f"{EXTRACT}?x=1") == jobs


def test_inserts_while_paging_neither_repeat_nor_skip(owner_client, owner_project, jobs):
    source = SourceFile.objects.first()
    added = []

    def insert(page: int) -> None:
        added.append(str(submit(owner_project, source).id))

    seen = walk(owner_client, f"{EXTRACT}?page_size=25", on_page=insert)
    assert seen == jobs
    assert not set(added) & set(seen)


def test_filters_combine_with_pages(owner_client, jobs):
    ExtractionJob.objects.filter(pk__in=jobs[:10]).update(status=JobStatus.SUCCESS)
    ExtractionJob.objects.filter(pk__in=jobs[10:13]).update(status=JobStatus.PARTIAL_SUCCESS)
    ExtractionJob.objects.filter(pk__in=jobs[13:15]).update(status=JobStatus.ERROR)
    assert walk(owner_client, f"{EXTRACT}?status=COMPLETED&page_size=4") == jobs[:13]
    assert walk(owner_client, f"{EXTRACT}?status=FAILED") == jobs[13:15]
    assert walk(owner_client, f"{EXTRACT}?status=THROTTLED") == []
    picked = f"job_ids={jobs[5]}&job_ids=ext-{jobs[90]}"
    assert walk(owner_client, f"{EXTRACT}?{picked}") == [jobs[5], jobs[90]]
    stamp = ExtractionJob.objects.get(pk=jobs[20]).created_at.isoformat().replace("+", "%2B")
    assert walk(owner_client, f"{EXTRACT}?created_at_on_or_after={stamp}") == jobs[:21]
    before = walk(owner_client, f"{EXTRACT}?created_at_on_or_before={stamp}&page_size=1000")
    assert before == jobs[20:]
    file_id = str(SourceFile.objects.get().id)
    assert len(walk(owner_client, f"{EXTRACT}?file_input=dfl-{file_id}&page_size=1000")) == 120
    assert walk(owner_client, f"{EXTRACT}?document_input_type=parse_job_id") == []


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("page_size=1001", 422),
        ("page_size=0", 422),
        ("status=DONE", 422),
        ("job_ids=nope", 422),
        ("page_token=forged", 400),
    ],
)
def test_bad_list_queries(owner_client, query, status):
    response = owner_client.get(f"{EXTRACT}?{query}")
    assert response.status_code == status, response.content
    assert response.json()["detail"]


def test_page_size_1000_is_allowed(owner_client, jobs):
    page = owner_client.get(f"{EXTRACT}?page_size=1000").json()
    assert len(page["items"]) == 120
    assert page["next_page_token"] is None


def test_a_page_costs_the_same_queries_whatever_its_size(owner_client, jobs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(size: int) -> int:
        url = f"{EXTRACT}?page_size={size}&expand=configuration&expand=extract_metadata"
        with CaptureQueriesContext(connection) as captured:
            assert len(owner_client.get(url).json()["items"]) == size
        return len(captured)

    assert queries(100) == queries(5)
