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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from extraction import confidence as scoring
from extraction.config import ExtractConfig
from extraction.documents.base import Box, Document, Page
from extraction.engines.base import EngineResult, SourceSpan
from extraction.grounding.locate import Located, PageIndex, holds, locate, occurrences

NOT_FOUND = "not_found"
LOCAL_ENGINE = "local"
NO_INFORMATION = "The document does not contain this information."
# Pages read to estimate OCR quality when a value has no cited words.
OCR_SAMPLE_PAGES = 20
# Sibling anchoring costs, in characters of page text: a sibling not printed on the page, a
# place before the previous array item's.
ANCHOR_MISSING_COST = 5_000.0
ANCHOR_ORDER_COST = 200.0
# A place printed differently from the quote (case, spacing) is weaker evidence than a verbatim one.
ANCHOR_INEXACT_COST = 150.0
_PARENT = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class FieldMetadata(NamedTuple):
    """What ``build_field_metadata`` returns: the metadata tree, the paths of values nothing
    supports, and the top-level reasoning sentences (also placed in the tree when it is a
    dict; a list-valued field has no dict to hold its sentence, so read it here)."""

    field_metadata: dict[str, Any] | list[Any]
    unsupported_paths: list[str]
    reasoning: dict[str, str]


@dataclass(slots=True)
class Grounding:
    """The evidence for one leaf."""

    path: str
    value: Any
    spans: list[Located]
    match: str  # exact | normalized | fuzzy | value | not_found | "" for a null value
    engine_score: float | None
    located_by_engine: bool

    @property
    def supported(self) -> bool:
        return self.value is None or bool(self.spans)


def build_field_metadata(
    result: EngineResult,
    document: Document,
    config: ExtractConfig,
    *,
    pages: Sequence[int] | None = None,
) -> FieldMetadata:
    """Citations, confidence and reasoning for ``result`` in the shape of ``result.data``.

    In: the engine's result (``data`` in the schema's shape, leaf paths in ``locations``,
    ``quotes``, ``confidences``, per-field ``reasoning``), the loaded document, the job's
    config, and optionally the page numbers the engine saw (LLM quotes are searched there; all
    pages by default). Out: ``FieldMetadata(field_metadata, unsupported_paths, reasoning)``;
    ``field_metadata`` is ``{}`` when no option asks for it. Raises nothing for odd data: a leaf
    that cannot be located is reported as ``not_found``.
    """
    wants_grounding = config.wants_citations or config.confidence_scores
    if not (wants_grounding or config.use_reasoning):
        return FieldMetadata({}, [], {})
    groundings: dict[str, Grounding] = {}
    index = PageIndex(document, pages)
    if wants_grounding:
        groundings = ground_leaves(result, index)
    builder = _MetadataBuilder(result, index, config, groundings)
    metadata = builder.node(result.data, "")
    reasoning: dict[str, str] = {}
    if config.use_reasoning:
        if not groundings and _needs_evidence(result):
            # The engine did not explain some values: cite them to say where they were read.
            groundings = ground_leaves(result, index)
        reasoning = top_level_reasoning(result, groundings)
        if isinstance(metadata, dict):
            for name, sentence in reasoning.items():
                entry = metadata.get(name)
                if isinstance(entry, dict):
                    entry["reasoning"] = sentence
    unsupported = [path for path, item in groundings.items() if not item.supported]
    return FieldMetadata(metadata, unsupported, reasoning)


def find_unsupported_paths(
    result: EngineResult, document: Document, *, pages: Sequence[int] | None = None
) -> list[str]:
    """Leaf paths whose non-null value nothing in the document supports (for PREMIUM's
    verification pass); computed whatever the citation options say."""
    groundings = ground_leaves(result, PageIndex(document, pages))
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


