"""HTMX pages: dashboard, new extraction, jobs with live status and citations, agents, files.

Views are thin: they parse forms, call services and selectors, and render a page or, for HTMX
requests, just the fragment from ``templates/extraction/partials``. Every object is looked up
within the signed-in user's projects, so anyone else gets a 404.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Project
from accounts.selectors import projects_for_user
from accounts.views import page_context, project_for_request
from extraction import page_images, presentation, selectors, services
from extraction.config import ConfigError
from extraction.forms import (
    STARTER_LABELS,
    STARTER_SCHEMAS,
    AgentForm,
    ExtractOptionsForm,
    NewExtractionForm,
    RunAgentForm,
)
from extraction.models import ExtractionAgent, ExtractionJob, JobStatus, SourceFile
from extraction.schemas import SchemaError, load_schema

logger = logging.getLogger(__name__)
T = TypeVar("T")

# HTMX stops polling an element when its response has this status.
HTMX_STOP_POLLING = 286
ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING)


def _find(request: HttpRequest, getter: Callable[..., T | None], **lookup: object) -> T:
    """The object ``getter`` finds in any of the user's projects (current one first), else 404."""
    current = project_for_request(request)
    projects = [current, *projects_for_user(user=request.user).exclude(id=current.id)]
    for project in projects:
        found = getter(project=project, **lookup)
        if found is not None:
            return found
    raise Http404


def _schema_problems(exc: SchemaError) -> list[dict[str, str]]:
    return [{"pointer": pointer, "message": message} for pointer, message in exc.problems]


def _editor_context(data_schema: dict[str, Any] | None, problems: list | None = None) -> dict:
    return {
        "initial_schema": data_schema or {"type": "object", "properties": {}, "required": []},
        "schema_problems": problems or [],
        "starter_schemas": STARTER_SCHEMAS,
        "starter_labels": STARTER_LABELS,
        "max_upload_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024),
    }


# --- Dashboard ---------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The current project's recent jobs (live while any is active) and agents."""
    project = project_for_request(request)
    jobs = list(selectors.jobs_for_project(project=project)[:15])
    active = any(job.status in ACTIVE_STATUSES for job in jobs)
    if request.htmx:
        response = render(
            request, "extraction/partials/job_rows.html", {"jobs": jobs, "active": active}
        )
        if not active:
            response.status_code = HTMX_STOP_POLLING
        return response
    context = page_context(
        request,
        project=project,
        jobs=jobs,
        active=active,
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
    """Create the agent if asked, store the uploads and submit one job per document.

    All or nothing: any error rolls the rows back and removes stored bytes. Raises
    ``SchemaError``, ``ConfigError`` or ``ServiceError``.
    """
    data = form.cleaned_data
    config = options.config()
    stored: list[SourceFile] = []
    try:
        with transaction.atomic():
            if data.get("save_agent"):
                agent = services.agent_create(
                    project=project,
                    name=data["agent_name"].strip(),
                    data_schema=data["data_schema"],
                    config=config,
                )
            run_agent = agent or services.agent_get_or_create_default(project=project)
            sources = [
                services.file_upload(
                    project=project,
                    content=upload.read(),
                    name=upload.name,
                    declared_type=upload.content_type or "",
                )
                for upload in data["uploads"]
            ]
            stored.extend(sources)
            for file_id in data.get("file_ids") or []:
                source = selectors.file_get(project=project, file_id=file_id)
                if source is None:
                    raise services.ServiceError("A chosen file no longer exists; upload it again.")
                sources.append(source)
            submit = {
                "project": project,
                "agent": run_agent,
                "data_schema": data["data_schema"],
                "config": config,
                "from_ui": True,
            }
            if sources:
                return [services.job_submit(source=source, **submit) for source in sources]
            return [services.job_submit(text=data["text"], **submit)]
    except Exception:
        for source in stored:
            source.content.delete(save=False)
        raise


@login_required
def extraction_new(request: HttpRequest) -> HttpResponse:
    """Upload or paste, build the schema, pick options; run and/or save as an agent."""
    agent = None
    agent_id = request.GET.get("agent") or request.POST.get("agent")
    if agent_id:
        agent = _find(request, selectors.agent_get, agent_id=agent_id)
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
        schema = form.cleaned_data.get("data_schema") if form_ok else _posted_schema(request)
        if save_only and form_ok and not form.cleaned_data.get("agent_name", "").strip():
            form.add_error("agent_name", "Give the agent a name.")
            form_ok = False
        if form_ok and options_ok and save_only:
            try:
                saved = services.agent_create(
                    project=project,
                    name=form.cleaned_data["agent_name"].strip(),
                    data_schema=form.cleaned_data["data_schema"],
                    config=options.config(),
                )
            except SchemaError as exc:
                problems = _schema_problems(exc)
                form.add_error(None, "The schema has problems; see the marked fields.")
            except ConfigError as exc:
                options.add_config_errors(exc.problems)
            except services.ServiceError as exc:
                form.add_error("agent_name", str(exc))
            else:
                messages.success(request, f"Agent “{saved.name}” saved.")
                return redirect("agent_detail", agent_id=saved.id)
        elif form_ok and options_ok:
            try:
                jobs = _submit(project=project, form=form, options=options, agent=agent)
            except SchemaError as exc:
                problems = _schema_problems(exc)
                form.add_error(None, "The schema has problems; see the marked fields.")
            except ConfigError as exc:
                options.add_config_errors(exc.problems)
            except services.ServiceError as exc:
                form.add_error(None, str(exc))
            else:
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
        **_editor_context(schema, problems),
    )
    return render(
        request,
        "extraction/new.html",
        context,
        status=400 if form.errors or options.errors or problems else 200,
    )


