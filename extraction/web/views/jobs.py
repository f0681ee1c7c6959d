"""The job page: live status (HTMX polling that stops with 286), results and runs, run again
(as is, or with the schema and options edited), downloads, page images."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from rest_framework.throttling import SimpleRateThrottle

from accounts.pages import page_context
from extraction import selectors, services
from extraction.untrusted.reader import PreviewBusy
from extraction.web import page_images, result_export
from extraction.web.forms import ExtractOptionsForm, RerunForm
from extraction.web.job_page import job_page_build
from extraction.web.schema_shape import schema_for_display
from extraction.web.views.common import (
    HTMX_STOP_POLLING,
    attempt_write,
    editor_context,
    find_in_user_projects,
    posted_schema,
)

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from accounts.http import AuthenticatedHttpRequest
    from extraction.models import ExtractionJob, ExtractionRun


@login_required
@vary_on_headers("HX-Request")
def job_detail(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    """The job page; HTMX polls it for the live part until the job ends.

    ``?run=N`` shows an earlier run's results; ``?from=A&to=B`` compares two runs.
    """
    job = find_in_user_projects(request, selectors.job_get, job_id=job_id)
    if request.htmx:
        context = {"job": job, "job_page": job_page_build(job, full=job.is_terminal)}
        response = render(request, "extraction/partials/job_poll.html", context)
        if job.is_terminal:
            response.status_code = HTMX_STOP_POLLING
        return response
    compare = (request.GET.get("from"), request.GET.get("to"))
    view = job_page_build(
        job,
        curl_url=request.build_absolute_uri("/api/v1/extraction/run"),
        run_number=request.GET.get("run"),
        compare=compare if all(compare) else None,
    )
    context = page_context(request, job=job, job_page=view)
    return render(request, "extraction/job.html", context)


@login_required
@require_POST
def job_cancel(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    job = find_in_user_projects(request, selectors.job_get, job_id=job_id)
    try:
        job = services.job_cancel(job=job)
    except services.ConflictError as exc:
        messages.info(request, str(exc))
    return _job_changed(request, job)


@login_required
@require_POST
def job_rerun(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    """Run again: a new run with the same schema and options, extracted afresh (not answered
    from the result cache); the earlier runs stay."""
    job = find_in_user_projects(request, selectors.job_get, job_id=job_id)
    try:
        services.job_rerun(job=job, ignore_cache=True, from_ui=True)
    except services.ConflictError as exc:
        messages.info(request, str(exc))
    return _job_changed(request, job)


@login_required
def job_edit(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    """Edit & re-run: the job's schema and options in the editor, pre-filled; saving runs the
    job again with them as a new run."""
    job = find_in_user_projects(request, selectors.job_get, job_id=job_id)
    form = RerunForm(request.POST or None)
    options = (
        ExtractOptionsForm(request.POST)
        if request.method == "POST"
        else ExtractOptionsForm.from_config(job.config)
    )
    problems: list[dict[str, str]] = []
    schema = job.data_schema
    if request.method == "POST":
        form_ok, options_ok = form.is_valid(), options.is_valid()
        schema = form.cleaned_data.get("data_schema") if form_ok else posted_schema(request)
        if form_ok and options_ok:

            def rerun() -> Any:
                checked = services.job_request_clean(
                    agent=job.agent,
                    data_schema=form.cleaned_data["data_schema"],
                    config=options.config(),
                    from_ui=True,
                )
                return services.job_rerun(
                    job=job,
                    data_schema=checked.data_schema,
                    config=checked.config.to_dict(),
                    from_ui=True,
                )

            run, problems = attempt_write(rerun, form=form, options=options, error_field=None)
            if run is not None:
                messages.success(request, f"Run {run.number} started.")
                return redirect("job_detail", job_id=job.id)
    context = page_context(
        request,
        project=job.project,
        job=job,
        form=form,
        options=options,
        **editor_context(schema, problems),
    )
    status = 400 if form.errors or options.errors or problems else 200
    return render(request, "extraction/job_edit.html", context, status=status)


def _job_changed(request: AuthenticatedHttpRequest, job: ExtractionJob) -> HttpResponse:
    if request.htmx:
        fresh = selectors.job_get(project=job.project, job_id=job.id) or job
        context = {"job": fresh, "job_page": job_page_build(fresh), "include_actions": True}
        return render(request, "extraction/partials/job_poll.html", context)
    return redirect("job_detail", job_id=job.id)


def _result_or_404(request: HttpRequest, job_id: str) -> tuple[ExtractionJob, ExtractionRun]:
    """The job and the run to download: ``?run=N``, else the current one once it ended."""
    job = find_in_user_projects(request, selectors.job_get, job_id=job_id)
    run = job.run
    wanted = request.GET.get("run")
    if wanted:
        run = job.runs.filter(number=wanted).first() if wanted.isdigit() else None
    elif not job.is_terminal:
        run = None
    if run is None or run.data is None:
        raise Http404
    return job, run


def _download_name(job: ExtractionJob, run: ExtractionRun, extension: str) -> str:
    stem = (job.file_name.rsplit(".", 1)[0] if job.file_name else "text") or "result"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:80]
    suffix = f"-run{run.number}" if run.number > 1 else ""
    return f"{safe}-{str(job.id)[:8]}{suffix}.{extension}"


def _run_schema(job: ExtractionJob, run: ExtractionRun) -> Any:
    return schema_for_display(run.data_schema or job.data_schema)


@login_required
def job_download_json(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    """The run's data with every field of its schema (null where not found)."""
    job, run = _result_or_404(request, job_id)
    response = HttpResponse(
        result_export.result_json(run.data, _run_schema(job, run)),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name(job, run, "json")}"'
    return response


@login_required
def job_download_csv(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    """The run's data flattened, a column for every field of its schema."""
    job, run = _result_or_404(request, job_id)
    response = HttpResponse(
        result_export.csv_text(run.data, _run_schema(job, run)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name(job, run, "csv")}"'
    return response


class PreviewThrottle(SimpleRateThrottle):
    """Page-image requests per user (``OPENEXTRACT_PREVIEW_RATE_LIMIT``): each may start a
    render of an untrusted file."""

    scope = "preview"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


@login_required
def page_image(request: AuthenticatedHttpRequest, file_id: str, page: int) -> HttpResponse:
    """A page of a stored file as PNG, rendered once per file, page and DPI and then cached."""
    source = find_in_user_projects(request, selectors.file_get, file_id=file_id)
    throttle = PreviewThrottle()
    # A DRF throttle on a Django view: it reads only the request's user (get_cache_key above)
    # and never the view, so the plain request stands in for DRF's.
    if not throttle.allow_request(cast("Request", request), cast("APIView", None)):
        wait = int(throttle.wait() or 1) + 1
        return HttpResponse(
            "Too many page images requested; try again shortly.",
            status=429,
            content_type="text/plain",
            headers={"Retry-After": str(wait)},
        )
    try:
        dpi = int(request.GET.get("dpi", page_images.DEFAULT_DPI))
    except ValueError:
        dpi = page_images.DEFAULT_DPI
    try:
        image = page_images.page_png(source=source, page=page, dpi=dpi)
    except PreviewBusy as exc:
        return HttpResponse(
            str(exc), status=503, content_type="text/plain", headers={"Retry-After": "3"}
        )
    if image is None:
        raise Http404
    response = HttpResponse(image, content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response