def iter_leaves(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(path, value)`` for every leaf: ``a.b``, ``items[2].amount``, ``tags[0]``, ``[3].sku``
    for a top-level list. Empty objects and arrays have no leaves."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from iter_leaves(value, f"{prefix}[{i}]")
    else:
        yield prefix, data


def ground_leaves(result: EngineResult, index: PageIndex) -> dict[str, Grounding]:
    """The evidence for every leaf of ``result.data``, by path, in the data's order.

    Siblings (the fields of one array item or object) are printed near each other, so the
    leaf with the longest quote in each parent is located first and the others prefer the
    occurrence closest to it: a quantity "1" is cited in its own table row, not the first "1"
    of the page.
    """
    leaves = list(iter_leaves(result.data))

    def evidence_length(item: tuple[str, Any]) -> int:
        path, value = item
        if result.locations.get(path):
            return 1_000_000
        return len(result.quotes.get(path) or ("" if value is None else str(value)))

    anchors = _sibling_anchors(result, index, leaves)
    found: dict[str, Grounding] = {}
    for path, value in sorted(leaves, key=evidence_length, reverse=True):
        parent = _PARENT.sub("", path)
        grounding = ground_leaf(result, index, path, value, near=anchors.get(parent))
        if parent and grounding.spans and parent not in anchors:
            anchors[parent] = grounding.spans[0]
        found[path] = grounding
    return {path: found[path] for path, _ in leaves}


def _sibling_anchors(
    result: EngineResult, index: PageIndex, leaves: list[tuple[str, Any]]
) -> dict[str, Located]:
    """For each object with several leaves to search, the place its fields are printed
    together: the occurrence of one field with the other fields' occurrences closest to it.

    A recurring bank-statement description is printed on many rows, but with this row's date
    and amount only once. Ties go to the place after the previous object's (items are printed
    in order).
    """
    groups: dict[str, list[list[Located]]] = {}
    for path, value in leaves:
        parent = _PARENT.sub("", path)
        if not parent or value is None or result.locations.get(path):
            continue
        places = occurrences(index, value, result.quotes.get(path))
        if places:
            groups.setdefault(parent, []).append(places)
    anchors: dict[str, Located] = {}
    previous: Located | None = None
    for parent, members in groups.items():
        if len(members) < 2:
            continue
        best: tuple[float, Located] | None = None
        for i, places in enumerate(members):
            for place in places:
                cost = 0.0
                for j, others in enumerate(members):
                    if j == i:
                        continue
                    same_page = [
                        abs(o.start - place.start)
                        + (0 if o.match == "exact" else ANCHOR_INEXACT_COST)
                        for o in others
                        if o.page == place.page
                    ]
                    cost += min(same_page) if same_page else ANCHOR_MISSING_COST
                if place.match != "exact":
                    cost += ANCHOR_INEXACT_COST
                if previous is not None and (place.page, place.start) < (
                    previous.page,
                    previous.start,
                ):
                    cost += ANCHOR_ORDER_COST
                if best is None or cost < best[0]:
                    best = (cost, place)
        if best is not None:
            anchors[parent] = previous = best[1]
    return anchors


def ground_leaf(
    result: EngineResult, index: PageIndex, path: str, value: Any, *, near: Located | None = None
) -> Grounding:
    """The evidence for one leaf: the engine's own locations when it gave any, otherwise a
    search for the LLM's quote or the value (closest to ``near`` when it is printed twice)."""
    engine_score = result.confidences.get(path)
    if value is None:
        return Grounding(path, value, [], "", engine_score, False)
    spans = [
        Located(span.page, span.start, span.end, span.match, span.score)
        for span in result.locations.get(path, [])
        if span.match != NOT_FOUND and span.page in index.numbers
    ]
    if spans:
        spans = [_checked_engine_span(index, value, span) for span in spans]
        return Grounding(path, value, spans, spans[0].match, engine_score, True)
    found, _ = locate(index, value, result.quotes.get(path), near=near)
    match = found[0].match if found else NOT_FOUND
    return Grounding(path, value, found, match, engine_score, False)


def _checked_engine_span(index: PageIndex, value: Any, span: Located) -> Located:
    """The engine's span, or, when its text does not show the value (an engine offset off by
    a few words), the value's closest printing on the same page. Kept as given when the value
    is not printed as such there (an enum code)."""
    if holds(value, index.text(span.page)[span.start : span.end]):
        return span
    found, _ = locate(index.restricted([span.page]), value, None, near=span)
    if not found:
        return span
    return Located(span.page, found[0].start, found[0].end, span.match, span.score)


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
    ):
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
