"""Agents (list, create, edit with the schema editor, run on files, history) and files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.pages import page_context, project_for_request
from extraction import selectors, services
from extraction.pipeline.config import ConfigError
from extraction.pipeline.schemas import SchemaError
from extraction.web.forms import (
    AgentForm,
    ExtractOptionsForm,
    RunAgentForm,
)
from extraction.web.views.common import (
    attempt_write,
    editor_context,
    find_in_user_projects,
    job_rows_response,
    jobs_active,
    posted_schema,
)

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest
    from extraction.models import ExtractionAgent


@login_required
def agents_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    project = project_for_request(request)
    agents = selectors.agents_for_project(project=project)
    return render(
        request, "extraction/agents.html", page_context(request, project=project, agents=agents)
    )


@login_required
def agent_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _agent_edit(request, agent=None)


@login_required
def agent_detail(request: AuthenticatedHttpRequest, agent_id: str) -> HttpResponse:
    agent = find_in_user_projects(request, selectors.agent_get, agent_id=agent_id)
    return _agent_edit(request, agent=agent)


def _agent_edit(
    request: AuthenticatedHttpRequest, *, agent: ExtractionAgent | None
) -> HttpResponse:
    """Create or edit an agent with the same schema editor and options as a new extraction."""
    project = agent.project if agent else project_for_request(request)
    initial = {"name": agent.name} if agent else None
    form = AgentForm(request.POST or None, initial=initial)
    options = ExtractOptionsForm(request.POST or None)
    if request.method != "POST":
        options = ExtractOptionsForm.from_config(agent.config if agent else {})
    problems: list[dict[str, str]] = []
    schema = agent.data_schema if agent else None
    if request.method == "POST":
        form_ok, options_ok = form.is_valid(), options.is_valid()
        schema = form.cleaned_data.get("data_schema") if form_ok else posted_schema(request)
        if form_ok and options_ok:
            fields = {
                "name": form.cleaned_data["name"].strip(),
                "data_schema": form.cleaned_data["data_schema"],
                "config": options.config(),
            }
            current = agent
            saved, problems = attempt_write(
                lambda: (
                    services.agent_create(project=project, **fields)
                    if current is None
                    else services.agent_update(agent=current, actor=request.user, **fields)
                ),
                form=form,
                options=options,
                error_field="name",
            )
            if saved is not None:
                messages.success(request, f"Agent “{saved.name}” saved.")
                return redirect("agent_detail", agent_id=saved.id)
    jobs = list(_agent_jobs(agent)) if agent else []
    context = page_context(
        request,
        project=project,
        agent=agent,
        form=form,
        options=options,
        jobs=jobs,
        active=jobs_active(jobs),
        poll_url=reverse("agent_jobs", args=[agent.id]) if agent else "",
        run_form=RunAgentForm(),
        **editor_context(schema, problems),
    )
    status = 400 if form.errors or options.errors or problems else 200
    return render(request, "extraction/agent.html", context, status=status)


def _agent_jobs(agent: ExtractionAgent) -> Any:
    return selectors.jobs_for_project(project=agent.project).filter(agent=agent)[:25]


@login_required
def agent_jobs(request: AuthenticatedHttpRequest, agent_id: str) -> HttpResponse:
    """The agent page's job history, polled while any of its jobs is active."""
    agent = find_in_user_projects(request, selectors.agent_get, agent_id=agent_id)
    return job_rows_response(
        request,
        list(_agent_jobs(agent)),
        poll_url=reverse("agent_jobs", args=[agent.id]),
        hide_agent=True,
    )


@login_required
@require_POST
def agent_run(request: AuthenticatedHttpRequest, agent_id: str) -> HttpResponse:
    """Run an agent on new files, one job each."""
    agent = find_in_user_projects(request, selectors.agent_get, agent_id=agent_id)
    form = RunAgentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
        return redirect("agent_detail", agent_id=agent.id)
    try:
        jobs = services.jobs_submit(
            project=agent.project,
            agent=agent,
            request=services.job_request_clean(agent=agent, from_ui=True),
            documents=[services.Upload.from_uploaded_file(u) for u in form.cleaned_data["uploads"]],
        )
    except (services.ServiceError, SchemaError, ConfigError) as exc:
        messages.error(request, str(exc))
        return redirect("agent_detail", agent_id=agent.id)
    if len(jobs) == 1:
        return redirect("job_detail", job_id=jobs[0].id)
    messages.success(request, f"{len(jobs)} jobs started.")
    return redirect("agent_detail", agent_id=agent.id)


@login_required
@require_POST
def agent_delete(request: AuthenticatedHttpRequest, agent_id: str) -> HttpResponse:
    agent = find_in_user_projects(request, selectors.agent_get, agent_id=agent_id)
    name = agent.name
    services.agent_delete(agent=agent, actor=request.user)
    messages.success(request, f"Agent “{name}” and its jobs were deleted.")
    return redirect("agents")


# --- Files -------------------------------------------------------------------------------------


@login_required
def files_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    project = project_for_request(request)
    # A file's page count is known once a job has read it.
    files = selectors.files_for_project(project=project).annotate(
        pages_read=Max("jobs__pages_total")
    )[:200]
    return render(
        request, "extraction/files.html", page_context(request, project=project, files=files)
    )


@login_required
@require_POST
def file_delete(request: AuthenticatedHttpRequest, file_id: str) -> HttpResponse:
    source = find_in_user_projects(request, selectors.file_get, file_id=file_id)
    name = source.name
    services.file_delete(source=source, actor=request.user)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, f"{name} deleted.")
    return redirect("files")
