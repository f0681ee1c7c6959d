"""Security-relevant actions leave audit events."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, Membership
from accounts.services import api_key_create, api_key_revoke
from tests.factories import UserFactory, default_project, submit_job


@pytest.mark.django_db
def test_key_creation_and_revocation_are_audited(owner, owner_project):
    key, _ = api_key_create(user=owner, project=owner_project, name="ci")
    api_key_revoke(key=key, actor=owner)
    events = list(AuditEvent.objects.filter(target_id=str(key.pk)).order_by("created_at"))
    assert [e.action for e in events] == ["api_key.create", "api_key.revoke"]
    assert all(e.actor == owner and e.project == owner_project for e in events)
    assert events[0].details == {"prefix": key.prefix, "name": "ci"}


@pytest.mark.django_db
def test_membership_changes_in_the_admin_are_audited(client, owner):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(staff)
    organization = default_project(owner).organization
    response = client.post(
        "/admin/accounts/membership/add/",
        {"user": str(staff.pk), "organization": str(organization.pk), "role": "admin"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=staff, organization=organization)
    assert membership.role == "admin"
    event = AuditEvent.objects.get(action="membership.add")
    assert event.actor == staff
    assert event.details == {"user": "root", "role": "admin"}
    client.post(f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.remove", actor=staff).exists()


@pytest.mark.django_db
def test_audit_log_is_read_only_in_the_admin(client, owner):
    staff = UserFactory(username="root2", is_staff=True, is_superuser=True)
    client.force_login(staff)
    api_key_create(user=owner, project=default_project(owner))
    event = AuditEvent.objects.get(action="api_key.create")
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    assert (
        client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


@pytest.mark.django_db
def test_agent_schema_change_and_deletions_over_the_api_are_audited(
    owner_client, owner, owner_project
):
    from tests.factories import AgentFactory

    agent = AgentFactory(project=owner_project)
    new_schema = {"type": "object", "properties": {"iban": {"type": "string"}}}
    response = owner_client.put(
        f"/api/v1/extraction/extraction-agents/{agent.pk}",
        {"data_schema": new_schema, "config": {}},
        format="json",
    )
    assert response.status_code == 200
    change = AuditEvent.objects.get(action="agent.schema_change")
    assert change.actor == owner
    assert change.target_id == str(agent.pk)
    assert "invoice_number" in change.details["previous_schema"]["properties"]
    assert (
        owner_client.delete(f"/api/v1/extraction/extraction-agents/{agent.pk}").status_code == 200
    )
    deletion = AuditEvent.objects.get(action="agent.delete")
    assert deletion.actor == owner
    assert deletion.details == {"name": agent.name}


@pytest.mark.django_db
def test_v2_job_and_configuration_deletions_are_audited(owner_client, owner, owner_project):
    from extraction import services
    from extraction.models import ExtractionJob
    from extraction.tasks import extract_job

    job = submit_job(
        project=owner_project,
        agent=services.agent_get_or_create_default(project=owner_project),
        text="Total: 5",
        data_schema={"type": "object", "properties": {"total": {"type": "number"}}},
    )
    extract_job.apply(args=[str(job.pk)])
    assert owner_client.delete(f"/api/v2/extract/{job.pk}").status_code == 200
    assert not ExtractionJob.objects.filter(pk=job.pk).exists()
    event = AuditEvent.objects.get(action="job.delete")
    assert event.actor == owner
    assert event.target_id == str(job.pk)
    created = owner_client.post(
        "/api/v1/beta/configurations",
        {
            "name": "c",
            "parameters": {
                "product_type": "extract_v2",
                "data_schema": {"type": "object", "properties": {}},
            },
        },
        format="json",
    )
    assert created.status_code == 200
    assert owner_client.delete(
        f"/api/v1/beta/configurations/{created.json()['id']}"
    ).status_code in (200, 204)
    assert AuditEvent.objects.filter(action="configuration.delete", actor=owner).exists()
