"""The job page's view-model: every value its templates read, typed, built in one place.

Templates read ``job_page.<field>``; a field the view-model does not have raises
``UnknownField`` (``view_models``). ``job`` and ``project`` stay plain context entries (a model
and the switcher's project).

The status part describes the job and its current run. The results part shows one run: the
current one, or an earlier one the page was asked for (``?run=2``); the runs part lists every
run and compares two of them field by field (``?from=1&to=2``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from extraction.models import ACTIVE_STATUSES, TERMINAL_STATUSES, ExtractionJob, ExtractionRun
from extraction.web import page_images, result_display
from extraction.web.result_export import curl_command
from extraction.web.run_diff import DiffRow, run_diff
from extraction.web.schema_shape import data_complete, schema_for_display
from extraction.web.view_models import StrictViewModel, UnknownField

__all__ = ["JobPage", "UnknownField", "job_page_build"]


@dataclass(frozen=True)
class PageImage(StrictViewModel):
    """A page shown as an image, with the citation boxes drawn over it; ``aspect`` (``"612 /
    792"``) reserves its room before the image loads, so jumping to a page lands on it."""

    number: int
    url: str
    boxes: list[dict[str, Any]]
    aspect: str = ""


@dataclass(frozen=True)
class TextPage(StrictViewModel):
    """A page of a text document (or the pasted text), split into segments; a segment with a
    path is the cited text of that field."""

    number: int
    segments: list[tuple[str, str | None]]


@dataclass(frozen=True)
class RunSummary(StrictViewModel):
    """One run in the job's list of runs."""

    number: int
    status: str
    created_at: Any
    engine: str
    cache_hit: bool
    url: str
    shown: bool
    current: bool
    changed_fields: int | None  # fields that differ from the run before; None for run 1


@dataclass(frozen=True)
class RunComparison(StrictViewModel):
    before: int
    after: int
    rows: list[DiffRow]

    @property
    def changed_count(self) -> int:
        return sum(1 for row in self.rows if row.changed)


@dataclass(frozen=True)
class JobPage(StrictViewModel):
    run: ExtractionRun | None  # the run whose results are shown
    metadata: dict[str, Any]  # the current run's (the status part)
    usage: dict[str, Any]
    elapsed: str
    progress_percent: int | None
    active: bool
    has_result: bool
    tree: Any = None
    cited: bool = False
    unsupported_count: int = 0
    flagged: list[result_display.Leaf] = field(default_factory=list)
    raw_json: str = ""
    pages: list[PageImage] = field(default_factory=list)
    page_total: int = 0
    text_pages: list[TextPage] = field(default_factory=list)
    curl: str = ""
    runs: list[RunSummary] = field(default_factory=list)
    comparison: RunComparison | None = None
    shown_is_current: bool = True
    schema_json: str = ""
    config_json: str = ""

    @property
    def engine(self) -> str:
        return str(self.metadata.get("engine") or "")

    @property
    def model(self) -> str:
        return str(self.metadata.get("model") or "")

    @property
    def warnings(self) -> list[str]:
        return list(self.metadata.get("warnings") or [])

    @property
    def last_page(self) -> int:
        return self.pages[-1].number if self.pages else 1

    @property
    def run_query(self) -> str:
        """The query that names the shown run in links (downloads), empty for the current."""
        return "" if self.shown_is_current or self.run is None else f"?run={self.run.number}"


def job_page_build(
    job: ExtractionJob,
    *,
    curl_url: str | None = None,
    run_number: Any = None,
    compare: tuple[Any, Any] | None = None,
    full: bool = True,
) -> JobPage:
    """The view-model of ``job``'s page; ``curl_url`` (the API's address) adds the curl line,
    ``run_number`` shows an earlier run, ``compare`` (two run numbers) adds their diff.

    The results shown are the current run's once the job has ended; while a new run is under
    way, the latest earlier run that has some. ``full=False`` builds only the status part (what
    a poll of an active job re-renders).
    """
    current = job.run
    metadata: dict[str, Any] = (current.extraction_metadata if current else None) or {}
    status: dict[str, Any] = {
        "metadata": metadata,
        "usage": metadata.get("usage") or {},
        "elapsed": _elapsed(job),
        "progress_percent": (
            round(100 * job.pages_done / job.pages_total) if job.pages_total else None
        ),
        "active": job.status in ACTIVE_STATUSES,
    }
    if not full:
        return JobPage(run=current, has_result=False, **status)
    runs = list(job.runs.order_by("number"))
    shown = _run_numbered(runs, run_number)
    if shown is None:
        finished = [
            run
            for run in runs
            if run.data is not None and (run.pk != job.run_id or job.status in TERMINAL_STATUSES)
        ]
        shown = finished[-1] if finished else current
    shown_is_current = shown is None or current is None or shown.pk == current.pk
    result: dict[str, Any] = {}
    settled = not shown_is_current or job.status in TERMINAL_STATUSES
    if shown is not None and shown.data is not None and settled:
        result = _results(job, shown)
    curl = ""
    if curl_url is not None:
        curl = curl_command(
            url=curl_url,
            data_schema=job.data_schema,
            config=job.config,
            file_name=job.file_name if job.file_id else None,
            mime_type=job.file.mime_type if job.file else None,
            text=job.inline_text,
        )
    snapshot = shown or current
    return JobPage(
        run=shown,
        has_result=bool(result),
        curl=curl,
        runs=_run_summaries(job, runs, shown),
        comparison=_comparison(runs, compare),
        shown_is_current=shown_is_current,
        schema_json=json.dumps(
            snapshot.data_schema if snapshot else job.data_schema, indent=2, ensure_ascii=False
        ),
        config_json=json.dumps(
            snapshot.config if snapshot else job.config, indent=2, ensure_ascii=False
        ),
        **status,
        **result,
    )


def _run_numbered(runs: list[ExtractionRun], number: Any) -> ExtractionRun | None:
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        return None
    return next((run for run in runs if run.number == wanted), None)


def _results(job: ExtractionJob, run: ExtractionRun) -> dict[str, Any]:
    """What the results part shows of ``run``: every field of its schema, flags, the pages."""
    metadata: dict[str, Any] = run.extraction_metadata or {}
    field_metadata = metadata.get("field_metadata") or {}
    config = run.config or job.config
    schema = schema_for_display(run.data_schema or job.data_schema)
    # Values are judged against the document only when the run produced citations.
    cited = bool(
        (config.get("cite_sources") or config.get("citation_bbox"))
        and result_display.has_citations(run.data, field_metadata)
    )
    tree = result_display.result_tree(
        run.data,
        field_metadata,
        cited=cited,
        schema=schema,
        problems=result_display.problem_paths(metadata.get("validation_errors")),
        pages_read=str(config.get("page_range") or ""),
    )
    leaves = result_display.iter_leaves(tree)
    boxes = result_display.citation_boxes(run.data, field_metadata)
    pages = _page_images(job, boxes, metadata)
    return {
        "tree": tree,
        "cited": cited,
        "unsupported_count": sum(1 for leaf in leaves if leaf.unsupported),
        "flagged": [leaf for leaf in leaves if leaf.needs_review],
        "raw_json": json.dumps(data_complete(run.data, schema), indent=2, ensure_ascii=False),
        "pages": pages,
        "page_total": job.pages_total or (job.file.page_count if job.file else None) or 0,
        "text_pages": (_text_pages(job, run.data, field_metadata, set(boxes)) if cited else []),
    }


def _run_summaries(
    job: ExtractionJob, runs: list[ExtractionRun], shown: ExtractionRun | None
) -> list[RunSummary]:
    summaries = []
    base = reverse("job_detail", args=[job.id])
    for index, run in enumerate(runs):
        metadata: dict[str, Any] = run.extraction_metadata or {}
        previous = runs[index - 1] if index else None
        changed = None
        if previous is not None and previous.data is not None and run.data is not None:
            rows = run_diff(
                before=previous.data,
                before_schema=schema_for_display(previous.data_schema),
                after=run.data,
                after_schema=schema_for_display(run.data_schema),
            )
            changed = sum(1 for row in rows if row.changed)
        summaries.append(
            RunSummary(
                number=run.number,
                status=run.status,
                created_at=run.created_at,
                engine=str(metadata.get("engine") or ""),
                cache_hit=bool((metadata.get("cache") or {}).get("hit")),
                url=f"{base}?run={run.number}",
                shown=shown is not None and run.pk == shown.pk,
                current=run.pk == job.run_id,
                changed_fields=changed,
            )
        )
    return summaries


def _comparison(runs: list[ExtractionRun], compare: tuple[Any, Any] | None) -> RunComparison | None:
    if compare is None:
        return None
    before, after = (_run_numbered(runs, number) for number in compare)
    if before is None or after is None:
        return None
    rows = run_diff(
        before=before.data,
        before_schema=schema_for_display(before.data_schema),
        after=after.data,
        after_schema=schema_for_display(after.data_schema),
    )
    return RunComparison(before=before.number, after=after.number, rows=rows)


def _elapsed(job: ExtractionJob) -> str:
    if job.started_at is None:
        return ""
    seconds = ((job.finished_at or timezone.now()) - job.started_at).total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _page_aspects(metadata: dict[str, Any]) -> dict[int, str]:
    """Page number -> "width / height" from the citations' page dimensions."""
    aspects: dict[int, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for citation in node.get("citation") or []:
                if not isinstance(citation, dict):
                    continue
                dims = citation.get("page_dimensions") or {}
                page, width, height = citation.get("page"), dims.get("width"), dims.get("height")
                if isinstance(page, int) and width and height:
                    aspects.setdefault(page, f"{float(width):g} / {float(height):g}")
            for key, value in node.items():
                if key != "citation":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(metadata.get("field_metadata"))
    return aspects


def _page_images(
    job: ExtractionJob, boxes: dict[int, list[dict[str, Any]]], metadata: dict[str, Any]
) -> list[PageImage]:
    """Page images with their boxes: the pages the run read (up to a limit) and every cited one."""
    if job.file is None or not page_images.can_render(job.file.mime_type):
        return []
    selected = (metadata.get("pages") or {}).get("selected")
    if isinstance(selected, list) and all(isinstance(n, int) for n in selected) and selected:
        numbers = sorted(set(selected))[: page_images.MAX_PAGES_SHOWN]
    else:
        total = job.pages_total or job.file.page_count or max(boxes, default=1)
        numbers = list(range(1, min(total, page_images.MAX_PAGES_SHOWN) + 1))
    aspects = _page_aspects(metadata)
    # Pages of one document are nearly always one size: the known one stands in for the rest.
    fallback = next(iter(aspects.values()), "")
    return [
        PageImage(
            number=number,
            url=reverse("page_image", args=[job.file.id, number]),
            boxes=boxes.get(number, []),
            aspect=aspects.get(number, fallback),
        )
        for number in sorted({*numbers, *boxes})
    ]


def _text_pages(
    job: ExtractionJob, data: Any, field_metadata: Any, cited_pages: set[int]
) -> list[TextPage]:
    """The source text with cited spans marked: pasted text, or the pages of a text file (the
    first ones, up to a limit, and every cited one)."""
    if job.inline_text is not None:
        segments = result_display.text_segments(job.inline_text, data, field_metadata)
        return [TextPage(number=1, segments=segments)]
    texts = page_images.page_texts(source=job.file) if job.file is not None else None
    if not texts:
        return []
    numbers = sorted({*sorted(texts)[: page_images.MAX_PAGES_SHOWN], *(cited_pages & texts.keys())})
    return [
        TextPage(
            number=number,
            segments=result_display.text_segments(texts[number], data, field_metadata, page=number),
        )
        for number in numbers
    ]