def _posted_schema(request: HttpRequest) -> Any:
    try:
        return json.loads(request.POST.get("data_schema") or "null")
    except ValueError:
        return None


@login_required
@require_POST
def schema_validate(request: HttpRequest) -> JsonResponse:
    """Check a schema; answers ``{"problems": [{"pointer", "message"}]}`` (empty when valid)."""
    try:
        load_schema(request.body.decode("utf-8", "replace"))
    except SchemaError as exc:
        return JsonResponse({"problems": _schema_problems(exc)})
    return JsonResponse({"problems": []})


@login_required
@require_POST
def schema_suggest(request: HttpRequest) -> JsonResponse:
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
                project=project,
                content=upload.read(),
                name=upload.name,
                declared_type=upload.content_type or "",
            )
            schema = services.schema_generate(prompt=prompt, source=source)
            return JsonResponse({"data_schema": schema, "file_id": str(source.id)})
        if text:
            # No stored file for pasted text: propose from the text itself.
            from extraction.schema_generation import schema_propose

            schema = services.data_schema_clean(
                data_schema=schema_propose(prompt=prompt, text=text, data_schema=None)
            )
            return JsonResponse({"data_schema": schema})
        if prompt:
            return JsonResponse({"data_schema": services.schema_generate(prompt=prompt)})
    except (services.ServiceError, ValueError) as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse(
        {"detail": "Choose a file or paste text first, then ask for a suggestion."}, status=400
    )


# --- Jobs --------------------------------------------------------------------------------------


