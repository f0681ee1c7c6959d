"""The admin lists, shows, retries and cancels jobs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from extraction.models import ExtractionJob, JobStatus
from extraction.tasks import extract_job
from tests.conftest import wait_for
from tests.factories import AgentFactory, UserFactory, submit_job


@pytest.fixture
def staff_client(client, db):
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def make_job(project, text="Invoice number: INV-9") -> ExtractionJob:
    return submit_job(project=project, agent=AgentFactory(project=project), text=text)


@pytest.mark.django_db
def test_job_changelist_and_change_page_render_for_staff(staff_client, owner_project):
    job = make_job(owner_project)
    extract_job.apply(args=[str(job.pk)])
    changelist = staff_client.get(reverse("admin:extraction_extractionjob_changelist"))
    assert changelist.status_code == 200
    assert str(job.pk) in changelist.content.decode()
    filtered = staff_client.get(
        reverse("admin:extraction_extractionjob_changelist"),
        {"status__exact": "SUCCESS", "has_error": "no"},
    )
    assert str(job.pk) in filtered.content.decode()
    change = staff_client.get(reverse("admin:extraction_extractionjob_change", args=[job.pk]))
    assert change.status_code == 200
    body = change.content.decode()
    assert "&quot;invoice_number&quot;" in body  # the schema, pretty-printed and escaped
    assert "SUCCESS" in body


@pytest.mark.django_db
def test_admin_is_closed_to_non_staff(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:extraction_extractionjob_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_retry_action_re_enqueues_an_ended_job(celery_worker_process, staff_client, owner_project):
    job = make_job(owner_project)
    wait_for(lambda: ExtractionJob.objects.get(pk=job.pk).status == JobStatus.SUCCESS)
    first_finish = ExtractionJob.objects.get(pk=job.pk).finished_at
    response = staff_client.post(
        reverse("admin:extraction_extractionjob_changelist"),
        {"action": "retry_jobs", "_selected_action": [str(job.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 job(s) re-queued." in response.content.decode()
    finished = wait_for(
        lambda: (
            (j := ExtractionJob.objects.get(pk=job.pk)).status == JobStatus.SUCCESS
            and j.finished_at != first_finish
            and j
        )
    )
    assert finished.finished_at > first_finish
    assert finished.attempts == 1


@pytest.mark.django_db
def test_cancel_action_cancels_a_pending_job(staff_client, owner_project):
    job = make_job(owner_project)
    staff_client.post(
        reverse("admin:extraction_extractionjob_changelist"),
        {"action": "cancel_jobs", "_selected_action": [str(job.pk)]},
    )
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
