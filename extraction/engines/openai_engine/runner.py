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

from extraction.config import ChunkMode, ExtractConfig, ExtractionTarget
from extraction.documents import Document
from extraction.engines.base import EngineError, EngineRequest, EngineResult, ExtractionCancelled
from extraction.engines.openai_engine.engine import OpenAIEngine
from extraction.engines.registry import EngineChoice, ModelRegistry
from extraction.merging import collect_pages, concat_rows, merge_objects, normalize_text

# Tokens of document text per request. Rows get smaller chunks: their output grows with the
# input, and a reply cut off by the output limit costs a split and a second call.
CHUNK_TOKENS = {ExtractionTarget.PER_DOC: 6000, ExtractionTarget.PER_TABLE_ROW: 2500}


@dataclass(frozen=True)
class ChunkPlan:
    pages: tuple[int, ...]  # the pages values are extracted from
    context_pages: tuple[int, ...] = ()  # shown for reference only


def plan_chunks(
    document: Document, selected: Sequence[int], config: ExtractConfig
) -> list[ChunkPlan]:
    """The chunks for ``config``: one per page for PER_PAGE, else the chunking step's."""
    context = config.num_pages_context or 0
    if config.extraction_target == ExtractionTarget.PER_PAGE:
        return [_with_context(document, (page,), context) for page in selected]
    try:
        from extraction.chunking import chunk_document
    except ImportError:  # the chunking step has not landed yet: one page per chunk
        return [_with_context(document, (page,), context) for page in selected]
    chunks = chunk_document(
        document,
        list(selected),
        mode=config.chunk_mode or ChunkMode.PAGE,
        num_pages_context=context,
        token_budget=CHUNK_TOKENS[config.extraction_target],
    )
    return [
        ChunkPlan(tuple(chunk.pages), tuple(getattr(chunk, "context_pages", ()) or ()))
        for chunk in chunks
    ]


def _with_context(document: Document, pages: tuple[int, ...], context: int) -> ChunkPlan:
    before = range(max(1, pages[0] - context), pages[0])
    after = range(pages[-1] + 1, min(document.page_count, pages[-1] + context) + 1)
    return ChunkPlan(pages, (*before, *after))


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
) -> EngineResult:
    """Extract every chunk and merge per ``config.extraction_target``.

    Raises ``ExtractionCancelled`` and, when no chunk succeeded, the first chunk's
    ``EngineError`` (transient only if every failure was transient).
    """
    plans = plan_chunks(document, selected, config)
    engine = OpenAIEngine(
        retry=registry.retry,
        worker_limit=registry.max_concurrency_per_worker,
        verify=choice.verify,
        images=choice.vision_endpoint is not None,
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
        return engine.extract(request, context_pages=plan.context_pages)

    outcomes = _run_bounded(
        plans, extract, registry.max_concurrency_per_job, on_progress, should_cancel
    )
    results: list[EngineResult] = []
    errors: list[tuple[ChunkPlan, EngineError]] = []
    texts: list[str] = []
    for plan, outcome in zip(plans, outcomes, strict=True):
        if isinstance(outcome, EngineError):
            errors.append((plan, outcome))
        else:
            results.append(outcome)
            texts.append(normalize_text(" ".join(document.page(n).text for n in plan.pages)))
    if not results:
        first = errors[0][1]
        transient = all(error.transient for _, error in errors)
        raise EngineError(str(first), transient=transient)
    merged = _merge(results, texts, config.extraction_target)
    for plan, error in errors:
        merged.failed_pages.extend(plan.pages)
        merged.failure_reason = merged.failure_reason or str(error)
    merged.engine = engine.name
    merged.model = choice.endpoint.model if choice.endpoint else None
    return merged


def _merge(results: list[EngineResult], texts: list[str], target: ExtractionTarget) -> EngineResult:
    if target == ExtractionTarget.PER_TABLE_ROW:
        return concat_rows(results)
    if target == ExtractionTarget.PER_PAGE:
        return collect_pages(results)

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
    outcomes: dict[int, EngineResult | EngineError] = {}
    pending: dict[Future[EngineResult], int] = {}
    queue: Iterator[tuple[int, ChunkPlan]] = iter(enumerate(plans))
    pages_done = 0
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
                pages_done += len(plans[index].pages)
                on_progress(pages_done)
    if cancelled:
        raise ExtractionCancelled()
    return [outcomes[index] for index in range(len(plans))]
