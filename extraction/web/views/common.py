"""Helpers shared by the page views: object lookup across the user's projects, editor context,
the live job rows."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.http import request_user
from accounts.pages import project_for_request
from accounts.selectors import projects_for_user
from extraction import services
from extraction.models import ACTIVE_STATUSES, ExtractionJob
from extraction.pipeline.config import ConfigError
from extraction.pipeline.schemas import SchemaError
from extraction.web.starter_schemas import STARTER_LABELS, STARTER_SCHEMAS

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)
T = TypeVar("T")

# HTMX stops polling an element when its response has this status.
HTMX_STOP_POLLING = 286


def find_in_user_projects(
    request: HttpRequest, getter: Callable[..., T | None], **lookup: object
) -> T:
    """The object ``getter`` finds in any of the user's projects (current one first), else 404."""
    current = project_for_request(request)
    user = request_user(request)
    projects = [current, *projects_for_user(user=user).exclude(id=current.id)]
    for project in projects:
        found = getter(project=project, **lookup)
        if found is not None:
            return found
    raise Http404


def schema_problems(exc: SchemaError) -> list[dict[str, str]]:
    """A ``SchemaError``'s problems as ``{"pointer", "message"}`` dicts for the editor."""
    return [{"pointer": pointer, "message": message} for pointer, message in exc.problems]


def attempt_write(
    write: Callable[[], T], *, form: Any, options: Any, error_field: str | None
) -> tuple[T | None, list[dict[str, str]]]:
    """Run a service write for a schema-editor form; put what it refuses on the forms.

    Returns ``(result, schema problems)``; the result is None when the write was refused
    (schema problems go to the editor, config problems to the options, others to
    ``error_field``).
    """
    try:
        return write(), []
    except SchemaError as exc:
        form.add_error(None, "The schema has problems; see the marked fields.")
        return None, schema_problems(exc)
    except ConfigError as exc:
        options.add_config_errors(exc.problems)
    except services.ServiceError as exc:
        form.add_error(error_field, str(exc))
    return None, []


def editor_context(
    data_schema: dict[str, Any] | None, problems: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """What the schema editor partial needs: the schema to start from, problems, templates."""
    return {
        "initial_schema": data_schema or {"type": "object", "properties": {}, "required": []},
        "schema_problems": problems or [],
        "starter_schemas": STARTER_SCHEMAS,
        "starter_labels": STARTER_LABELS,
        "max_upload_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024),
    }


def posted_schema(request: HttpRequest) -> Any:
    """The posted ``data_schema`` parsed, to show it again in the editor; None if not JSON."""
    try:
        return json.loads(request.POST.get("data_schema") or "null")
    except (ValueError, RecursionError):
        return None


def jobs_active(jobs: list[ExtractionJob]) -> bool:
    return any(job.status in ACTIVE_STATUSES for job in jobs)


def job_rows_response(
    request: HttpRequest,
    jobs: list[ExtractionJob],
    *,
    poll_url: str,
    hide_agent: bool = False,
    filtered: bool = False,
) -> HttpResponse:
    """The job rows fragment an HTMX poll asks for; polling stops (286) once none is active."""
    active = jobs_active(jobs)
    context = {
        "jobs": jobs,
        "active": active,
        "poll_url": poll_url,
        "hide_agent": hide_agent,
        "filtered": filtered,
    }
    response = render(request, "extraction/partials/job_rows.html", context)
    if not active:
        response.status_code = HTMX_STOP_POLLING
    return response
