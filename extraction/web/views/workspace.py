"""An agent's workspace: add documents, edit the schema and options, run them all, compare.

The results table is live (HTMX polls it while a document runs, 286 once none does); the
exports give every document's current result with every field of the agent's schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.pages import page_context
from extraction import selectors, services
from extraction.models import TERMINAL_STATUSES, ExtractionAgent, WorkspaceDocument
from extraction.web import result_export
from extraction.web.forms import AgentForm, ExtractOptionsForm, WorkspaceAddForm
from extraction.web.schema_shape import schema_for_display
from extraction.web.views.common import (
    HTMX_STOP_POLLING,
    attempt_write,
    editor_context,
    find_in_user_projects,
    posted_schema,
)
from extraction.web.workspace_page import WorkspacePage, workspace_page_build

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest

STORED_FILES_OFFERED = 50
EXPORTS = {
    "json": ("application/json", result_export.results_json),
    "jsonl": ("application/x-ndjson", result_export.results_jsonl),
    "csv": ("text/csv; charset=utf-8", result_export.results_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        result_export.results_xlsx,
    ),
}


def _workspace(agent: ExtractionAgent) -> tuple[list[WorkspaceDocument], WorkspacePage]:
    entries = list(selectors.workspace_documents(agent=agent))
    jobs = [entry.job for entry in entries if entry.job is not None]
    runs = list(selectors.runs_for_jobs(jobs=jobs))
    return entries, workspace_page_build(agent, entries, runs)


def _agent(request: HttpRequest, agent_id: str) -> ExtractionAgent:
    return find_in_user_projects(request, selectors.agent_get, agent_id=agent_id)


@login_required
@vary_on_headers("HX-Request")
def workspace(request: AuthenticatedHttpRequest, agent_id: str) -> HttpResponse:
    """The workspace page; an HTMX request gets the results table alone (it polls itself)."""
    agent = _agent(request, agent_id)
    entries, view = _workspace(agent)
    if request.htmx:
        response = render(
            request, "extraction/partials/workspace_table.html", {"workspace_page": view}
        )
        if not view.active:
            response.status_code = HTMX_STOP_POLLING
        return response
    return _render(request, agent, entries, view)


def _render(
    request: HttpRequest,
    agent: ExtractionAgent,
    entries: list[WorkspaceDocument],
    view: WorkspacePage,
    *,
    form: AgentForm | None = None,
    options: ExtractOptionsForm | None = None,
    add_form: WorkspaceAddForm | None = None,
    schema: Any = None,
    problems: list[dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    in_workspace = {entry.file_id for entry in entries}
    stored = [
        source
        for source in selectors.files_for_project(project=agent.project)[:STORED_FILES_OFFERED]
        if source.id not in in_workspace
    ]
    context = page_context(
        request,
        project=agent.project,
        agent=agent,
        workspace_page=view,
        form=form or AgentForm(initial={"name": agent.name}),
        options=options or ExtractOptionsForm.from_config(agent.config),
        add_form=add_form or WorkspaceAddForm(stored=stored),
        stored_files=stored,
        **editor_context(schema if schema is not None else agent.data_schema, problems),
    )
    return render(request, "extraction/workspace.html", context, status=status)


@login_required
@require_POST
def workspace_add(request: AuthenticatedHttpRequest, agent_id: str) -> HttpResponse:
    """Add uploaded and/or stored files to the workspace (all or none; a refused file is
    named)."""
    agent = _agent(request, agent_id)
    stored = selectors.files_for_project(project=agent.project)
    form = WorkspaceAddForm(request.POST, request.FILES, stored=stored[:STORED_FILES_OFFERED])
    if not form.is_valid():
        errors = " ".join(str(error) for error in form.non_field_errors())
        messages.error(request, errors or "Choose files to add.")
        return redirect("workspace", agent_id=agent.id)
    documents: list[Any] = [
        services.Upload.from_uploaded_file(upload) for upload in form.cleaned_data["uploads"]
    ]
    documents += list(stored.filter(id__in=form.cleaned_data.get("file_ids") or []))
    try:
        added = services.workspace_documents_add(agent=agent, documents=documents)
    except services.ServiceError as exc:
        messages.error(request, f"Nothing was added. {exc}")
        return redirect("workspace", agent_id=agent.id)
    count = len(added)
    messages.success(request, f"{count} document{'s' if count != 1 else ''} added.")
    return redirect("workspace", agent_id=agent.id)


@login_required
@require_POST
def workspace_remove(
    request: AuthenticatedHttpRequest, agent_id: str, document_id: str
) -> HttpResponse:
    """Take a document out of the workspace (its file and job stay)."""
    agent = _agent(request, agent_id)
    document = selectors.workspace_document_get(agent=agent, document_id=document_id)
    if document is None:
        raise Http404
    services.workspace_document_remove(document=document)
    messages.success(request, f"{document.file.name} left the workspace.")
    return redirect("workspace", agent_id=agent.id)


@login_required
@require_POST
def workspace_run(request: AuthenticatedHttpRequest, agent_id: str) -> HttpResponse:
    """Save the posted schema and options on the agent and run every document again."""
    agent = _agent(request, agent_id)
    form = AgentForm({**request.POST.dict(), "name": agent.name})
    options = ExtractOptionsForm(request.POST)
    form_ok, options_ok = form.is_valid(), options.is_valid()
    problems: list[dict[str, str]] = []
    if form_ok and options_ok:
        jobs, problems = attempt_write(
            lambda: services.workspace_run(
                agent=agent,
                data_schema=form.cleaned_data["data_schema"],
                config=options.config(),
                actor=request.user,
            ),
            form=form,
            options=options,
            error_field=None,
        )
        if jobs is not None:
            count = len(jobs)
            messages.success(request, f"Running {count} document{'s' if count != 1 else ''}.")
            return redirect("workspace", agent_id=agent.id)
    agent.refresh_from_db()
    entries, view = _workspace(agent)
    schema = form.cleaned_data.get("data_schema") if form_ok else posted_schema(request)
    return _render(
        request,
        agent,
        entries,
        view,
        form=form,
        options=options,
        schema=schema,
        problems=problems,
        status=400,
    )


@login_required
def workspace_export(
    request: AuthenticatedHttpRequest, agent_id: str, extension: str
) -> HttpResponse:
    """Every document's current result as JSON, JSONL, CSV or XLSX (a column, or a key, for
    every field of the agent's schema)."""
    if extension not in EXPORTS:
        raise Http404
    agent = _agent(request, agent_id)
    results = []
    for entry in selectors.workspace_documents(agent=agent):
        job = entry.job
        run = job.run if job is not None else None
        settled = job is not None and job.status in TERMINAL_STATUSES
        results.append(
            result_export.DocumentResult(
                file_name=entry.file.name,
                file_id=str(entry.file_id),
                job_id=str(job.id) if job else "",
                run=run.number if run else None,
                status=job.status if job else "NOT_RUN",
                data=run.data if run is not None and settled else None,
            )
        )
    content_type, export = EXPORTS[extension]
    content = export(results, schema_for_display(agent.data_schema))
    response = HttpResponse(content, content_type=content_type)
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in agent.name)[:60] or "agent"
    response["Content-Disposition"] = f'attachment; filename="{stem}-results.{extension}"'
    return response
