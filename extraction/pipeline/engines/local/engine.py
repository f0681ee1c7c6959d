"""``LocalEngine``: schema-guided offline extraction from words and their positions.

The engine reads the schema's field names, titles, descriptions, types and enums, and looks for
the values in the document: label/value pairs (``fields``), tables (``tables``), running prose
(``prose``) and document-level cues such as the title or the letterhead (``heuristics``). It is
deterministic, needs no model and records where every value was printed.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

from extraction.pipeline.chunking import estimate_tokens
from extraction.pipeline.config import ExtractionTarget
from extraction.pipeline.documents.base import Box, Page
from extraction.pipeline.engines.base import (
    EngineRequest,
    EngineResult,
    ExtractionCancelled,
    SourceSpan,
    Usage,
)
from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.hints import infer_hints
from extraction.pipeline.engines.local.labels import FieldSpec, field_specs
from extraction.pipeline.engines.local.layout import PageLayout, build_layout, looks_like_csv
from extraction.pipeline.engines.local.resolve import extract_object, extract_rows

if TYPE_CHECKING:
    from extraction.pipeline.engines.registry import EngineChoice, ModelRegistry

HINT_SAMPLE_PAGES = 3
WORD_BUDGET = 150_000  # words kept in memory before later pages keep only rows and text


class LocalEngine:
    """The offline engine: ``extract(request) -> EngineResult``; raises ExtractionCancelled.

    It reads a document at once (tables and sections cross page breaks) and returns the
    target's final shape."""

    name = "local"
    whole_document = True
    concurrency = 1

    def extract(self, request: EngineRequest) -> EngineResult:
        document = request.document
        schema = request.schema or {}
        target = request.config.extraction_target
        csv_like = "csv" in (document.media_type or "")
        layouts: list[PageLayout] = []
        words_kept = 0
        document_tokens = 0
        for done, number in enumerate(request.pages, start=1):
            if request.should_cancel():
                raise ExtractionCancelled()
            page = document.page(number)
            if done == 1 and not page.words and not csv_like:
                csv_like = looks_like_csv(page.text)
            layout = build_layout(page, csv_like=csv_like)
            document_tokens += estimate_tokens(page.text)  # reported like an LLM run's usage
            words_kept += len(page.words)
            if words_kept > WORD_BUDGET and page.words:
                # Long dense documents: keep rows, cells and text, not the word objects; the
                # few cited pages are loaded again for their boxes.
                layout.page = Page(page.number, page.width, page.height, page.text)
                layout.slim = True
            layouts.append(layout)
            request.on_progress(done)
        hints = infer_hints([layout.page.text for layout in layouts[:HINT_SAMPLE_PAGES]])
        result = EngineResult(data={}, engine=self.name, model=None, usage=Usage())
        result.usage.pages_extracted = len(layouts)
        result.usage.document_tokens = document_tokens

        if target == ExtractionTarget.PER_TABLE_ROW:
            item = field_specs(schema)
            rows = extract_rows(item, layouts, hints)
            result.data = [
                _assemble(item, found, result, prefix=f"[{i}].") for i, found in enumerate(rows)
            ]
        elif target == ExtractionTarget.PER_PAGE:
            specs = field_specs(schema)
            data = []
            for i, layout in enumerate(layouts):
                found = extract_object(specs, [layout], hints)
                data.append(_assemble(specs, found, result, prefix=f"[{i}]."))
            result.data = data
        else:
            specs = field_specs(schema)
            found = extract_object(specs, layouts, hints)
            result.data = _assemble(specs, found, result, prefix="")
            if request.config.use_reasoning:
                result.reasoning = _reasoning(specs, found)
        _attach_boxes(result, layouts, document)
        return result


