"""The job page's view-model: every value its templates read, typed, built in one place.

Templates read ``job_page.<field>``. A field a template asks for that the view-model does not
have raises ``UnknownField`` instead of rendering as empty (Django's default), so renaming a
field without its template fails every test that renders the page. ``job`` and ``project``
stay plain context entries (a model and the switcher's project).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from extraction.models import ACTIVE_STATUSES, TERMINAL_STATUSES, ExtractionJob, ExtractionRun
from extraction.web import page_images, result_display


class UnknownField(Exception):
    """A template asked a view-model for a field it does not have."""


class StrictViewModel:
    """Attribute access that fails loudly: Django templates swallow ``AttributeError``."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise UnknownField(f"{type(self).__name__} has no field {name!r}")


@dataclass(frozen=True)
class PageImage(StrictViewModel):
    """A page shown as an image, with the citation boxes drawn over it."""

    number: int
    url: str
    boxes: list[dict[str, Any]]


@dataclass(frozen=True)
class TextPage(StrictViewModel):
    """A page of a text document (or the pasted text), split into segments; a segment with a
    path is the cited text of that field."""

    number: int
    segments: list[tuple[str, str | None]]


@dataclass(frozen=True)
class JobPage(StrictViewModel):
    run: ExtractionRun | None
    metadata: dict[str, Any]
    usage: dict[str, Any]
    elapsed: str
    progress_percent: int | None
    active: bool
    has_result: bool
    tree: Any = None
    cited: bool = False
    unsupported_count: int = 0
    raw_json: str = ""
    pages: list[PageImage] = field(default_factory=list)
    text_pages: list[TextPage] = field(default_factory=list)
    curl: str = ""

    @property
    def engine(self) -> str:
        return str(self.metadata.get("engine") or "")

    @property
    def model(self) -> str:
        return str(self.metadata.get("model") or "")

    @property
    def warnings(self) -> list[str]:
        return list(self.metadata.get("warnings") or [])


def job_page_build(job: ExtractionJob, *, curl_url: str | None = None) -> JobPage:
    """The view-model of ``job``'s page; ``curl_url`` (the API's address) adds the curl line."""
    run = getattr(job, "run", None)
    metadata = (run.extraction_metadata if run else None) or {}
    has_result = bool(run and run.data is not None and job.status in TERMINAL_STATUSES)
    result: dict[str, Any] = {}
    if has_result:
        assert run is not None
        field_metadata = metadata.get("field_metadata") or {}
        # Values are judged against the document only when the run produced citations.
        cited = bool(
            (job.config.get("cite_sources") or job.config.get("citation_bbox"))
            and result_display.has_citations(run.data, field_metadata)
        )
        tree = result_display.result_tree(run.data, field_metadata, cited=cited)
        boxes = result_display.citation_boxes(run.data, field_metadata)
        result = {
            "tree": tree,
            "cited": cited,
            "unsupported_count": sum(
                1 for leaf in result_display.iter_leaves(tree) if leaf.unsupported
            ),
            "raw_json": json.dumps(run.data, indent=2, ensure_ascii=False),
            "pages": _page_images(job, boxes, metadata),
            "text_pages": (_text_pages(job, run.data, field_metadata, set(boxes)) if cited else []),
        }
    curl = ""
    if curl_url is not None:
        curl = result_display.curl_command(
            url=curl_url,
            data_schema=job.data_schema,
            config=job.config,
            file_name=job.file_name if job.file_id else None,
            mime_type=job.file.mime_type if job.file else None,
            text=job.inline_text,
        )
    return JobPage(
        run=run,
        metadata=metadata,
        usage=metadata.get("usage") or {},
        elapsed=_elapsed(job),
        progress_percent=(
            round(100 * job.pages_done / job.pages_total) if job.pages_total else None
        ),
        active=job.status in ACTIVE_STATUSES,
        has_result=has_result,
        curl=curl,
        **result,
    )


def _elapsed(job: ExtractionJob) -> str:
    if job.started_at is None:
        return ""
    seconds = ((job.finished_at or timezone.now()) - job.started_at).total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


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
    return [
        PageImage(
            number=number,
            url=reverse("page_image", args=[job.file.id, number]),
            boxes=boxes.get(number, []),
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
