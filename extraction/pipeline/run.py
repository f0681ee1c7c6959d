"""The extraction pipeline: bytes or text + schema + config -> data and metadata.

Steps (each its own module): check the schema (``schemas``), consult the result cache, load the
document and select pages (``documents``), plan the engine's requests (``chunking``: one for an
engine that reads whole documents, one per chunk otherwise), run them (``execution``, with the
engine from ``engines.registry``; concurrently, bounded per job), merge per target
(``merging``), then coerce and validate the output (``coercion``), then citations, confidence
and reasoning per field (``citations``) when the config asks for them.
``PipelineOutcome.engine_result`` keeps the engine's locations, quotes and confidences per path.

Knows nothing of HTTP, Celery or the ORM: the task passes plain values in (the model registry,
a cache bound to the project) and stores the ``PipelineOutcome`` it gets back.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from extraction.pipeline.cache_key import cache_key
from extraction.pipeline.chunking import ChunkPlan, plan_chunks, whole_document_plan
from extraction.pipeline.coercion import coerce_to_schema, validation_errors
from extraction.pipeline.config import ExtractConfig, ExtractionTarget
from extraction.pipeline.documents import Document, DocumentError, LoadOptions, select_pages
from extraction.pipeline.engines.base import (
    EngineError,
    EngineRequest,
    EngineResult,
    ExtractionCancelled,
)
from extraction.pipeline.engines.registry import (
    EngineChoice,
    ModelRegistry,
    engine_create,
    select_engine,
)
from extraction.pipeline.execution import run_plans
from extraction.pipeline.merging import merge_chunks
from extraction.pipeline.schemas import load_schema

if TYPE_CHECKING:
    from collections.abc import Callable

SUCCESS = "SUCCESS"
PARTIAL_SUCCESS = "PARTIAL_SUCCESS"


@dataclass(frozen=True)
class PipelineInput:
    data_schema: dict[str, Any] | str
    config: ExtractConfig
    content: bytes | None = None  # the uploaded file's bytes
    text: str | None = None  # inline text instead of a file
    file_name: str | None = None
    declared_type: str | None = None
    load_options: LoadOptions | None = None  # page/time limits from settings


@dataclass
class PipelineOutcome:
    status: str  # "SUCCESS" or "PARTIAL_SUCCESS"
    data: dict[str, Any] | list[dict[str, Any]]
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    pages_total: int = 0
    # Per-path locations, quotes and confidences for the citation and confidence steps;
    # None when the result came from the cache.
    engine_result: EngineResult | None = None


class ResultCache(Protocol):
    """A result cache scoped by the caller (the task binds it to the job's project)."""

    def lookup(self, key: str) -> tuple[Any, dict[str, Any]] | None: ...

    def store(self, key: str, data: Any, metadata: dict[str, Any]) -> None: ...


def run_pipeline(
    job_input: PipelineInput,
    *,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
    should_cancel: Callable[[], bool] = lambda: False,
    registry: ModelRegistry | None = None,
    cache: ResultCache | None = None,
) -> PipelineOutcome:
    """Run every step for one document.

    ``registry`` says which models exist (none: the local engine runs). ``cache`` is consulted
    unless ``config.invalidate_cache``; a fresh result is stored back when fully successful.
    Raises ``SchemaError``, ``ConfigError`` (unknown model names), ``DocumentError``
    (unreadable input, page_range beyond the document), ``EngineError`` (every chunk failed;
    ``transient`` says whether a retry may help) and ``ExtractionCancelled``.
    """
    started = time.perf_counter()
    config = job_input.config
    schema = load_schema(job_input.data_schema)
    choice = select_engine(config, registry or ModelRegistry())
    key = cache_key(
        content=job_input.content,
        text=job_input.text,
        schema=schema,
        config=config,
        engine=choice.engine,
        model=choice.endpoint.model if choice.endpoint else None,
    )
    if cache is not None and not config.invalidate_cache:
        hit = cache.lookup(key)
        if hit is not None:
            data, metadata = hit
            pages = metadata.get("usage", {}).get("num_pages_extracted", 0)
            on_progress(pages, pages)
            metadata = {**metadata, "cache": {"hit": True, "key": key}}
            metadata["usage"] = {**metadata.get("usage", {}), "num_model_calls": 0}
            return PipelineOutcome(SUCCESS, data, metadata, pages_total=pages)

    document = _load(job_input, config)
    selected, beyond_end = select_pages(document, config.page_spans)
    if not selected:
        raise DocumentError(
            f"page_range {config.page_range!r} selects no page; the document has "
            f"{document.page_count} page(s)."
        )
    total = len(selected)
    on_progress(0, total)
    engine_started = time.perf_counter()
    result = _extract(
        job_input,
        document,
        selected,
        schema=schema,
        choice=choice,
        registry=registry or ModelRegistry(),
        on_progress=lambda done: on_progress(done, total),
        should_cancel=should_cancel,
    )
    engine_seconds = time.perf_counter() - engine_started
    data, problems = _finalize(result.data, schema, config.extraction_target)
    result.data = data
    metadata = _metadata(result, choice, config, selected, beyond_end, problems, key)
    cite_started = time.perf_counter()
    if config.wants_citations or config.confidence_scores or config.use_reasoning:
        from extraction.pipeline.citations import build_field_metadata  # STEP 5-6, only when asked

        grounded = build_field_metadata(result, document, config, pages=selected, schema=schema)
        metadata["field_metadata"] = grounded.field_metadata
        if grounded.unsupported_paths:
            metadata["unsupported_paths"] = grounded.unsupported_paths
    metadata["timing"] = {
        "engine_seconds": round(engine_seconds, 4),
        "citation_seconds": round(time.perf_counter() - cite_started, 4),
        "total_seconds": round(time.perf_counter() - started, 4),
    }
    status, error = SUCCESS, None
    if result.failed_pages:
        status = PARTIAL_SUCCESS
        pages = ", ".join(str(page) for page in sorted(set(result.failed_pages)))
        error = f"Extraction failed on page(s) {pages}: {result.failure_reason}"
    if cache is not None and status == SUCCESS:
        cache.store(key, data, metadata)
    return PipelineOutcome(status, data, metadata, error, total, engine_result=result)


def _load(job_input: PipelineInput, config: ExtractConfig) -> Document:
    from extraction.pipeline.documents import load_document, load_text

    options = job_input.load_options or LoadOptions()
    if config.high_resolution_mode and not options.high_resolution:
        options = dataclasses.replace(options, high_resolution=True)
    if job_input.content is not None:
        return load_document(
            job_input.content,
            declared_type=job_input.declared_type,
            file_name=job_input.file_name,
            options=options,
        )
    if job_input.text is not None:
        return load_text(job_input.text, options=options)
    raise DocumentError("Nothing to extract from: neither a file nor text was given.")


def _page_renderer(
    job_input: PipelineInput, document: Document, config: ExtractConfig, warnings: list[str]
) -> Callable[[int], bytes] | None:
    """PNG pages for vision models, when the documents step can render this input."""
    media_type = document.media_type or ""
    if job_input.content is None or not (
        media_type == "application/pdf" or media_type.startswith("image/")
    ):
        warnings.append(f"page images are not available for {media_type or 'text'} input")
        return None
    from extraction.pipeline.documents import render_page

    dpi = 200 if config.high_resolution_mode else 110
    content = job_input.content
    return lambda page: render_page(content, page, dpi, "png")


def _extract(
    job_input: PipelineInput,
    document: Document,
    selected: list[int],
    *,
    schema: dict[str, Any],
    choice: EngineChoice,
    registry: ModelRegistry,
    on_progress: Callable[[int], None],
    should_cancel: Callable[[], bool],
) -> EngineResult:
    """STEPS 2-4: plan the engine's requests, run them, merge their results.

    Raises ``ExtractionCancelled`` and, when every request failed, the first one's
    ``EngineError`` (transient only if every failure was).
    """
    config = job_input.config
    engine = engine_create(choice, registry)
    warnings: list[str] = []
    page_image = (
        _page_renderer(job_input, document, config, warnings)
        if choice.vision_endpoint is not None
        else None
    )
    find_unsupported = _find_unsupported if choice.verify else None
    plans = (
        [whole_document_plan(selected)]
        if engine.whole_document
        else plan_chunks(document, selected, config)
    )

    def extract(plan: ChunkPlan) -> EngineResult:
        request = EngineRequest(
            document=document,
            pages=plan.pages,
            schema=schema,
            config=config,
            endpoint=choice.endpoint,
            segments=plan.segments,
            on_progress=on_progress if engine.whole_document else lambda done: None,
            should_cancel=should_cancel,
            page_image=page_image,
            find_unsupported=find_unsupported,
        )
        return engine.extract(request)

    outcomes = run_plans(
        plans,
        extract,
        target=config.extraction_target,
        limit=engine.concurrency,
        on_progress=on_progress,
        should_cancel=should_cancel,
    )
    if should_cancel():
        raise ExtractionCancelled()
    result = _merged(outcomes, plans, config.extraction_target, whole=engine.whole_document)
    result.engine = engine.name
    result.model = choice.endpoint.model if choice.endpoint else None
    result.warnings[:0] = warnings
    return result


def _merged(
    outcomes: list[EngineResult | EngineError],
    plans: list[ChunkPlan],
    target: ExtractionTarget,
    *,
    whole: bool,
) -> EngineResult:
    """STEP 4: one result from the requests' outcomes; failed requests become failed pages
    (PER_PAGE keeps an empty object in a failed page's place, so data[i] is still page i)."""
    paired = list(zip(plans, outcomes, strict=True))
    errors = [(plan, outcome) for plan, outcome in paired if isinstance(outcome, EngineError)]
    if len(errors) == len(plans):
        first = errors[0][1]
        raise EngineError(str(first), transient=all(error.transient for _, error in errors))
    kept: list[tuple[ChunkPlan, EngineResult]] = []
    for plan, outcome in paired:
        if not isinstance(outcome, EngineError):
            kept.append((plan, outcome))
        elif target == ExtractionTarget.PER_PAGE:
            kept.append((ChunkPlan(plan.pages, ()), EngineResult(data={}, engine="")))
    if whole:
        merged = kept[0][1]
    else:
        merged = merge_chunks([r for _, r in kept], [p for p, _ in kept], target)
    for plan, error in errors:
        merged.failed_pages.extend(page for page in plan.pages if page not in merged.failed_pages)
        merged.failure_reason = merged.failure_reason or str(error)
    return merged


def _find_unsupported(
    result: EngineResult, document: Document, pages: list[int], schema: dict[str, Any]
) -> list[str]:
    from extraction.pipeline.citations import find_unsupported_paths  # STEP 5, only for PREMIUM

    return find_unsupported_paths(result, document, pages=pages, schema=schema)


def _finalize(
    data: Any, schema: dict[str, Any], target: ExtractionTarget
) -> tuple[dict[str, Any] | list[dict[str, Any]], list[str]]:
    """Coerce towards the schema; return the data and every remaining validation problem."""
    if target == ExtractionTarget.PER_DOC:
        item = coerce_to_schema(data if isinstance(data, dict) else {}, schema)
        return item, validation_errors(item, schema)
    items = [coerce_to_schema(entry, schema) for entry in (data or []) if isinstance(entry, dict)]
    problems = [
        f"[{index}]{problem}"
        for index, item in enumerate(items)
        for problem in validation_errors(item, schema)
    ]
    return items, problems


def _metadata(
    result: EngineResult,
    choice: EngineChoice,
    config: ExtractConfig,
    selected: list[int],
    beyond_end: list[int],
    problems: list[str],
    key: str,
) -> dict[str, Any]:
    """The run's ``extraction_metadata``: what ran, usage, pages, cache and warnings."""
    usage = result.usage
    metadata: dict[str, Any] = {
        "engine": result.engine or choice.engine,
        "model": result.model,
        "requested_model": choice.requested_model,
        "extraction_mode": config.extraction_mode.value,
        "extraction_target": config.extraction_target.value,
        "usage": {
            "num_pages_extracted": usage.pages_extracted or len(selected),
            "num_document_tokens": usage.document_tokens,
            "num_output_tokens": usage.completion_tokens,
            "num_model_calls": usage.model_calls,
        },
        "pages": {"selected": selected, "failed": sorted(set(result.failed_pages))},
        "cache": {"hit": False, "key": key},
        "field_metadata": {},
    }
    if beyond_end:
        metadata["pages"]["beyond_end"] = beyond_end
    warnings = [*choice.warnings, *result.warnings]
    if warnings:
        metadata["warnings"] = warnings
    if problems:
        metadata["validation_errors"] = problems[:50]
    return metadata
