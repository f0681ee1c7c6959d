"""The job page: live status (HTMX polling that stops with 286), results, downloads, page images."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from rest_framework.throttling import SimpleRateThrottle

from accounts.pages import page_context
from extraction import selectors, services
from extraction.models import ExtractionJob
from extraction.untrusted.reader import PreviewBusy
from extraction.web import job_page as presentation
from extraction.web import page_images
from extraction.web.views.common import (
    ACTIVE_STATUSES,
    HTMX_STOP_POLLING,
    find_in_user_projects,
)


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
            pages=_pages_to_show(job, boxes, metadata),
            text_pages=(
                _text_pages_to_show(job, run.data, field_metadata, set(boxes)) if cited else []
            ),
        )
    return context


def _pages_to_show(
    job: ExtractionJob, boxes: dict[int, list], metadata: dict[str, Any]
) -> list[dict[str, Any]]:
    """Page images with their boxes: the pages the run read (up to a limit) and every cited one."""
    if job.file is None or not page_images.can_render(job.file.mime_type):
        return []
    selected = (metadata.get("pages") or {}).get("selected")
    if isinstance(selected, list) and all(isinstance(n, int) for n in selected) and selected:
        numbers = sorted(set(selected))[: page_images.MAX_PAGES_SHOWN]
    else:
        total = job.pages_total or job.file.page_count or max(boxes, default=1)
        numbers = list(range(1, min(total, page_images.MAX_PAGES_SHOWN) + 1))
    numbers = sorted({*numbers, *boxes})
    return [
        {
            "number": number,
            "url": reverse("page_image", args=[job.file.id, number]),
            "boxes": boxes.get(number, []),
        }
        for number in numbers
    ]


def _text_pages_to_show(
    job: ExtractionJob, data: Any, field_metadata: Any, cited_pages: set[int]
) -> list[dict[str, Any]]:
    """The source text with cited spans marked: pasted text, or the pages of a text file (the
    first ones, up to a limit, and every cited one)."""
    if job.inline_text is not None:
        segments = presentation.text_segments(job.inline_text, data, field_metadata)
        return [{"number": 1, "segments": segments}]
    texts = page_images.page_texts(source=job.file) if job.file is not None else None
    if not texts:
        return []
    numbers = sorted({*sorted(texts)[: page_images.MAX_PAGES_SHOWN], *(cited_pages & texts.keys())})
    return [
        {
            "number": number,
            "segments": presentation.text_segments(
                texts[number], data, field_metadata, page=number
            ),
        }
        for number in numbers
    ]


@login_required
@vary_on_headers("HX-Request")
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job page; HTMX polls it for the live part until the job ends."""
    job = find_in_user_projects(request, selectors.job_get, job_id=job_id)
    context = _job_context(request, job)
    if request.htmx:
        response = render(request, "extraction/partials/job_poll.html", context)
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
        context = {**_job_context(request, job), "include_actions": True}
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
    response = HttpResponse(presentation.csv_text(data), content_type="text/csv; charset=utf-8")
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
