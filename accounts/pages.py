"""What every signed-in page shares: the current project (kept in the session) and the
project switcher. Used by the pages of every app, so it lives apart from any app's views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.http import request_user
from accounts.models import Project
from accounts.selectors import project_for_user, projects_for_user, user_manages
from accounts.services import user_provision_defaults

if TYPE_CHECKING:
    from django.http import HttpRequest

SESSION_PROJECT = "project_id"


def project_for_request(request: HttpRequest) -> Project:
    """The project chosen in the session, or the user's first; provisions one if none exists.

    Read once per request: a page asks for it several times (lookups, the switcher).
    """
    cached: Project | None = getattr(request, "_current_project", None)
    chosen = request.session.get(SESSION_PROJECT)
    if cached is not None and chosen in (None, str(cached.id)):
        return cached
    project = _project_for_session(request)
    request._current_project = project  # type: ignore[attr-defined]
    return project


def _project_for_session(request: HttpRequest) -> Project:
    user = request_user(request)
    chosen = request.session.get(SESSION_PROJECT)
    project = project_for_user(user=user, project_id=chosen) if chosen else None
    if project is None:
        project = projects_for_user(user=user).first()
    if project is None:
        project = user_provision_defaults(user=user)
    return project


def page_context(request: HttpRequest, **context: object) -> dict[str, object]:
    """What every signed-in page needs: the current project and the others for the switcher."""
    given = context.pop("project", None)
    project = given if isinstance(given, Project) else project_for_request(request)
    user = request_user(request)
    return {
        "project": project,
        "projects": projects_for_user(user=user),
        "can_manage": user_manages(user=user, organization=project.organization_id),
        **context,
    }