def _assemble(
    specs: list[FieldSpec], found: dict[str, Any], result: EngineResult, *, prefix: str
) -> dict[str, Any]:
    """Typed data in the schema's shape; ``found`` maps relative leaf paths to ``Found``s (or
    lists of nested ``found`` dicts for arrays of objects, lists of ``Found`` for string arrays).
    """
    data: dict[str, Any] = {}
    for spec in specs:
        path = f"{prefix}{spec.path}"
        if spec.kind == "object":
            data[spec.name] = _assemble(spec.children, found, result, prefix=prefix)
        elif spec.kind == "array_obj":
            items = found.get(spec.path)
            items = items if isinstance(items, list) else []
            children = spec.item.children if spec.item else []
            data[spec.name] = [
                _assemble(children, item, result, prefix=f"{path}[{i}].")
                for i, item in enumerate(items)
            ]
        elif spec.kind == "array_str":
            values = found.get(spec.path)
            values = values if isinstance(values, list) else []
            data[spec.name] = [v.value for v in values]
            for i, value in enumerate(values):
                _record(result, f"{path}[{i}]", value)
        else:
            value = found.get(spec.path)
            value = value if isinstance(value, Found) else None
            data[spec.name] = value.value if value is not None else None
            _record(result, path, value)
    return data


def _record(result: EngineResult, path: str, found: Found | None) -> None:
    if found is None:
        result.confidences[path] = 0.0
        return
    result.confidences[path] = round(min(1.0, max(0.0, found.score)), 3)
    result.locations[path] = [
        SourceSpan(
            page=found.page,
            start=found.start,
            end=found.end,
            text="",
            match="exact",
            score=round(min(1.0, found.score), 3),
        )
    ]


def _attach_boxes(result: EngineResult, layouts: list[PageLayout], document: Any) -> None:
    """Fill each span's text and boxes (one box per visual line, as ``Page.boxes_for_span``)."""
    pages = {layout.number: layout.page for layout in layouts}
    slim = {layout.number for layout in layouts if layout.slim}
    cited = {span.page for spans in result.locations.values() for span in spans}
    for number in sorted(cited & slim):
        pages[number] = document.page(number)
    starts: dict[int, list[int]] = {}
    for path, spans in result.locations.items():
        fixed = []
        for span in spans:
            page = pages.get(span.page)
            if page is None:
                continue
            text = page.text[span.start : span.end]
            boxes: tuple[Box, ...] = ()
            if page.words:
                if span.page not in starts:
                    offsets = [word.start for word in page.words]
                    starts[span.page] = offsets if offsets == sorted(offsets) else []
                if starts[span.page]:
                    boxes = tuple(_boxes(page, starts[span.page], span.start, span.end))
                else:
                    boxes = tuple(page.boxes_for_span(span.start, span.end))
            fixed.append(
                SourceSpan(span.page, span.start, span.end, text, span.match, span.score, boxes)
            )
        result.locations[path] = fixed


def _boxes(page: Page, word_starts: list[int], start: int, end: int) -> list[Box]:
    words = page.words
    # Words are in text order: only those from the one before ``start`` can overlap.
    index = max(bisect.bisect_right(word_starts, start) - 1, 0)
    boxes: list[Box] = []
    while index < len(words) and words[index].start < end:
        word = words[index]
        index += 1
        if word.end <= start:
            continue
        if boxes and abs(boxes[-1].y - word.box.y) < max(2.0, word.box.h * 0.5):
            boxes[-1] = boxes[-1].union(word.box)
        else:
            boxes.append(word.box)
    return boxes


def _reasoning(specs: list[FieldSpec], found: dict[str, Any]) -> dict[str, str]:
    out = {}
    for spec in specs:
        value = found.get(spec.path)
        if spec.kind == "object":
            parts = [
                f"{child.name}: {found[child.path].how}"
                for child in spec.children
                if found.get(child.path) is not None
            ]
            out[spec.name] = "; ".join(parts) or "no matching label or text found"
        elif isinstance(value, Found):
            out[spec.name] = f"matched {value.how} (score {value.score:.2f})"
        elif value:
            out[spec.name] = f"read {len(value)} entries from " + (
                found.get(f"{spec.path}#how") or "the document"
            )
        else:
            out[spec.name] = "no matching label, table column or text found"
    return out


def engine_for(choice: EngineChoice, registry: ModelRegistry) -> LocalEngine:
    """The registry's factory: the local engine needs neither."""
    return LocalEngine()
