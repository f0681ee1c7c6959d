"""STEP 4: per-chunk engine results -> one result per extraction target.

``merge_objects`` (PER_DOC) merges chunk objects field by field: scalars take the best-supported
value, arrays are concatenated with cross-chunk duplicates dropped, objects merge recursively.
``concat_rows`` (PER_TABLE_ROW) and ``collect_pages`` (PER_PAGE) build the list targets;
``merge_chunks`` picks the right one for a document's chunk results.
Every output path keeps the quotes, locations and confidences of the chunk value it came from,
re-keyed to its new path, so citations can be found later.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from extraction.pipeline.config import ExtractionTarget
from extraction.pipeline.engines.base import EngineResult, Usage
from extraction.pipeline.jsonpath import join_path, leaf_values

if TYPE_CHECKING:
    from extraction.pipeline.chunking import ChunkPlan

# (chunk index, path in that chunk's data, value) -> how well the document supports the value.
SupportFn = Callable[[int, str, Any], float]


def normalize_text(text: str) -> str:
    """Case-folded NFKC text with whitespace collapsed, for comparing quotes and values."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _fingerprint(value: Any) -> str:
    if isinstance(value, str):
        return normalize_text(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str).casefold()
    return json.dumps(value)


class _Provenance:
    """Maps each output path to the (chunk, source path) it was copied from."""

    def __init__(self) -> None:
        self.sources: dict[str, tuple[int, str]] = {}

    def record(self, chunk: int, source: str, target: str, value: Any) -> None:
        for suffix in leaf_values(value, ""):
            self.sources[_extend(target, suffix)] = (chunk, _extend(source, suffix))

    def apply(self, results: Sequence[EngineResult], merged: EngineResult) -> None:
        for target, (chunk, source) in self.sources.items():
            result = results[chunk]
            if source in result.quotes:
                merged.quotes[target] = result.quotes[source]
            if source in result.locations:
                merged.locations[target] = result.locations[source]
            if source in result.confidences:
                merged.confidences[target] = result.confidences[source]


def _extend(base: str, suffix: str) -> str:
    if not base or not suffix or suffix.startswith("["):
        return base + suffix
    return f"{base}.{suffix}"


def _base_result(results: Sequence[EngineResult], data: Any) -> EngineResult:
    usage = Usage()
    for result in results:
        usage.add(result.usage)
    first = results[0] if results else None
    merged = EngineResult(
        data=data,
        engine=first.engine if first else "",
        model=first.model if first else None,
        usage=usage,
    )
    for result in results:
        merged.failed_pages.extend(result.failed_pages)
        merged.warnings.extend(w for w in result.warnings if w not in merged.warnings)
        for key, text in result.reasoning.items():
            merged.reasoning.setdefault(key, text)
    reasons = [result.failure_reason for result in results if result.failure_reason]
    merged.failure_reason = "; ".join(dict.fromkeys(reasons)) or None
    return merged


def default_support(results: Sequence[EngineResult]) -> SupportFn:
    """Support from the engine's own confidence, 0.5 when it gave none."""
    return lambda chunk, path, value: results[chunk].confidences.get(path, 0.5)


def merge_objects(
    results: Sequence[EngineResult], *, support: SupportFn | None = None
) -> EngineResult:
    """Merge chunk objects (PER_DOC) into one; ``support`` scores competing scalar values."""
    support = support or default_support(results)
    provenance = _Provenance()
    candidates = [(index, "", result.data) for index, result in enumerate(results)]
    data = _merge(candidates, "", support, provenance)
    merged = _base_result(results, data if isinstance(data, dict) else {})
    provenance.apply(results, merged)
    return merged


def _merge(
    candidates: list[tuple[int, str, Any]], target: str, support: SupportFn, prov: _Provenance
) -> Any:
    present = [c for c in candidates if c[2] is not None]
    if not present:
        return None
    if all(isinstance(value, dict) for _, _, value in present):
        keys = list(dict.fromkeys(key for _, _, value in present for key in value))
        return {
            key: _merge(
                [(i, join_path(p, key), v[key]) for i, p, v in present if key in v],
                join_path(target, key),
                support,
                prov,
            )
            for key in keys
        }
    if all(isinstance(value, list) for _, _, value in present):
        return _merge_lists(present, target, prov)
    return _pick_scalar(present, target, support, prov)


