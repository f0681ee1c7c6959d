"""DRF authentication with ``Authorization: Bearer <key>`` and project resolution for API calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.throttling import BaseThrottle

from accounts.http import request_user
from accounts.models import APIKey, Membership, Project, User
from accounts.selectors import api_key_lookup, project_for_user, projects_for_user

if TYPE_CHECKING:
    from rest_framework.request import Request

# Writing last_used_at on every request would turn each read into a write; a minute is plenty.
LAST_USED_RESOLUTION_SECONDS = 60


class APIKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, APIKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, raw_key = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        raw_key = raw_key.strip()
        address = client_address(request)
        failures_key = f"api-key-failures:{address}"
        if (cache.get(failures_key) or 0) >= settings.API_KEY_FAILURE_LIMIT:
            raise exceptions.Throttled(
                wait=settings.API_KEY_FAILURE_WINDOW_SECONDS,
                detail=(
                    "Too many requests with a wrong API key from this address; try again later."
                ),
            )
        key = api_key_lookup(raw_key=raw_key) if raw_key else None
        if key is None:
            _count_failure(failures_key)
            if not raw_key:
                raise exceptions.AuthenticationFailed("Empty bearer token.")
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
        now = timezone.now()
        if (
            key.last_used_at is None
            or (now - key.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            APIKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def client_address(request: Request) -> str:
    """The caller's address, as DRF's throttles see it (``X-Forwarded-For`` is believed only
    for the ``OPENEXTRACT_TRUSTED_PROXIES`` hops the deployment declares)."""
    return BaseThrottle().get_ident(request)


def _count_failure(failures_key: str) -> None:
    """Count one wrong key for an address within a fixed window (the first failure starts it)."""
    window = settings.API_KEY_FAILURE_WINDOW_SECONDS
    if cache.add(failures_key, 1, timeout=window):
        return
    try:
        cache.incr(failures_key)
    except ValueError:  # expired between add and incr
        cache.add(failures_key, 1, timeout=window)


def request_project(request: Request) -> Project:
    """The project an API request acts on.

    An API key selects its own project; ``project_id``/``organization_id`` query parameters, when
    given, must agree with it (403 otherwise). Session users act on the given project if they are
    a member, else on their default project. Unknown projects are 404.
    """
    project_id = request.query_params.get("project_id") or None
    organization_id = request.query_params.get("organization_id") or None
    key = request.auth if isinstance(request.auth, APIKey) else None
    if key is not None:
        project = key.project
        # api_key_lookup checked membership when the key was read; a removal during the
        # request (or a caller that set request.auth by other means) is caught here too.
        if not Membership.objects.filter(
            user_id=key.user_id, organization_id=project.organization_id
        ).exists():
            raise exceptions.PermissionDenied(
                "This API key's user is no longer a member of the project's organization."
            )
        if project_id and str(project.id) != project_id:
            if project_for_user(user=request_user(request), project_id=project_id) is None:
                raise exceptions.NotFound("Project not found.")
            raise exceptions.PermissionDenied(
                "This API key is not valid for the requested project."
            )
        if organization_id and str(project.organization_id) != organization_id:
            raise exceptions.PermissionDenied(
                "This API key is not valid for the requested organization."
            )
        return project
    user = request_user(request)
    if project_id:
        chosen = project_for_user(user=user, project_id=project_id)
        if chosen is None:
            raise exceptions.NotFound("Project not found.")
        return chosen
    projects = projects_for_user(user=user)
    if organization_id:
        projects = projects.filter(organization_id=organization_id)
    first = projects.first()
    if first is None:
        raise exceptions.NotFound("No project available for this user.")
    return first
