"""Reads for accounts, always scoped to what the user may see."""

from __future__ import annotations

import hmac

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import APIKey, Project, User, hash_api_key


def projects_for_user(*, user: User) -> QuerySet[Project]:
    return (
        Project.objects.filter(organization__memberships__user=user)
        .select_related("organization")
        .order_by("-is_default", "created_at")
    )


def project_for_user(*, user: User, project_id: object) -> Project | None:
    """The project with ``project_id`` if ``user`` is a member of its organization, else None."""
    try:
        return projects_for_user(user=user).get(id=project_id)
    except (Project.DoesNotExist, ValidationError, ValueError, TypeError):
        return None


def api_key_lookup(*, raw_key: str) -> APIKey | None:
    """Find the active key matching ``raw_key``; None when unknown, revoked or expired."""
    parts = raw_key.split("_")
    if len(parts) < 3:
        return None
    prefix = f"{parts[0]}_{parts[1]}"
    key = APIKey.objects.select_related("user", "project").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.hashed_key, hash_api_key(raw_key)):
        return None
    if not key.is_active or not key.user.is_active:
        return None
    return key


def api_keys_for_user(*, user: User, project: Project) -> QuerySet[APIKey]:
    return APIKey.objects.filter(user=user, project=project).order_by("-created_at")
