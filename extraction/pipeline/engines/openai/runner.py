"""Run the OpenAI engine over a document's chunks and merge the results per target.

Chunks run concurrently on a thread pool sized by the registry's per-job limit (the per-worker
limit is a process-wide semaphore inside the client). New chunks are only started while the
job is not cancelled, so cancelling stops the work between chunks. Chunks that fail after
their retries are recorded as failed pages; the rest still produce a (partial) result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from extraction.pipeline.chunking import Chunk, chunk_document
from extraction.pipeline.config import ChunkMode, ExtractConfig, ExtractionTarget
from extraction.pipeline.documents import Document
from extraction.pipeline.engines.base import (
    EngineError,
    EngineRequest,
    EngineResult,
    ExtractionCancelled,
)
from extraction.pipeline.engines.openai.engine import OpenAIEngine
from extraction.pipeline.engines.openai.prompts import PageText
from extraction.pipeline.engines.registry import EngineChoice, ModelRegistry
from extraction.pipeline.merging import collect_pages, concat_rows, merge_objects, normalize_text

# Tokens of document text per request. Rows get smaller chunks: their output grows with the
# input, and a reply cut off by the output limit costs a split and a second call.
CHUNK_TOKENS = {
    ExtractionTarget.PER_DOC: 6000,
    ExtractionTarget.PER_PAGE: 6000,
    ExtractionTarget.PER_TABLE_ROW: 2500,
}


@dataclass(frozen=True)
class ChunkPlan:
    pages: tuple[int, ...]  # the pages values are extracted from
    segments: tuple[PageText, ...]  # the text sent: whole pages or a piece of a long page


def plan_chunks(
    document: Document, selected: Sequence[int], config: ExtractConfig
) -> list[ChunkPlan]:
    """The chunking step's chunks as engine input; always one page per chunk for PER_PAGE."""
    target = config.extraction_target
    mode = ChunkMode.PAGE if target == ExtractionTarget.PER_PAGE else config.chunk_mode
    chunks = chunk_document(
        document,
        list(selected),
        mode=mode,
        num_pages_context=config.num_pages_context,
        token_budget=CHUNK_TOKENS[target],
    )
    plans = [ChunkPlan(tuple(chunk.pages), _segments(chunk)) for chunk in chunks]
    # Sections are meant to be read one at a time; context pages already widen each chunk.
    if mode == ChunkMode.SECTION or target == ExtractionTarget.PER_PAGE or config.num_pages_context:
        return plans
    return _pack(plans, [chunk.tokens for chunk in chunks], CHUNK_TOKENS[target])


def _pack(plans: list[ChunkPlan], tokens: list[int], budget: int) -> list[ChunkPlan]:
    """Join consecutive chunks while they fit the budget: short pages share one request, so
    the instructions and schema are paid once for them, and the model sees them together."""
    packed: list[ChunkPlan] = []
    used = 0
    for plan, size in zip(plans, tokens, strict=True):
        if packed and used + size <= budget:
            last = packed[-1]
            pages = tuple(dict.fromkeys(last.pages + plan.pages))
            packed[-1] = ChunkPlan(pages, _join_segments(last.segments, plan.segments))
            used += size
        else:
            packed.append(plan)
            used = size
    return packed


def _join_segments(
    first: tuple[PageText, ...], second: tuple[PageText, ...]
) -> tuple[PageText, ...]:
    if first and second and first[-1].number == second[0].number:
        joined = PageText(first[-1].number, first[-1].text + "\n" + second[0].text)
        return (*first[:-1], joined, *second[1:])
    return (*first, *second)


def _segments(chunk: Chunk) -> tuple[PageText, ...]:
    """Each page's part of the chunk text, without the chunk's own page markers."""
    segments: list[PageText] = []
    previous_end = 0
    for span in chunk.spans:
        text = chunk.text[span.start : span.end]
        context = span.page in chunk.context_pages
        if segments and segments[-1].number == span.page and segments[-1].context == context:
            gap = chunk.text[previous_end : span.start]  # the line break between two pieces
            segments[-1] = PageText(span.page, segments[-1].text + gap + text, context)
        else:
            segments.append(PageText(span.page, text, context))
        previous_end = span.end
    return tuple(segments)


