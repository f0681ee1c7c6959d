"""Sign-up provisioning, projects, keys and the management command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import APIKey, Membership, Project, User, hash_api_key
from accounts.selectors import api_key_lookup
from accounts.services import api_key_create, api_key_revoke, user_create


@pytest.mark.django_db
def test_new_user_gets_a_default_organization_and_project():
    user = user_create(username="alice", password="s3cret-pass-123")
    membership = Membership.objects.get(user=user)
    assert membership.role == Membership.Role.OWNER
    project = Project.objects.get(organization=membership.organization)
    assert project.is_default


@pytest.mark.django_db
def test_api_key_is_stored_as_a_hash_with_a_visible_prefix():
    user = user_create(username="bob")
    project = Project.objects.get(organization__memberships__user=user)
    key, raw = api_key_create(user=user, project=project, name="ci")
    stored = APIKey.objects.get(pk=key.pk)
    assert raw.startswith(stored.prefix + "_")
    assert stored.hashed_key == hash_api_key(raw)
    assert raw not in {getattr(stored, f.attname) for f in APIKey._meta.fields if f.attname}
    assert api_key_lookup(raw_key=raw) == stored
    api_key_revoke(key=stored)
    assert api_key_lookup(raw_key=raw) is None


@pytest.mark.django_db
def test_create_api_key_command_creates_user_project_and_prints_the_key_last():
    out = io.StringIO()
    call_command(
        "create_api_key", "carol", "--project", "Invoices", stdout=out, stderr=io.StringIO()
    )
    raw = out.getvalue().strip().splitlines()[-1]
    key = api_key_lookup(raw_key=raw)
    assert key is not None
    assert key.user == User.objects.get(username="carol")
    assert key.project.name == "Invoices"


@pytest.mark.django_db
def test_signup_page_creates_user_with_default_project(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "dora",
            "email": "d@example.com",
            "password1": "Vq8!long-pass",
            "password2": "Vq8!long-pass",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="dora")
    assert Project.objects.filter(organization__memberships__user=user, is_default=True).exists()
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_login_page_renders_and_dashboard_requires_login(client):
    assert client.get("/accounts/login/").status_code == 200
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
