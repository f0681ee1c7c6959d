"""Finding 1 (a removed member kept API access), 8 (webhook secret) and 15 (roles).

Personas: owner, member, outsider (another organization) and a removed member.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import APIKey, AuditEvent, Membership
from accounts.selectors import api_key_lookup
from accounts.services import membership_remove
from tests.api.helpers import AGENTS
from tests.factories import join_organization

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def key_row(raw: str) -> APIKey:
    return APIKey.objects.get(prefix="_".join(raw.split("_")[:2]))


def test_a_removed_members_key_is_refused_on_every_api_route(removed_member, owner_project):
    client = bearer(removed_member.former_key)
    for url in (AGENTS, "/api/v1/files", f"/api/v1/files?project_id={owner_project.id}"):
        response = client.get(url)
        assert response.status_code in (401, 403), (url, response.status_code)
        assert "detail" in response.json()


def test_removal_revokes_the_members_keys_in_that_organization_only(owner, member, outsider):
    from tests.factories import api_key_for, api_key_in, default_project

    on_owner_project = api_key_in(member, default_project(owner))
    on_own_project = api_key_for(member)  # the member's own organization
    membership = Membership.objects.get(
        user=member, organization=default_project(owner).organization
    )
    revoked = membership_remove(membership=membership, actor=owner)
    assert revoked == 1
    assert key_row(on_owner_project).revoked_at is not None
    assert key_row(on_own_project).revoked_at is None
    assert bearer(on_own_project).get(AGENTS).status_code == 200
    events = AuditEvent.objects.filter(
        action="api_key.revoke", target_id=str(key_row(on_owner_project).pk)
    )
    assert events.get().details["reason"] == "membership removed"
    assert AuditEvent.objects.filter(action="membership.remove").get().details["keys_revoked"] == 1


def test_membership_is_checked_on_each_use_even_if_a_key_escaped_revocation(
    owner, member, member_key
):
    assert bearer(member_key).get(AGENTS).status_code == 200
    # Removed behind the service's back (bulk delete): the key is still unrevoked...
    Membership.objects.filter(user=member).exclude(role=Membership.Role.OWNER).delete()
    assert key_row(member_key).revoked_at is None
    # ...and still refused.
    assert api_key_lookup(raw_key=member_key) is None
    assert bearer(member_key).get(AGENTS).status_code == 401


def test_a_removed_member_gets_no_signed_download_links(owner_client, removed_member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.txt", b"Total: 5", content_type="text/plain")
    file_id = owner_client.post(
        "/api/v1/files", {"upload_file": upload}, format="multipart"
    ).json()["id"]
    response = bearer(removed_member.former_key).get(f"/api/v1/files/{file_id}/content")
    assert response.status_code in (401, 403)


# --- the organization page: every key, revocation, webhook secrets, roles ---------------------


def test_owner_sees_and_revokes_a_members_key_after_confirming(client, owner, member, member_key):
    client.force_login(owner)
    page = client.get(reverse("organization_settings"))
    assert page.status_code == 200
    prefix = key_row(member_key).prefix
    assert prefix in page.content.decode()
    assert "member" in page.content.decode()
    url = reverse("organization_key_revoke", args=[key_row(member_key).pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Revoke this API key?" in confirm.content.decode()
    assert key_row(member_key).revoked_at is None  # a GET revokes nothing
    assert client.post(url).status_code == 302
    assert key_row(member_key).revoked_at is not None
    event = AuditEvent.objects.get(action="api_key.revoke", target_id=str(key_row(member_key).pk))
    assert event.actor == owner
    assert bearer(member_key).get(AGENTS).status_code == 401


def test_an_admin_may_manage_but_a_member_may_not(client, owner, member, member_key):
    from tests.factories import UserFactory

    admin = UserFactory(username="admin")
    join_organization(admin, owner, Membership.Role.ADMIN)
    client.force_login(admin)
    assert client.get(reverse("organization_settings")).status_code == 200
    client.force_login(member)
    assert client.get(reverse("organization_settings")).status_code == 403
    url = reverse("organization_key_revoke", args=[key_row(member_key).pk])
    assert client.post(url).status_code == 403
    assert key_row(member_key).revoked_at is None


def test_an_outsider_gets_404_for_another_organizations_key_and_project(
    client, outsider, member_key, owner_project
):
    client.force_login(outsider)
    assert (
        client.post(reverse("organization_key_revoke", args=[key_row(member_key).pk])).status_code
        == 404
    )
    url = reverse("project_webhook_secret_rotate", args=[owner_project.pk])
    assert client.post(url).status_code == 404
    assert key_row(member_key).revoked_at is None


def test_owner_sees_the_webhook_secret_and_rotates_it_audited(client, owner, owner_project, member):
    client.force_login(owner)
    before = owner_project.webhook_secret
    assert before in client.get(reverse("organization_settings")).content.decode()
    url = reverse("project_webhook_secret_rotate", args=[owner_project.pk])
    assert client.get(url).status_code == 200  # the confirmation
    owner_project.refresh_from_db()
    assert owner_project.webhook_secret == before
    assert client.post(url).status_code == 302
    owner_project.refresh_from_db()
    assert owner_project.webhook_secret != before
    assert len(owner_project.webhook_secret) == 64
    event = AuditEvent.objects.get(action="project.webhook_secret_rotate")
    assert event.actor == owner
    assert event.project == owner_project
    assert before not in str(event.details)
    assert owner_project.webhook_secret not in str(event.details)
    client.force_login(member)
    assert client.post(url).status_code == 403
    assert owner_project.webhook_secret not in client.get("/").content.decode()


def test_a_member_cannot_create_projects(client, owner, member):
    client.force_login(member)
    client.post(
        reverse("project_switch"),
        {"project": str(member.memberships.get(role="member").organization.projects.first().id)},
    )
    client.post(reverse("project_new"), {"name": "Sneaky"})
    assert (
        not member.memberships.get(role="member")
        .organization.projects.filter(name="Sneaky")
        .exists()
    )