def _merge_lists(present: list[tuple[int, str, Any]], target: str, prov: _Provenance) -> list[Any]:
    """Concatenate; an element equal to an unused one from an earlier chunk is a duplicate
    (overlapping context pages), while repeats within one chunk are kept."""
    out: list[Any] = []
    earlier: dict[str, int] = {}
    for chunk, path, values in present:
        mine: dict[str, int] = {}
        for index, value in enumerate(values):
            key = _fingerprint(value)
            if earlier.get(key, 0) > 0:
                earlier[key] -= 1
                continue
            mine[key] = mine.get(key, 0) + 1
            prov.record(chunk, join_path(path, index), join_path(target, len(out)), value)
            out.append(value)
        for key, count in mine.items():
            earlier[key] = earlier.get(key, 0) + count
    return out


def _pick_scalar(
    present: list[tuple[int, str, Any]], target: str, support: SupportFn, prov: _Provenance
) -> Any:
    votes: dict[str, int] = {}
    for _, _, value in present:
        votes[_fingerprint(value)] = votes.get(_fingerprint(value), 0) + 1

    def rank(item: tuple[int, tuple[int, str, Any]]) -> tuple[float, int, int]:
        order, (chunk, path, value) = item
        return (support(chunk, path, value), votes[_fingerprint(value)], -order)

    _, (chunk, path, value) = max(enumerate(present), key=rank)
    prov.record(chunk, path, target, value)
    return value


def concat_rows(results: Sequence[EngineResult]) -> EngineResult:
    """PER_TABLE_ROW: rows of every chunk in order; a row repeating one from the previous
    chunk (a context page read twice) is dropped."""
    provenance = _Provenance()
    rows: list[dict[str, Any]] = []
    previous: dict[str, int] = {}
    for chunk, result in enumerate(results):
        current: dict[str, int] = {}
        for index, row in enumerate(result.data if isinstance(result.data, list) else []):
            key = _fingerprint(row)
            if previous.get(key, 0) > 0:
                previous[key] -= 1
                continue
            current[key] = current.get(key, 0) + 1
            provenance.record(chunk, f"[{index}]", f"[{len(rows)}]", row)
            rows.append(row)
        previous = current
    merged = _base_result(results, rows)
    provenance.apply(results, merged)
    return merged


def collect_pages(results: Sequence[EngineResult]) -> EngineResult:
    """PER_PAGE: one object per result (one result per page, in page order)."""
    provenance = _Provenance()
    pages: list[dict[str, Any]] = []
    for chunk, result in enumerate(results):
        data = result.data if isinstance(result.data, dict) else {}
        provenance.record(chunk, "", f"[{len(pages)}]", data)
        pages.append(data)
    merged = _base_result(results, pages)
    provenance.apply(results, merged)
    return merged


def merge_chunks(
    results: Sequence[EngineResult], plans: Sequence[ChunkPlan], target: ExtractionTarget
) -> EngineResult:
    """The results of a document's chunk requests as one result for ``target``.

    PER_TABLE_ROW concatenates rows; PER_PAGE collects one object per page (a page that came
    in several pieces is merged first); PER_DOC merges objects, preferring in each field the
    value the chunk's own text supports (its quote, or the value itself, is printed there).
    """
    if target == ExtractionTarget.PER_TABLE_ROW:
        return concat_rows(results)
    texts = [_plan_text(plan) for plan in plans]
    if target == ExtractionTarget.PER_PAGE:
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


def combine_parts(parts: Sequence[EngineResult], target: ExtractionTarget) -> EngineResult:
    """The halves of a request that was split because its answer was cut off, as one."""
    return concat_rows(parts) if target == ExtractionTarget.PER_TABLE_ROW else merge_objects(parts)


def _plan_text(plan: ChunkPlan) -> str:
    segments = plan.segments or ()
    return normalize_text(" ".join(segment.text for segment in segments if not segment.context))


def _merge_supported(results: Sequence[EngineResult], texts: list[str]) -> EngineResult:
    def support(chunk: int, path: str, value: Any) -> float:
        """1 when the chunk's quote (or the value itself) is printed in the chunk's pages."""
        quote = results[chunk].quotes.get(path)
        if quote and normalize_text(quote) in texts[chunk]:
            return 1.0
        if isinstance(value, str) and normalize_text(value) in texts[chunk]:
            return 0.9
        return 0.5

    return merge_objects(results, support=support)
