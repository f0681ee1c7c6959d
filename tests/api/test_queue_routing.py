"""Jobs are published to the Redis queue named by their priority."""

from __future__ import annotations

import pytest
from celery.signals import before_task_publish

from tests.api.helpers import V1, create_agent, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """(task name, queue, args) of every message published to the broker meanwhile."""
    messages: list[tuple[str, str, list]] = []

    def record(sender=None, headers=None, body=None, routing_key=None, **kwargs):
        messages.append((sender, routing_key, list(body[0]) if body else []))

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)


@pytest.mark.parametrize("priority", ["low", "medium", "high", "critical"])
def test_job_goes_to_the_queue_of_its_priority(
    owner_client, published, django_capture_on_commit_callbacks, priority
):
    agent = create_agent(owner_client)
    file_id = upload(owner_client)["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"{V1}/extraction/jobs",
            {"extraction_agent_id": agent["id"], "file_id": file_id, "priority": priority},
            format="json",
        )
    job_id = response.json()["id"]
    assert ("extraction.tasks.extract_job", priority, [job_id]) in published


def test_priority_from_the_config_is_used_when_not_given(
    owner_client, published, django_capture_on_commit_callbacks
):
    agent = create_agent(owner_client, config={"priority": "critical"})
    file_id = upload(owner_client)["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"{V1}/extraction/jobs",
            {"extraction_agent_id": agent["id"], "file_id": file_id},
            format="json",
        )
    assert ("extraction.tasks.extract_job", "critical", [response.json()["id"]]) in published


def test_unknown_priority_is_422(owner_client):
    agent = create_agent(owner_client)
    file_id = upload(owner_client)["id"]
    response = owner_client.post(
        f"{V1}/extraction/jobs",
        {"extraction_agent_id": agent["id"], "file_id": file_id, "priority": "LOW"},
        format="json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "priority"]