def _elapsed(job: ExtractionJob) -> str:
    if job.started_at is None:
        return ""
    seconds = ((job.finished_at or timezone.now()) - job.started_at).total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _job_context(request: HttpRequest, job: ExtractionJob) -> dict[str, Any]:
    run = getattr(job, "run", None)
    metadata = (run.extraction_metadata if run else None) or {}
    context: dict[str, Any] = {
        "job": job,
        "run": run,
        "metadata": metadata,
        "usage": metadata.get("usage") or {},
        "elapsed": _elapsed(job),
        "progress_percent": (
            round(100 * job.pages_done / job.pages_total) if job.pages_total else None
        ),
        "active": job.status in ACTIVE_STATUSES,
        "has_result": bool(run and run.data is not None and job.is_terminal),
    }
    if context["has_result"]:
        field_metadata = metadata.get("field_metadata") or {}
        # Values are judged against the document only when the run produced citations.
        cited = bool(
            (job.config.get("cite_sources") or job.config.get("citation_bbox"))
            and presentation.has_citations(run.data, field_metadata)
        )
        tree = presentation.result_tree(run.data, field_metadata, cited=cited)
        leaves = presentation.iter_leaves(tree)
        boxes = presentation.citation_boxes(run.data, field_metadata)
        context.update(
            tree=tree,
            cited=cited,
            unsupported_count=sum(1 for leaf in leaves if leaf.unsupported),
            raw_json=json.dumps(run.data, indent=2, ensure_ascii=False),
            pages=_pages_to_show(job, boxes),
            text_segments=(
                presentation.text_segments(job.inline_text, run.data, field_metadata)
                if job.inline_text is not None and cited
                else None
            ),
        )
    return context


def _pages_to_show(job: ExtractionJob, boxes: dict[int, list]) -> list[dict[str, Any]]:
    """Page images with their boxes: every page of a renderable file, up to a limit."""
    if job.file is None or not page_images.can_render(job.file.mime_type):
        return []
    total = job.pages_total or job.file.page_count or max(boxes, default=1)
    numbers = list(range(1, min(total, page_images.MAX_PAGES_SHOWN) + 1))
    numbers += sorted(page for page in boxes if page not in numbers)
    return [
        {
            "number": number,
            "url": reverse("page_image", args=[job.file.id, number]),
            "boxes": boxes.get(number, []),
        }
        for number in numbers
    ]


