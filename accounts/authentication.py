"""DRF authentication with ``Authorization: Bearer <key>`` and project resolution for API calls."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import APIKey, Project
from accounts.selectors import api_key_lookup, project_for_user, projects_for_user

# Writing last_used_at on every request would turn each read into a write; a minute is plenty.
LAST_USED_RESOLUTION_SECONDS = 60


class APIKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request):  # noqa: ANN201 - DRF signature
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, raw_key = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        raw_key = raw_key.strip()
        if not raw_key:
            raise exceptions.AuthenticationFailed("Empty bearer token.")
        key = api_key_lookup(raw_key=raw_key)
        if key is None:
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
        if project_id and str(project.id) != project_id:
            if project_for_user(user=request.user, project_id=project_id) is None:
                raise exceptions.NotFound("Project not found.")
            raise exceptions.PermissionDenied(
                "This API key is not valid for the requested project."
            )
        if organization_id and str(project.organization_id) != organization_id:
            raise exceptions.PermissionDenied(
                "This API key is not valid for the requested organization."
            )
        return project
    if project_id:
        project = project_for_user(user=request.user, project_id=project_id)
        if project is None:
            raise exceptions.NotFound("Project not found.")
        return project
    projects = projects_for_user(user=request.user)
    if organization_id:
        projects = projects.filter(organization_id=organization_id)
    project = projects.first()
    if project is None:
        raise exceptions.NotFound("No project available for this user.")
    return project
