"""Writes for accounts: sign-up provisioning, projects and API keys."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import APIKey, Membership, Organization, Project, User, hash_api_key


@transaction.atomic
def user_provision_defaults(*, user: User) -> Project:
    """Give ``user`` a default organization and project if they have none; return the project."""
    membership = Membership.objects.filter(user=user).select_related("organization").first()
    if membership is None:
        organization = Organization.objects.create(name=f"{user.username}'s organization")
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    else:
        organization = membership.organization
    project = organization.projects.order_by("-is_default", "created_at").first()
    if project is None:
        project = Project.objects.create(organization=organization, name="Default", is_default=True)
    return project


def user_create(*, username: str, password: str | None = None, email: str = "") -> User:
    """Create a user with its default organization and project."""
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, password=password)
        user_provision_defaults(user=user)
    return user


def project_create(*, organization: Organization, name: str) -> Project:
    return Project.objects.create(organization=organization, name=name)


def api_key_create(*, user: User, project: Project, name: str = "") -> tuple[APIKey, str]:
    """Create a key for ``project``; return it with the raw secret, which is never stored."""
    raw_key, prefix = APIKey.generate()
    key = APIKey.objects.create(
        user=user, project=project, name=name, prefix=prefix, hashed_key=hash_api_key(raw_key)
    )
    return key, raw_key


def api_key_revoke(*, key: APIKey) -> APIKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
