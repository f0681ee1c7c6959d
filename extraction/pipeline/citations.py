"""STEP 5: values -> citations (page, text, boxes, offsets), plus confidence and reasoning.

``build_field_metadata`` is the one entry the pipeline calls. It walks the result's data, and
for every leaf (inside nested objects and arrays too) finds the text that supports it:

* values the engine located (the local engine records a ``SourceSpan`` per value) are cited
  where the engine read them, without searching again;
* values an LLM produced are looked up from its verbatim quote, or from the value itself
  (``grounding.locate``: exact, normalized, fuzzy, typed value);
* a value nothing in the document supports gets ``"match": "not_found"``, no citation, a low
  confidence, and its path in ``unsupported_paths`` (PREMIUM mode re-checks those).

``field_metadata`` mirrors the data: a dict for an object, a list for an array (and for
PER_PAGE / PER_TABLE_ROW results), and at each leaf::

    {"citation": [{"page": 1, "matching_text": "INV-001", "bounding_boxes": [{"x", "y", "w",
      "h"}], "page_dimensions": {"width", "height"}, "char_start": 12, "char_end": 19,
      "match": "exact"}], "match": "exact", "extraction_confidence": 0.97,
      "parsing_confidence": 1.0, "confidence": 0.97}

Top-level fields also get ``"reasoning"`` when asked for. Nothing is computed for an option
that is off.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from extraction.pipeline import confidence as scoring
from extraction.pipeline.grounding.evidence import NOT_FOUND, Grounding, ground_leaves, iter_leaves
from extraction.pipeline.grounding.locate import Located, PageIndex

if TYPE_CHECKING:
    from collections.abc import Sequence

    from extraction.pipeline.config import ExtractConfig
    from extraction.pipeline.documents.base import Box, Document, Page
    from extraction.pipeline.engines.base import EngineResult, SourceSpan

__all__ = [
    "NO_INFORMATION",
    "NOT_FOUND",
    "FieldMetadata",
    "build_field_metadata",
    "find_unsupported_paths",
    "iter_leaves",
    "leaf_metadata",
    "top_level_reasoning",
]

LOCAL_ENGINE = "local"
NO_INFORMATION = "The document does not contain this information."
# Pages read to estimate OCR quality when a value has no cited words.
OCR_SAMPLE_PAGES = 3
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class FieldMetadata(NamedTuple):
    """What ``build_field_metadata`` returns: the metadata tree, the paths of values nothing
    supports, and the top-level reasoning sentences (also placed in the tree when it is a
    dict; a list-valued field has no dict to hold its sentence, so read it here)."""

    field_metadata: dict[str, Any] | list[Any]
    unsupported_paths: list[str]
    reasoning: dict[str, str]


def build_field_metadata(
    result: EngineResult,
    document: Document,
    config: ExtractConfig,
    *,
    pages: Sequence[int] | None = None,
    schema: dict[str, Any] | None = None,
) -> FieldMetadata:
    """Citations, confidence and reasoning for ``result`` in the shape of ``result.data``.

    In: the engine's result (``data`` in the schema's shape, leaf paths in ``locations``,
    ``quotes``, ``confidences``, per-field ``reasoning``), the loaded document, the job's
    config, and optionally the page numbers the engine saw (LLM quotes are searched there; all
    pages by default) and the data schema (the row schema for PER_TABLE_ROW), which says
    which leaves are enums or booleans: only those may be supported by a quote that does not
    print them. Out: ``FieldMetadata(field_metadata, unsupported_paths, reasoning)``;
    ``field_metadata`` is ``{}`` when no option asks for it. Raises nothing for odd data: a leaf
    that cannot be located is reported as ``not_found``.

    The pipeline calls it once per run, after coercing the data (so values are typed)::

        grounding = build_field_metadata(result, document, config, pages=selected, schema=schema)
        metadata["field_metadata"] = grounding.field_metadata
    """
    wants_grounding = config.wants_citations or config.confidence_scores
    if not (wants_grounding or config.use_reasoning):
        return FieldMetadata({}, [], {})
    groundings: dict[str, Grounding] = {}
    index = PageIndex(document, pages)
    if wants_grounding:
        groundings = ground_leaves(result, index, schema)
    builder = _MetadataBuilder(result, index, config, groundings)
    metadata = builder.node(result.data, "")
    reasoning: dict[str, str] = {}
    if config.use_reasoning:
        if not groundings and _needs_evidence(result):
            # The engine did not explain some values: cite them to say where they were read.
            groundings = ground_leaves(result, index, schema)
        reasoning = top_level_reasoning(result, groundings)
        if isinstance(metadata, dict):
            for name, sentence in reasoning.items():
                entry = metadata.get(name)
                if isinstance(entry, dict):
                    entry["reasoning"] = sentence
    unsupported = [path for path, item in groundings.items() if not item.supported]
    return FieldMetadata(metadata, unsupported, reasoning)


def find_unsupported_paths(
    result: EngineResult,
    document: Document,
    *,
    pages: Sequence[int] | None = None,
    schema: dict[str, Any] | None = None,
) -> list[str]:
    """Leaf paths whose non-null value nothing in the document supports (for PREMIUM's
    verification pass); computed whatever the citation options say. Arguments as for
    ``build_field_metadata``."""
    groundings = ground_leaves(result, PageIndex(document, pages), schema)
    return [path for path, item in groundings.items() if not item.supported]


def leaf_metadata(field_metadata: Any, path: str) -> dict[str, Any] | None:
    """The metadata entry at a leaf path (``items[2].amount``, ``[0].sku``), or None."""
    node = field_metadata
    for key, index in _PATH_PART.findall(path):
        try:
            node = node[int(index)] if index else node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node if isinstance(node, dict) else None


def _needs_evidence(result: EngineResult) -> bool:
    if not isinstance(result.data, dict):
        return False
    return any(
        value not in (None, [], {}) and not (result.reasoning.get(name) or "").strip()
        for name, value in result.data.items()
    )


def top_level_reasoning(result: EngineResult, groundings: dict[str, Grounding]) -> dict[str, str]:
    """One sentence per top-level field: the engine's own, else what the citations show, else
    that the document does not contain the information."""
    if not isinstance(result.data, dict):
        return {name: sentence.strip() for name, sentence in result.reasoning.items() if sentence}
    sentences: dict[str, str] = {}
    for name, value in result.data.items():
        given = (result.reasoning.get(name) or "").strip()
        if given:
            sentences[name] = given
            continue
        leaves = [
            groundings.get(path) for path, leaf in iter_leaves(value, name) if leaf is not None
        ]
        cited = [item for item in leaves if item is not None and item.spans]
        if cited:
            pages = sorted({span.page for item in cited for span in item.spans})
            where = ", ".join(str(page) for page in pages)
            sentences[name] = f"Read from the text on page{'s' if len(pages) > 1 else ''} {where}."
        elif value in (None, [], {}) or not leaves:
            sentences[name] = NO_INFORMATION
        else:
            sentences[name] = "Extracted, but no matching text was found in the document."
    return sentences


class _MetadataBuilder:
    """Builds the metadata tree, reading pages (boxes, OCR confidence) only when needed."""

    def __init__(
        self,
        result: EngineResult,
        index: PageIndex,
        config: ExtractConfig,
        groundings: dict[str, Grounding],
    ) -> None:
        self.result = result
        self.index = index
        self.config = config
        self.groundings = groundings
        self.local = result.engine == LOCAL_ENGINE
        self._ocr_mean: float | None = None
        self._spans_by_page: dict[tuple[str, int, int], SourceSpan] = {
            (path, span.page, span.start): span
            for path, spans in result.locations.items()
            for span in spans
        }

    def node(self, data: Any, path: str) -> Any:
        if isinstance(data, dict):
            return {
                key: self.node(value, f"{path}.{key}" if path else str(key))
                for key, value in data.items()
            }
        if isinstance(data, list):
            return [self.node(value, f"{path}[{i}]") for i, value in enumerate(data)]
        return self.leaf(path)

    def leaf(self, path: str) -> dict[str, Any]:
        grounding = self.groundings.get(path)
        entry: dict[str, Any] = {}
        if grounding is None:
            return entry
        if self.config.wants_citations:
            entry["citation"] = [self.citation(grounding, span) for span in grounding.spans]
            if grounding.value is not None:
                entry["match"] = grounding.match
        if self.config.confidence_scores:
            entry.update(self.confidence(grounding).to_dict())
        return entry

    def citation(self, grounding: Grounding, span: Located) -> dict[str, Any]:
        page = self.index.page(span.page)
        given = self._spans_by_page.get((grounding.path, span.page, span.start))
        boxes: Sequence[Box] = ()
        if given is not None and given.boxes:
            boxes = given.boxes
        elif page.words:
            boxes = page.boxes_for_span(span.start, span.end)
        return {
            "page": span.page,
            "matching_text": page.text[span.start : span.end],
            "bounding_boxes": [box.to_dict() for box in boxes],
            "page_dimensions": {"width": round(page.width, 2), "height": round(page.height, 2)},
            "char_start": span.start,
            "char_end": span.end,
            "match": span.match,
        }

    def confidence(self, grounding: Grounding) -> scoring.LeafConfidence:
        is_null = grounding.value is None
        if self.local:
            extraction = scoring.local_confidence(
                grounding.engine_score,
                is_null=is_null,
                found=bool(grounding.spans),
                group=scoring.local_group(grounding.path, grounding.value),
            )
        else:
            span_score = grounding.spans[0].score if grounding.spans else 0.0
            extraction = scoring.llm_confidence(
                grounding.engine_score,
                is_null=is_null,
                match=grounding.match,
                match_score=span_score,
            )
        return scoring.combine(extraction, self.parsing_confidence(grounding))

    def parsing_confidence(self, grounding: Grounding) -> float:
        """Mean OCR confidence of the cited words; 1.0 for a text layer."""
        scores: list[float] = []
        for span in grounding.spans:
            page = self.index.page(span.page)
            if not page.ocr:
                continue
            scores += _word_confidences(page, span.start, span.end)
        if scores:
            return sum(scores) / len(scores)
        if grounding.spans and not any(self.index.page(s.page).ocr for s in grounding.spans):
            return 1.0
        return self.document_ocr_confidence()

    def document_ocr_confidence(self) -> float:
        """Mean OCR word confidence over the first pages (1.0 when none was OCR'd)."""
        if self._ocr_mean is None:
            scores: list[float] = []
            for number in self.index.numbers[:OCR_SAMPLE_PAGES]:
                page = self.index.page(number)
                if page.ocr:
                    scores += _word_confidences(page, 0, len(page.text))
            self._ocr_mean = sum(scores) / len(scores) if scores else 1.0
        return self._ocr_mean


def _word_confidences(page: Page, start: int, end: int) -> list[float]:
    return [
        word.confidence for word in page.words_in_span(start, end) if word.confidence is not None
    ]
