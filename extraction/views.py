"""HTMX pages. The full web UI is its own issue; this holds the dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import projects_for_user
from extraction.selectors import agents_for_project, jobs_for_project


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    project = projects_for_user(user=request.user).first()
    jobs = jobs_for_project(project=project)[:20] if project else []
    agents = agents_for_project(project=project)[:20] if project else []
    return render(
        request, "extraction/dashboard.html", {"project": project, "jobs": jobs, "agents": agents}
    )