@login_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job page; HTMX polls it for the live part until the job ends."""
    job = _find(request, selectors.job_get, job_id=job_id)
    context = _job_context(request, job)
    if request.htmx:
        response = render(request, "extraction/partials/job_live.html", context)
        if job.is_terminal:
            response.status_code = HTMX_STOP_POLLING
        return response
    context["curl"] = presentation.curl_command(
        url=request.build_absolute_uri("/api/v1/extraction/run"),
        data_schema=job.data_schema,
        config=job.config,
        file_name=job.file_name if job.file_id else None,
        mime_type=job.file.mime_type if job.file else None,
        text=job.inline_text,
    )
    return render(request, "extraction/job.html", page_context(request, **context))


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _find(request, selectors.job_get, job_id=job_id)
    try:
        job = services.job_cancel(job=job)
    except services.ConflictError as exc:
        messages.info(request, str(exc))
    return _job_changed(request, job)


@login_required
@require_POST
def job_rerun(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _find(request, selectors.job_get, job_id=job_id)
    try:
        job = services.job_retry(job=job)
    except services.ConflictError as exc:
        messages.info(request, str(exc))
    return _job_changed(request, job)


def _job_changed(request: HttpRequest, job: ExtractionJob) -> HttpResponse:
    if request.htmx:
        job = selectors.job_get(project=job.project, job_id=job.id)
        return render(request, "extraction/partials/job_live.html", _job_context(request, job))
    return redirect("job_detail", job_id=job.id)


def _result_or_404(request: HttpRequest, job_id: str) -> tuple[ExtractionJob, Any]:
    job = _find(request, selectors.job_get, job_id=job_id)
    run = getattr(job, "run", None)
    if run is None or run.data is None or not job.is_terminal:
        raise Http404
    return job, run.data


def _download_name(job: ExtractionJob, extension: str) -> str:
    stem = (job.file_name.rsplit(".", 1)[0] if job.file_name else "text") or "result"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:80]
    return f"{safe}-{str(job.id)[:8]}.{extension}"


@login_required
def job_download_json(request: HttpRequest, job_id: str) -> HttpResponse:
    job, data = _result_or_404(request, job_id)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name(job, "json")}"'
    return response


@login_required
def job_download_csv(request: HttpRequest, job_id: str) -> HttpResponse:
    job, data = _result_or_404(request, job_id)
    response = HttpResponse(presentation.csv_text(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(job, "csv")}"'
    return response


@login_required
def page_image(request: HttpRequest, file_id: str, page: int) -> HttpResponse:
    """A page of a stored file as PNG, rendered once per file, page and DPI and then cached."""
    source = _find(request, selectors.file_get, file_id=file_id)
    try:
        dpi = int(request.GET.get("dpi", page_images.DEFAULT_DPI))
    except ValueError:
        dpi = page_images.DEFAULT_DPI
    image = page_images.page_png(source=source, page=page, dpi=dpi)
    if image is None:
        raise Http404
    response = HttpResponse(image, content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- Agents ------------------------------------------------------------------------------------


@login_required
def agents_list(request: HttpRequest) -> HttpResponse:
    project = project_for_request(request)
    agents = selectors.agents_for_project(project=project)
    return render(
        request, "extraction/agents.html", page_context(request, project=project, agents=agents)
    )


@login_required
def agent_new(request: HttpRequest) -> HttpResponse:
    return _agent_edit(request, agent=None)


@login_required
def agent_detail(request: HttpRequest, agent_id: str) -> HttpResponse:
    agent = _find(request, selectors.agent_get, agent_id=agent_id)
    return _agent_edit(request, agent=agent)


def _agent_edit(request: HttpRequest, *, agent: ExtractionAgent | None) -> HttpResponse:
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
        schema = form.cleaned_data.get("data_schema") if form_ok else _posted_schema(request)
        if form_ok and options_ok:
            fields = {
                "name": form.cleaned_data["name"].strip(),
                "data_schema": form.cleaned_data["data_schema"],
                "config": options.config(),
            }
            try:
                if agent is None:
                    agent = services.agent_create(project=project, **fields)
                else:
                    agent = services.agent_update(agent=agent, **fields)
            except SchemaError as exc:
                problems = _schema_problems(exc)
                form.add_error(None, "The schema has problems; see the marked fields.")
            except ConfigError as exc:
                options.add_config_errors(exc.problems)
            except services.ServiceError as exc:
                form.add_error("name", str(exc))
            else:
                messages.success(request, f"Agent “{agent.name}” saved.")
                return redirect("agent_detail", agent_id=agent.id)
    jobs = selectors.jobs_for_project(project=project).filter(agent=agent)[:25] if agent else []
    context = page_context(
        request,
        project=project,
        agent=agent,
        form=form,
        options=options,
        jobs=jobs,
        run_form=RunAgentForm(),
        **_editor_context(schema, problems),
    )
    status = 400 if form.errors or options.errors or problems else 200
    return render(request, "extraction/agent.html", context, status=status)


@login_required
@require_POST
def agent_run(request: HttpRequest, agent_id: str) -> HttpResponse:
    """Run an agent on new files, one job each."""
    agent = _find(request, selectors.agent_get, agent_id=agent_id)
    form = RunAgentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()))
        return redirect("agent_detail", agent_id=agent.id)
    jobs = []
    try:
        with transaction.atomic():
            for upload in form.cleaned_data["uploads"]:
                source = services.file_upload(
                    project=agent.project,
                    content=upload.read(),
                    name=upload.name,
                    declared_type=upload.content_type or "",
                )
                jobs.append(
                    services.job_submit(
                        project=agent.project, agent=agent, source=source, from_ui=True
                    )
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
def agent_delete(request: HttpRequest, agent_id: str) -> HttpResponse:
    agent = _find(request, selectors.agent_get, agent_id=agent_id)
    name = agent.name
    services.agent_delete(agent=agent)
    messages.success(request, f"Agent “{name}” and its jobs were deleted.")
    return redirect("agents")


# --- Files -------------------------------------------------------------------------------------


@login_required
def files_list(request: HttpRequest) -> HttpResponse:
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
def file_delete(request: HttpRequest, file_id: str) -> HttpResponse:
    source = _find(request, selectors.file_get, file_id=file_id)
    name = source.name
    services.file_delete(source=source)
    page_images.forget(file_id=str(file_id))
    if request.htmx:
        return HttpResponse("")
    messages.success(request, f"{name} deleted.")
    return redirect("files")
