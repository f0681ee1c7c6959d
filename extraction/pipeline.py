"""The extraction pipeline: bytes or text + schema + config -> data and metadata.

Steps (each its own module): load the document (``documents``), select pages, run an engine
(``engines``), validate and coerce the output (``schemas``), then citations and confidence.
Knows nothing of HTTP, Celery or the ORM: the task passes plain values in and stores the
``PipelineOutcome`` it gets back.

NOTE: placeholder from the foundation issue — returns an empty object. The extraction-core
issue replaces the body of ``run_pipeline`` with the real steps; its signature stays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from extraction.config import ExtractConfig


@dataclass(frozen=True)
class PipelineInput:
    data_schema: dict[str, Any]
    config: ExtractConfig
    content: bytes | None = None  # the uploaded file's bytes
    text: str | None = None  # inline text instead of a file
    file_name: str | None = None
    declared_type: str | None = None


@dataclass
class PipelineOutcome:
    status: str  # "SUCCESS" or "PARTIAL_SUCCESS"
    data: dict[str, Any] | list[dict[str, Any]]
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    pages_total: int = 0


def run_pipeline(
    job_input: PipelineInput,
    *,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
    should_cancel: Callable[[], bool] = lambda: False,
) -> PipelineOutcome:
    """Run every step for one document.

    Raises ``DocumentError`` (unreadable input), ``EngineError`` (model failure; ``transient``
    says whether a retry may help) and ``ExtractionCancelled``.
    """
    on_progress(1, 1)
    return PipelineOutcome(status="SUCCESS", data={}, metadata={"usage": {}}, pages_total=1)
