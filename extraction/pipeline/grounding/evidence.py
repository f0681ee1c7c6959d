"""The evidence for each leaf of an engine result: where in the document its value is printed.

Values an engine located (``EngineResult.locations``) keep the engine's span, checked to show
the value; the others are searched from the LLM's quote or the value (``locate``). Fields of
one object or array item are printed near each other, so each object is first anchored where
its fields' printings cluster, and each field is then cited at its printing nearest the anchor.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from extraction.pipeline.grounding.locate import (
    Located,
    PageIndex,
    holds,
    locate,
    narrow_to_value,
    occurrences,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from extraction.pipeline.engines.base import EngineResult

NOT_FOUND = "not_found"
# Sibling anchoring costs, in characters of page text: a sibling not printed on the page, a
# place before the previous array item's.
ANCHOR_MISSING_COST = 5_000.0
ANCHOR_ORDER_COST = 200.0
# A place printed differently from the quote (case, spacing) is weaker evidence than a verbatim one.
ANCHOR_INEXACT_COST = 150.0
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_PARENT = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


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


def ground_leaves(
    result: EngineResult, index: PageIndex, schema: dict[str, Any] | None = None
) -> dict[str, Grounding]:
    """The evidence for every leaf of ``result.data``, by path, in the data's order.

    Siblings (the fields of one array item or object) are printed near each other: each
    object is anchored where its fields' printings cluster (``_sibling_anchors``), and each
    field is cited at its printing closest to the anchor, so a quantity "1" is cited in its
    own table row, not at the first "1" of the page. Without an anchor, the leaf with the
    longest quote is located first and anchors its siblings.
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
        derivable = is_derivable(leaf_schema(schema, path), value) if schema else None
        grounding = ground_leaf(
            result, index, path, value, near=anchors.get(parent), derivable=derivable
        )
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
        # The cluster holds one printing of every field, so trying the rarest field's
        # printings as its centre finds it without trying every pair.
        rarest = min(range(len(members)), key=lambda i: len(members[i]))
        others = [_by_page(places) for i, places in enumerate(members) if i != rarest]
        best: tuple[float, Located] | None = None
        for place in members[rarest]:
            cost = sum(_distance(pages, place) for pages in others)
            if place.match != "exact":
                cost += ANCHOR_INEXACT_COST
            if previous is not None and (place.page, place.start) < (previous.page, previous.start):
                cost += ANCHOR_ORDER_COST
            if best is None or cost < best[0]:
                best = (cost, place)
        if best is not None:
            anchors[parent] = previous = best[1]
    return anchors


def _by_page(places: list[Located]) -> dict[int, tuple[list[int], list[float]]]:
    """Printings per page as sorted starts with their cost (inexact ones cost more)."""
    pages: dict[int, list[tuple[int, float]]] = {}
    for place in places:
        penalty = 0.0 if place.match == "exact" else ANCHOR_INEXACT_COST
        pages.setdefault(place.page, []).append((place.start, penalty))
    return {
        page: ([start for start, _ in sorted(items)], [cost for _, cost in sorted(items)])
        for page, items in pages.items()
    }


def _distance(pages: dict[int, tuple[list[int], list[float]]], place: Located) -> float:
    """Characters from ``place`` to the nearest printing on its page (plus its penalty)."""
    if place.page not in pages:
        return ANCHOR_MISSING_COST
    starts, penalties = pages[place.page]
    at = bisect_left(starts, place.start)
    near = [i for i in (at - 1, at) if 0 <= i < len(starts)]
    return min(abs(starts[i] - place.start) + penalties[i] for i in near)


def ground_leaf(
    result: EngineResult,
    index: PageIndex,
    path: str,
    value: Any,
    *,
    near: Located | None = None,
    derivable: bool | None = None,
) -> Grounding:
    """The evidence for one leaf: the engine's own locations when it gave any, otherwise a
    search for the LLM's quote or the value (closest to ``near`` when it is printed twice;
    ``derivable`` as for ``locate``)."""
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
    found, _ = locate(index, value, result.quotes.get(path), near=near, derivable=derivable)
    match = found[0].match if found else NOT_FOUND
    return Grounding(path, value, found, match, engine_score, False)


def leaf_schema(schema: dict[str, Any] | None, path: str) -> dict[str, Any] | None:
    """The schema of the leaf at ``path`` (``items[2].amount``; ``[3].sku`` against a row
    schema), or None when the path leaves the schema."""
    node: Any = schema
    for key, position in _PATH_PART.findall(path):
        node = _concrete(node)
        if not isinstance(node, dict):
            return None
        if position:
            if "items" in node:
                node = node["items"]
            # A list result's paths start with [i] against the row schema itself.
            elif not (node.get("properties") and path.startswith(f"[{position}]")):
                return None
        else:
            node = (node.get("properties") or {}).get(key)
    node = _concrete(node)
    return node if isinstance(node, dict) else None


def is_derivable(leaf: dict[str, Any] | None, value: Any) -> bool | None:
    """Whether ``value`` may be read from text that does not print it: one of its leaf's enum
    members or a boolean yes, anything else no, unknown (None) without a leaf schema."""
    if leaf is None:
        return None
    if "enum" in leaf:
        return value in leaf["enum"]
    types = leaf.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    return "boolean" in types or ("const" in leaf and leaf["const"] == value)


def _concrete(node: Any) -> Any:
    """The non-null branch of ``anyOf``/``oneOf`` (nullable fields), else the node."""
    if isinstance(node, dict):
        for key in ("anyOf", "oneOf"):
            options = [o for o in node.get(key) or [] if o.get("type") != "null"]
            if options:
                return options[0]
    return node


def _checked_engine_span(index: PageIndex, value: Any, span: Located) -> Located:
    """The engine's span (cut down to the value when it also holds a label or a sentence),
    or, when its text does not show the value (an engine offset off by a few words), the
    value's closest printing on the same page. Kept as given when the value is not printed as
    such there (an enum code)."""
    if holds(value, index.text(span.page)[span.start : span.end], index):
        return narrow_to_value(index, value, [span])[0]
    found, _ = locate(index.restricted([span.page]), value, None, near=span)
    if not found:
        return span
    return Located(span.page, found[0].start, found[0].end, span.match, span.score)
