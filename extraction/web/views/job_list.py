"""The Jobs page: every job of the current project, searched and filtered, live while any of
those shown is active."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from accounts.pages import page_context, project_for_request
from extraction import selectors
from extraction.web.forms import JobFilterForm
from extraction.web.views.common import job_rows_response, jobs_active

if TYPE_CHECKING:
    from django.http import HttpResponse

    from accounts.http import AuthenticatedHttpRequest

PAGE_SIZE = 50


@login_required
@vary_on_headers("HX-Request")
def jobs_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """``?q=`` (file or agent name, or a job id), ``status``, ``agent``, ``created_from`` and
    ``created_to`` narrow the list; ``page`` pages it. HTMX polls get just the rows."""
    project = project_for_request(request)
    agents = selectors.agents_for_project(project=project)
    filters = JobFilterForm(request.GET, agents=agents)
    found = selectors.jobs_search(project=project, **filters.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    poll_url = request.get_full_path()
    jobs = list(page)
    filtered = any(value for key, value in request.GET.items() if key != "page")
    if request.htmx:
        return job_rows_response(request, jobs, poll_url=poll_url, filtered=filtered)
    query = request.GET.copy()
    query.pop("page", None)
    context = page_context(
        request,
        project=project,
        filters=filters,
        page=page,
        jobs=jobs,
        active=jobs_active(jobs),
        filtered=filtered,
        query=query.urlencode(),
        poll_url=poll_url,
    )
    return render(request, "extraction/jobs.html", context)