def run_chunks(
    document: Document,
    selected: Sequence[int],
    *,
    schema: dict[str, Any],
    config: ExtractConfig,
    choice: EngineChoice,
    registry: ModelRegistry,
    on_progress: Callable[[int], None] = lambda done: None,
    should_cancel: Callable[[], bool] = lambda: False,
    page_image: Callable[[int], bytes] | None = None,
) -> EngineResult:
    """Extract every chunk and merge per ``config.extraction_target``.

    ``page_image`` renders a page as PNG; it is used when a vision model was chosen.

    Raises ``ExtractionCancelled`` and, when no chunk succeeded, the first chunk's
    ``EngineError`` (transient only if every failure was transient).
    """
    plans = plan_chunks(document, selected, config)
    engine = OpenAIEngine(
        retry=registry.retry,
        worker_limit=registry.max_concurrency_per_worker,
        verify=choice.verify,
        page_image=page_image if choice.vision_endpoint is not None else None,
    )

    def extract(plan: ChunkPlan) -> EngineResult:
        request = EngineRequest(
            document=document,
            pages=plan.pages,
            schema=schema,
            config=config,
            endpoint=choice.endpoint,
            should_cancel=should_cancel,
        )
        return engine.extract(request, segments=plan.segments)

    outcomes = _run_bounded(
        plans, extract, registry.max_concurrency_per_job, on_progress, should_cancel
    )
    results: list[EngineResult] = []
    errors: list[tuple[ChunkPlan, EngineError]] = []
    texts: list[str] = []
    done: list[ChunkPlan] = []
    for plan, outcome in zip(plans, outcomes, strict=True):
        if isinstance(outcome, EngineError):
            errors.append((plan, outcome))
            if config.extraction_target == ExtractionTarget.PER_PAGE:
                # Keep data[i] aligned with the i-th selected page: an empty object stands in
                # (nulls after coercion) and the error names the page.
                results.append(EngineResult(data={}, engine=engine.name))
                done.append(plan)
                texts.append("")
        else:
            results.append(outcome)
            done.append(plan)
            texts.append(normalize_text(" ".join(s.text for s in plan.segments if not s.context)))
    if len(errors) == len(plans):
        first = errors[0][1]
        transient = all(error.transient for _, error in errors)
        raise EngineError(str(first), transient=transient)
    merged = _merge(results, texts, done, config.extraction_target)
    for plan, error in errors:
        merged.failed_pages.extend(page for page in plan.pages if page not in merged.failed_pages)
        merged.failure_reason = merged.failure_reason or str(error)
    merged.engine = engine.name
    merged.model = choice.endpoint.model if choice.endpoint else None
    return merged


def _merge(
    results: list[EngineResult], texts: list[str], plans: list[ChunkPlan], target: ExtractionTarget
) -> EngineResult:
    if target == ExtractionTarget.PER_TABLE_ROW:
        return concat_rows(results)
    if target == ExtractionTarget.PER_PAGE:
        # A page longer than the budget arrives in several chunks: merge those first.
        by_page: dict[int, list[int]] = {}
        for index, plan in enumerate(plans):
            by_page.setdefault(plan.pages[0], []).append(index)
        pages = [
            _merge_supported([results[i] for i in group], [texts[i] for i in group])
            if len(group) > 1
            else results[group[0]]
            for group in by_page.values()
        ]
        return collect_pages(pages)
    return _merge_supported(results, texts)


def _merge_supported(results: list[EngineResult], texts: list[str]) -> EngineResult:
    def support(chunk: int, path: str, value: Any) -> float:
        """1 when the chunk's quote (or the value itself) is printed in the chunk's pages."""
        quote = results[chunk].quotes.get(path)
        if quote and normalize_text(quote) in texts[chunk]:
            return 1.0
        if isinstance(value, str) and normalize_text(value) in texts[chunk]:
            return 0.9
        return 0.5

    return merge_objects(results, support=support)


def _run_bounded(
    plans: list[ChunkPlan],
    extract: Callable[[ChunkPlan], EngineResult],
    limit: int,
    on_progress: Callable[[int], None],
    should_cancel: Callable[[], bool],
) -> list[EngineResult | EngineError]:
    """Run ``extract`` over ``plans`` with at most ``limit`` in flight, in plan order."""
    if limit <= 1 or len(plans) <= 1:
        return _run_inline(plans, extract, on_progress, should_cancel)
    outcomes: dict[int, EngineResult | EngineError] = {}
    pending: dict[Future[EngineResult], int] = {}
    queue: Iterator[tuple[int, ChunkPlan]] = iter(enumerate(plans))
    pages_done: set[int] = set()
    cancelled = False
    with ThreadPoolExecutor(max_workers=max(1, min(limit, len(plans)))) as pool:
        while True:
            while not cancelled and len(pending) < limit:
                if should_cancel():
                    cancelled = True
                    break
                item = next(queue, None)
                if item is None:
                    break
                pending[pool.submit(extract, item[1])] = item[0]
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                try:
                    outcomes[index] = future.result()
                except EngineError as exc:
                    outcomes[index] = exc
                except ExtractionCancelled:
                    cancelled = True
                pages_done.update(plans[index].pages)
                on_progress(len(pages_done))
    if cancelled:
        raise ExtractionCancelled()
    return [outcomes[index] for index in range(len(plans))]


def _run_inline(
    plans: list[ChunkPlan],
    extract: Callable[[ChunkPlan], EngineResult],
    on_progress: Callable[[int], None],
    should_cancel: Callable[[], bool],
) -> list[EngineResult | EngineError]:
    """One chunk at a time in the calling thread: no pool to start when nothing runs beside."""
    outcomes: list[EngineResult | EngineError] = []
    pages_done: set[int] = set()
    for plan in plans:
        if should_cancel():
            raise ExtractionCancelled()
        try:
            outcomes.append(extract(plan))
        except EngineError as exc:
            outcomes.append(exc)
        pages_done.update(plan.pages)
        on_progress(len(pages_done))
    return outcomes
