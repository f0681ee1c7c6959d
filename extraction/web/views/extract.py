"""Dashboard and new extraction: upload or paste, schema editor, options, submit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.pages import page_context, project_for_request
from extraction import selectors, services
from extraction.pipeline.schemas import SchemaError, load_schema
from extraction.web.forms import (
    ExtractOptionsForm,
    NewExtractionForm,
)
from extraction.web.views.common import (
    attempt_write,
    editor_context,
    find_in_user_projects,
    job_rows_response,
    jobs_active,
    posted_schema,
    schema_problems,
)

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest
    from accounts.models import Project
    from extraction.models import ExtractionAgent, ExtractionJob


@login_required
@vary_on_headers("HX-Request")
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The current project's recent jobs (live while any is active) and agents."""
    project = project_for_request(request)
    jobs = list(selectors.jobs_for_project(project=project)[:15])
    poll_url = reverse("dashboard")
    if request.htmx:
        return job_rows_response(request, jobs, poll_url=poll_url)
    context = page_context(
        request,
        project=project,
        jobs=jobs,
        active=jobs_active(jobs),
        poll_url=poll_url,
        agents=selectors.agents_for_project(project=project)[:10],
        file_count=selectors.files_for_project(project=project).count(),
    )
    return render(request, "extraction/dashboard.html", context)


# --- New extraction ----------------------------------------------------------------------------


def _submit(
    *,
    project: Project,
    form: NewExtractionForm,
    options: ExtractOptionsForm,
    agent: ExtractionAgent | None = None,
) -> list[ExtractionJob]:
    """Store the uploads and submit one job per document (or one for the pasted text), on
    ``agent``, on a new agent when the form asks to save one, else on the default agent.

    All or nothing (``services.jobs_submit``). Raises ``SchemaError``, ``ConfigError`` or
    ``ServiceError``.
    """
    data = form.cleaned_data
    run_agent = agent or services.agent_get_or_create_default(project=project)
    request = services.job_request_clean(
        agent=run_agent, data_schema=data["data_schema"], config=options.config(), from_ui=True
    )
    documents: list[services.Document] = [
        services.Upload.from_uploaded_file(upload) for upload in data["uploads"]
    ]
    for file_id in data.get("file_ids") or []:
        source = selectors.file_get(project=project, file_id=file_id)
        if source is None:
            raise services.ServiceError("A chosen file no longer exists; upload it again.")
        documents.append(source)
    if not documents:
        documents.append(services.InlineText(data["text"]))
    return services.jobs_submit(
        project=project,
        agent=run_agent,
        request=request,
        documents=documents,
        new_agent_name=data["agent_name"].strip() if data.get("save_agent") else None,
    )


@login_required
def extraction_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload or paste, build the schema, pick options; run and/or save as an agent."""
    agent = None
    agent_id = request.GET.get("agent") or request.POST.get("agent")
    if agent_id:
        agent = find_in_user_projects(request, selectors.agent_get, agent_id=agent_id)
    # Runs from an agent belong to the agent's project, whichever project is current.
    project = agent.project if agent else project_for_request(request)
    save_only = request.POST.get("action") == "save"
    form = NewExtractionForm(
        request.POST or None, request.FILES or None, files_required=not save_only
    )
    options = ExtractOptionsForm(request.POST or None)
    if request.method != "POST" and agent is not None:
        options = ExtractOptionsForm.from_config(agent.config)
    problems: list[dict[str, str]] = []
    schema = agent.data_schema if agent else None
    if request.method == "POST":
        form_ok, options_ok = form.is_valid(), options.is_valid()
        schema = form.cleaned_data.get("data_schema") if form_ok else posted_schema(request)
        if save_only and form_ok and not form.cleaned_data.get("agent_name", "").strip():
            form.add_error("agent_name", "Give the agent a name.")
            form_ok = False
        if form_ok and options_ok and save_only:
            saved, problems = attempt_write(
                lambda: services.agent_create(
                    project=project,
                    name=form.cleaned_data["agent_name"].strip(),
                    data_schema=form.cleaned_data["data_schema"],
                    config=options.config(),
                ),
                form=form,
                options=options,
                error_field="agent_name",
            )
            if saved is not None:
                messages.success(request, f"Agent “{saved.name}” saved.")
                return redirect("agent_detail", agent_id=saved.id)
        elif form_ok and options_ok:
            jobs, problems = attempt_write(
                lambda: _submit(project=project, form=form, options=options, agent=agent),
                form=form,
                options=options,
                error_field=None,
            )
            if jobs is not None:
                if len(jobs) == 1:
                    return redirect("job_detail", job_id=jobs[0].id)
                messages.success(request, f"{len(jobs)} jobs started, one per file.")
                return redirect("dashboard")
    context = page_context(
        request,
        project=project,
        form=form,
        options=options,
        agent=agent,
        # Browsers never refill a file input, so say so when the page comes back.
        files_dropped=[upload.name for upload in request.FILES.getlist("files")],
        **editor_context(schema, problems),
    )
    return render(
        request,
        "extraction/new.html",
        context,
        status=400 if form.errors or options.errors or problems else 200,
    )


@login_required
@require_POST
def schema_validate(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Check a schema; answers ``{"problems": [{"pointer", "message"}]}`` (empty when valid)."""
    try:
        load_schema(request.body.decode("utf-8", "replace"))
    except SchemaError as exc:
        return JsonResponse({"problems": schema_problems(exc)})
    return JsonResponse({"problems": []})


@login_required
@require_POST
def schema_suggest(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Propose a schema from an uploaded file, pasted text and/or a prompt.

    An uploaded file is stored (it is the document the user is about to run), and its id is
    returned so the run reuses it instead of uploading it twice.
    """
    project = project_for_request(request)
    upload = request.FILES.get("file")
    text = (request.POST.get("text") or "").strip()
    prompt = (request.POST.get("prompt") or "").strip() or None
    try:
        if upload is not None:
            source = services.file_upload(
                project=project, upload=services.Upload.from_uploaded_file(upload)
            )
            schema = services.schema_generate(prompt=prompt, source=source)
            return JsonResponse({"data_schema": schema, "file_id": str(source.id)})
        if text:
            # No stored file for pasted text: propose from the text itself.
            schema = services.schema_generate(prompt=prompt, text=text)
            return JsonResponse({"data_schema": schema})
        if prompt:
            return JsonResponse({"data_schema": services.schema_generate(prompt=prompt)})
    except services.ServiceBusy as exc:
        return JsonResponse({"detail": str(exc)}, status=503, headers={"Retry-After": "5"})
    except (services.ServiceError, ValueError) as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse(
        {"detail": "Choose a file or paste text first, then ask for a suggestion."}, status=400
    )


@login_required
def engine_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The "runs on" line for the options in the query (the options form asks on change)."""
    options = ExtractOptionsForm(request.GET)
    return render(request, "extraction/partials/engine_summary.html", {"options": options})
