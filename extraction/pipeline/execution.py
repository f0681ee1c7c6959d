"""Running an engine over a document's requests (``ChunkPlan``s): bounded, cancellable, and
never truncated.

Requests run concurrently on a thread pool of at most ``limit`` (the per-worker limit of model
calls is a process-wide semaphore inside the OpenAI client). New requests start only while
the job is not cancelled, so cancelling stops the work between requests. A request whose
answer was cut off (``OutputTruncated``) is split in two (``chunking.split_plan``) and its
halves' answers combined (``merging.combine_parts``); one that fails after its retries is
returned as its ``EngineError``, so the rest still make a (partial) result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

from extraction.pipeline.chunking import ChunkPlan, split_plan
from extraction.pipeline.engines.base import (
    EngineError,
    EngineResult,
    ExtractionCancelled,
    OutputTruncated,
)
from extraction.pipeline.merging import combine_parts

if TYPE_CHECKING:
    from extraction.pipeline.config import ExtractionTarget

Extract = Callable[[ChunkPlan], EngineResult]


def run_plans(
    plans: Sequence[ChunkPlan],
    extract: Extract,
    *,
    target: ExtractionTarget,
    limit: int,
    on_progress: Callable[[int], None],
    should_cancel: Callable[[], bool],
) -> list[EngineResult | EngineError]:
    """``extract`` every plan, at most ``limit`` at a time; outcomes in plan order.

    ``on_progress`` gets the number of distinct pages done. Raises ``ExtractionCancelled``.
    """

    def complete(plan: ChunkPlan) -> EngineResult:
        try:
            return extract(plan)
        except OutputTruncated as exc:
            halves = split_plan(plan)
            if halves is None:
                raise EngineError(
                    "The model's reply exceeded its output limit even for a single line of "
                    f"the document (page {plan.pages[0]}); use a model with a larger output "
                    "limit."
                ) from exc
            combined = combine_parts([complete(half) for half in halves], target)
            combined.usage.add(exc.usage)  # the cut-off answer was paid for too
            return combined

    if limit <= 1 or len(plans) <= 1:
        return _run_inline(plans, complete, on_progress, should_cancel)
    return _run_pooled(plans, complete, limit, on_progress, should_cancel)


def _run_pooled(
    plans: Sequence[ChunkPlan],
    extract: Extract,
    limit: int,
    on_progress: Callable[[int], None],
    should_cancel: Callable[[], bool],
) -> list[EngineResult | EngineError]:
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
    plans: Sequence[ChunkPlan],
    extract: Extract,
    on_progress: Callable[[int], None],
    should_cancel: Callable[[], bool],
) -> list[EngineResult | EngineError]:
    """One request at a time in the calling thread: no pool to start when nothing runs beside."""
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
