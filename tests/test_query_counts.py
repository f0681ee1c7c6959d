"""Every list endpoint and page costs a fixed number of queries, however many rows it shows.

Each list is read with one row and with five: the counts must be equal (no query per row) and
equal to the number written here, so a new query on these hot paths is a decision someone made,
not an accident. The job page's count is pinned the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from extraction.models import ExtractionJob, ExtractionRun, JobStatus, SavedConfiguration
from tests.factories import AgentFactory, store_file, submit_job

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.django_db


def queries(request: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert getattr(response, "status_code", 200) == 200, response
    return len(captured)


def add_rows(project, agent, count: int) -> None:
    start = ExtractionJob.objects.filter(project=project).count()
    for index in range(start, start + count):
        source = store_file(project, f"Invoice INV-{index}\nTotal: 1.00".encode(), f"{index}.txt")
        job = submit_job(project=project, agent=agent, source=source)
        ExtractionJob.objects.filter(pk=job.pk).update(status=JobStatus.SUCCESS)
        ExtractionRun.objects.filter(job=job).update(status="SUCCESS", data={"total": 1.0})
        SavedConfiguration.objects.create(
            project=project,
            name=f"config-{index}",
            product_type="extract_v2",
            parameters={"data_schema": {}},
        )
        AgentFactory(project=project)


API_LISTS = {
    "v1 jobs": ("get", "/api/v1/extraction/jobs?extraction_agent_id={agent}", 4),
    "v1 runs": ("get", "/api/v1/extraction/runs?extraction_agent_id={agent}", 5),
    "v1 agents": ("get", "/api/v1/extraction/extraction-agents", 3),
    "v2 extract": ("get", "/api/v2/extract", 4),
    "beta files": ("get", "/api/v1/beta/files", 4),
    "beta files query": ("post", "/api/v1/beta/files/query", 4),
    "beta configurations": ("get", "/api/v1/beta/configurations", 4),
    "beta agents": ("get", "/api/v1/beta/extraction-agents", 4),
}


@pytest.mark.parametrize("name", list(API_LISTS))
def test_api_lists_cost_the_same_for_one_row_and_five(name, owner_client, owner_project):
    method, template, expected = API_LISTS[name]
    agent = AgentFactory(project=owner_project)
    url = template.format(agent=agent.id)

    def call() -> object:
        return getattr(owner_client, method)(url, {}, format="json")

    add_rows(owner_project, agent, 1)
    call()  # the key's first use of the minute records it (accounts.authentication)
    one = queries(call)
    add_rows(owner_project, agent, 4)
    five = queries(call)
    assert (one, five) == (expected, expected)


PAGES = {"dashboard": 8, "agents": 6, "files": 6}


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_cost_the_same_for_one_row_and_five(name, owner, owner_project):
    client = APIClient()
    client.force_login(owner)
    agent = AgentFactory(project=owner_project)
    url = reverse(name)
    add_rows(owner_project, agent, 1)
    one = queries(lambda: client.get(url))
    add_rows(owner_project, agent, 4)
    five = queries(lambda: client.get(url))
    assert (one, five) == (PAGES[name], PAGES[name])


def test_job_page_costs_a_fixed_number_of_queries(owner, owner_project):
    client = APIClient()
    client.force_login(owner)
    agent = AgentFactory(project=owner_project)
    add_rows(owner_project, agent, 1)
    job = ExtractionJob.objects.get()
    assert queries(lambda: client.get(reverse("job_detail", args=[job.id]))) == 8
