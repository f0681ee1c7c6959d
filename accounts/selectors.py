"""Reads for accounts, always scoped to what the user may see."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet

from accounts.models import APIKey, Membership, Organization, Project, User, hash_api_key

if TYPE_CHECKING:
    from uuid import UUID

# Roles that manage an organization: its projects, every key on them, webhook secrets.
MANAGER_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


def projects_for_user(*, user: User) -> QuerySet[Project]:
    return (
        Project.objects.filter(organization__memberships__user=user)
        .select_related("organization")
        .order_by("-is_default", "created_at")
    )


def project_for_user(*, user: User, project_id: str | UUID) -> Project | None:
    """The project with ``project_id`` if ``user`` is a member of its organization, else None."""
    try:
        return projects_for_user(user=user).get(id=project_id)
    except (Project.DoesNotExist, ValidationError, ValueError, TypeError):
        return None


def api_key_lookup(*, raw_key: str) -> APIKey | None:
    """Find the active key matching ``raw_key``; None when unknown, revoked or expired, and
    when its user is no longer a member of the organization that owns the key's project."""
    parts = raw_key.split("_")
    if len(parts) < 3:
        return None
    prefix = f"{parts[0]}_{parts[1]}"
    key = (
        APIKey.objects.select_related("user", "project", "project__organization")
        # Checked on every use, in the same query: removal must end access even if a key
        # escaped revocation (a key created concurrently, a membership deleted in bulk).
        .filter(prefix=prefix, project__organization__memberships__user=F("user"))
        .first()
    )
    if key is None or not hmac.compare_digest(key.hashed_key, hash_api_key(raw_key)):
        return None
    if not key.is_active or not key.user.is_active:
        return None
    return key


def api_keys_for_user(*, user: User, project: Project) -> QuerySet[APIKey]:
    return APIKey.objects.filter(user=user, project=project).order_by("-created_at")


def membership_role(*, user: User, organization: Organization | UUID) -> str | None:
    """``user``'s role in ``organization`` (an object or an id); None when not a member."""
    return (
        Membership.objects.filter(user=user, organization=organization)
        .values_list("role", flat=True)
        .first()
    )


def user_manages(*, user: User, organization: Organization | UUID) -> bool:
    """Whether ``user`` is an owner or admin of ``organization``."""
    return membership_role(user=user, organization=organization) in MANAGER_ROLES


def api_keys_for_organization(*, organization: Organization) -> QuerySet[APIKey]:
    """Every key on ``organization``'s projects, whoever holds it (for owners and admins)."""
    return (
        APIKey.objects.filter(project__organization=organization)
        .select_related("user", "project")
        .order_by("revoked_at", "-created_at")
    )


def api_key_in_user_organizations(*, user: User, key_id: str | UUID) -> APIKey | None:
    """The key ``key_id`` if it sits on a project of an organization ``user`` belongs to."""
    try:
        return (
            APIKey.objects.select_related("user", "project", "project__organization")
            .filter(project__organization__memberships__user=user)
            .get(id=key_id)
        )
    except (APIKey.DoesNotExist, ValidationError, ValueError, TypeError):
        return None
