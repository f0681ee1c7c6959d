"""The agent workspace's view-model: one row per document, one column per field of the schema.

Templates read ``workspace_page.<field>`` (a ``StrictViewModel``: an unknown field raises). A
cell shows the value the document's current run found (or "not found"), coloured by
confidence, marked when it differs from the document's run before (``changed``), and links to
the job page opened at that field's citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from extraction.models import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    ExtractionAgent,
    ExtractionRun,
    WorkspaceDocument,
)
from extraction.web.result_display import Leaf
from extraction.web.run_diff import display_value, schema_fields
from extraction.web.schema_shape import (
    field_columns,
    object_properties,
    schema_for_display,
    value_at,
)
from extraction.web.view_models import StrictViewModel


@dataclass(frozen=True)
class Column(StrictViewModel):
    path: str
    new: bool  # not in the schema the documents last ran with


@dataclass(frozen=True)
class Cell(StrictViewModel):
    path: str
    display: str
    not_found: bool
    confidence_level: str
    confidence_percent: int | None
    page: int | None
    changed: bool
    previous: str  # the value of the run before, when changed
    needs_review: bool
    url: str


@dataclass(frozen=True)
class Row(StrictViewModel):
    id: str
    file_name: str
    status: str  # the job's, or "" before the document first ran
    run_number: int | None
    job_url: str
    cells: list[Cell]
    changed_count: int
    remove_url: str

    @property
    def has_result(self) -> bool:
        return bool(self.cells)


@dataclass(frozen=True)
class WorkspacePage(StrictViewModel):
    agent: ExtractionAgent
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    active: bool = False

    @property
    def has_results(self) -> bool:
        return any(row.has_result for row in self.rows)

    @property
    def changed_count(self) -> int:
        return sum(row.changed_count for row in self.rows)


def workspace_page_build(
    agent: ExtractionAgent, entries: list[WorkspaceDocument], runs: list[ExtractionRun]
) -> WorkspacePage:
    """The view-model from the workspace's documents (with ``job`` and ``job.run`` joined) and
    every run of their jobs (``runs``), for each document's run before the current one."""
    schema = schema_for_display(agent.data_schema)
    by_job: dict[Any, list[ExtractionRun]] = {}
    for run in sorted(runs, key=lambda run: run.number):
        by_job.setdefault(run.job_id, []).append(run)
    ran_with: set[str] = set()
    rows = []
    for entry in entries:
        job = entry.job
        current = job.run if job is not None else None
        settled = job is not None and job.status in TERMINAL_STATUSES
        if current is not None and settled and current.data is not None:
            ran_with |= schema_fields(schema_for_display(current.data_schema))
        earlier = [
            run
            for run in by_job.get(job.id if job else None, [])
            if current is not None and run.number < current.number and run.data is not None
        ]
        rows.append(
            _row(
                entry,
                schema,
                current if settled else None,
                earlier[-1] if earlier else None,
            )
        )
    columns = [
        Column(path=path, new=bool(ran_with) and path not in ran_with)
        for path in field_columns(schema)
    ]
    return WorkspacePage(
        agent=agent,
        columns=columns,
        rows=rows,
        active=any(
            entry.job is not None and entry.job.status in ACTIVE_STATUSES for entry in entries
        ),
    )


def _row(
    entry: WorkspaceDocument,
    schema: dict[str, Any],
    current: ExtractionRun | None,
    previous: ExtractionRun | None,
) -> Row:
    job = entry.job
    cells: list[Cell] = []
    if current is not None and current.data is not None and job is not None:
        run_metadata: dict[str, Any] = current.extraction_metadata or {}
        metadata = run_metadata.get("field_metadata") or {}
        required = _required_paths(schema)
        previous_fields = (
            schema_fields(schema_for_display(previous.data_schema)) if previous else set()
        )
        base = reverse("job_detail", args=[job.id])
        for path in field_columns(schema):
            cells.append(
                _cell(path, current.data, metadata, previous, previous_fields, required, base)
            )
    return Row(
        id=str(entry.id),
        file_name=entry.file.name,
        status=job.status if job is not None else "",
        run_number=job.run.number if job is not None and job.run is not None else None,
        job_url=reverse("job_detail", args=[job.id]) if job is not None else "",
        cells=cells,
        changed_count=sum(1 for cell in cells if cell.changed),
        remove_url=reverse("workspace_remove", args=[entry.agent_id, entry.id]),
    )


def _cell(
    path: str,
    data: Any,
    field_metadata: Any,
    previous: ExtractionRun | None,
    previous_fields: set[str],
    required: set[str],
    base_url: str,
) -> Cell:
    _, value = value_at(data, path)
    _, meta = value_at(field_metadata, path)
    leaf = Leaf(
        path=path,
        value=None if value == [] else value,
        confidence=_confidence(meta),
        pages=_pages(meta),
        required=path in required,
    )
    changed, before = False, ""
    if previous is not None:
        if path not in previous_fields:
            changed = True  # a field added since the run before
        else:
            _, old = value_at(previous.data, path)
            changed = (None if old == [] else old) != leaf.value
            before = display_value(old) if changed else ""
    query = {"field": path, **({"page": leaf.page} if leaf.page else {})}
    return Cell(
        path=path,
        display=display_value(leaf.value) if leaf.value is not None else "not found",
        not_found=leaf.value is None,
        confidence_level=leaf.confidence_level,
        confidence_percent=leaf.confidence_percent,
        page=leaf.page,
        changed=changed,
        previous=before,
        needs_review=leaf.needs_review,
        url=f"{base_url}?{urlencode(query)}#results-head",
    )


def _confidence(meta: Any) -> float | None:
    value = meta.get("confidence") if isinstance(meta, dict) else None
    return float(value) if isinstance(value, (int, float)) else None


def _pages(meta: Any) -> list[int]:
    citations = meta.get("citation") if isinstance(meta, dict) else None
    if not isinstance(citations, list):
        return []
    return sorted(
        {c["page"] for c in citations if isinstance(c, dict) and isinstance(c.get("page"), int)}
    )


def _required_paths(schema: Any, prefix: str = "") -> set[str]:
    shape = object_properties(schema)
    if shape is None:
        return set()
    properties, required = shape
    found = set()
    for name, child in properties.items():
        path = f"{prefix}.{name}" if prefix else name
        if name in required:
            found.add(path)
        found |= _required_paths(child, path)
    return found
