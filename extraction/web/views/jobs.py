"""The job page: live status (HTMX polling that stops with 286), results, downloads, page images."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from rest_framework.throttling import SimpleRateThrottle

from accounts.pages import page_context
from extraction import selectors, services
from extraction.models import ExtractionJob
from extraction.untrusted.reader import PreviewBusy
from extraction.web import page_images, result_display
from extraction.web.job_page import job_page_build
from extraction.web.views.common import HTMX_STOP_POLLING, find_in_user_projects


@login_required
@vary_on_headers("HX-Request")
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job page; HTMX polls it for the live part until the job ends."""
    job = find_in_user_projects(request, selectors.job_get, job_id=job_id)
    if request.htmx:
        context = {"job": job, "job_page": job_page_build(job)}
        response = render(request, "extraction/partials/job_poll.html", context)
        if job.is_terminal:
            response.status_code = HTMX_STOP_POLLING
        return response
    view = job_page_build(job, curl_url=request.build_absolute_uri("/api/v1/extraction/run"))
    context = page_context(request, job=job, job_page=view)
    return render(request, "extraction/job.html", context)


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    job = find_in_user_projects(request, selectors.job_get, job_id=job_id)
    try:
        job = services.job_cancel(job=job)
    except services.ConflictError as exc:
        messages.info(request, str(exc))
    return _job_changed(request, job)


@login_required
@require_POST
def job_rerun(request: HttpRequest, job_id: str) -> HttpResponse:
    job = find_in_user_projects(request, selectors.job_get, job_id=job_id)
    try:
        job = services.job_retry(job=job)
    except services.ConflictError as exc:
        messages.info(request, str(exc))
    return _job_changed(request, job)


def _job_changed(request: HttpRequest, job: ExtractionJob) -> HttpResponse:
    if request.htmx:
        job = selectors.job_get(project=job.project, job_id=job.id)
        context = {"job": job, "job_page": job_page_build(job), "include_actions": True}
        return render(request, "extraction/partials/job_poll.html", context)
    return redirect("job_detail", job_id=job.id)


def _result_or_404(request: HttpRequest, job_id: str) -> tuple[ExtractionJob, Any]:
    job = find_in_user_projects(request, selectors.job_get, job_id=job_id)
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
    response = HttpResponse(result_display.csv_text(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(job, "csv")}"'
    return response


class PreviewThrottle(SimpleRateThrottle):
    """Page-image requests per user (``OPENEXTRACT_PREVIEW_RATE_LIMIT``): each may start a
    render of an untrusted file."""

    scope = "preview"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


@login_required
def page_image(request: HttpRequest, file_id: str, page: int) -> HttpResponse:
    """A page of a stored file as PNG, rendered once per file, page and DPI and then cached."""
    source = find_in_user_projects(request, selectors.file_get, file_id=file_id)
    throttle = PreviewThrottle()
    if not throttle.allow_request(request, None):
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
