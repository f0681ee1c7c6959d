"""Shapes a run's result for the web pages: a display tree of every field, flags, citation
boxes and text highlights.

Pure functions over plain data (``run.data``, ``run.extraction_metadata`` and the schema the run
had); no ORM, no HTTP. ``field_metadata`` mirrors the data: a dict per object, a list per array,
and per leaf a dict with ``citation`` (page, boxes in PDF points with a top-left origin,
``page_dimensions``), ``confidence`` and ``match``.

Given the schema, the tree shows every field it names, in its order: a field the run did not
find is a leaf with no value (``not_found``) and the reason when one is known, never a gap.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

from extraction.pipeline.jsonpath import join_path
from extraction.web.schema_shape import array_items, object_properties

LEAF_KEYS = frozenset({"citation", "confidence", "match", "extraction_confidence"})
HIGH_CONFIDENCE = 0.85
MEDIUM_CONFIDENCE = 0.6


@dataclass
class Leaf:
    """One value (or its absence) with what the run knows about it: confidence, match, cited
    pages, whether the schema requires it, and what is wrong with it."""

    path: str
    value: Any
    confidence: float | None = None
    match: str | None = None
    pages: list[int] = field(default_factory=list)
    cited: bool = False  # citations were requested for this run
    reasoning: str = ""
    required: bool = False
    schema_problem: str = ""  # the value's validation error against the schema, if any
    pages_read: str = ""  # "1-3" when the run read only some pages

    kind = "leaf"

    @property
    def display(self) -> str:
        if self.value is None:
            return "not found"
        if isinstance(self.value, bool):
            return "Yes" if self.value else "No"
        if isinstance(self.value, (dict, list)):
            return json.dumps(self.value, ensure_ascii=False)
        return str(self.value)

    @property
    def is_null(self) -> bool:
        return self.value is None

    @property
    def not_found(self) -> bool:
        return self.value is None

    @property
    def reason(self) -> str:
        """Why there is no value, when the run says (empty for a value that was found)."""
        if self.value is not None:
            return ""
        if self.reasoning:
            return self.reasoning
        if self.schema_problem:
            return f"The value found does not fit the schema: {self.schema_problem}"
        where = f"on the pages read ({self.pages_read})" if self.pages_read else "in the document"
        return f"{'Required, but not' if self.required else 'Not'} found {where}."

    @property
    def confidence_level(self) -> str:
        if self.confidence is None:
            return ""
        if self.confidence >= HIGH_CONFIDENCE:
            return "high"
        return "medium" if self.confidence >= MEDIUM_CONFIDENCE else "low"

    @property
    def confidence_percent(self) -> int | None:
        return None if self.confidence is None else round(self.confidence * 100)

    @property
    def unsupported(self) -> bool:
        """A value that nothing in the document backs (only judged when citations were asked)."""
        if not self.cited or self.value is None:
            return False
        return self.match == "not_found" or not self.pages

    @property
    def flags(self) -> list[str]:
        """Why this field needs a person's review; empty when nothing is wrong."""
        found: list[str] = []
        if self.value is None and self.required:
            found.append("required but not found")
        if self.unsupported:
            found.append("not found in the document")
        if self.value is not None and self.confidence_level == "low":
            found.append(f"low confidence ({self.confidence_percent}%)")
        if self.schema_problem:
            found.append("does not fit the schema")
        return found

    @property
    def needs_review(self) -> bool:
        return bool(self.flags)

    @property
    def page(self) -> int | None:
        """The first page the value was cited on."""
        return self.pages[0] if self.pages else None


@dataclass
class ObjectNode:
    """An object: its fields in order, each a display node."""

    path: str
    fields: list[tuple[str, Any]]  # (key, node)
    reasoning: str = ""
    kind = "object"


@dataclass
class ListNode:
    """An array of values (arrays of objects are ``TableNode``s); empty: none were found."""

    path: str
    items: list[Any]
    kind = "list"


@dataclass
class TableNode:
    """An array of objects as a table: one row per item, one column per field (the schema's
    fields first, then any other key seen)."""

    path: str
    columns: list[str]
    rows: list[list[Any]]  # cells are nodes
    kind = "table"


def _child_meta(meta: Any, key: str | int) -> Any:
    if isinstance(key, int):
        return meta[key] if isinstance(meta, list) and 0 <= key < len(meta) else None
    return meta.get(key) if isinstance(meta, dict) and not _is_leaf_meta(meta) else None


def _is_leaf_meta(meta: Any) -> bool:
    return isinstance(meta, dict) and bool(LEAF_KEYS & meta.keys())


def _reasoning(meta: Any) -> str:
    value = meta.get("reasoning") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else ""


_POINTER_PROBLEM = re.compile(r"^(?:\[(\d+)\])?(/[^:]*): (.*)$", re.S)
_REQUIRED_MESSAGE = re.compile(r"^'(.+)' is a required property$")


def problem_paths(validation_errors: Any) -> dict[str, str]:
    """The run's ``validation_errors`` (``"[i]/pointer: message"``) by leaf path."""
    problems: dict[str, str] = {}
    for text in validation_errors if isinstance(validation_errors, list) else []:
        match = _POINTER_PROBLEM.match(str(text))
        if match is None:
            continue
        index, pointer, message = match.groups()
        path = f"[{index}]" if index is not None else ""
        for token in [t for t in pointer.split("/") if t]:
            part = token.replace("~1", "/").replace("~0", "~")
            path = join_path(path, int(part)) if part.isdigit() else join_path(path, part)
        required = _REQUIRED_MESSAGE.match(message)
        if required:
            path, message = join_path(path, required.group(1)), "required"
        problems.setdefault(path, message)
    return problems


@dataclass(frozen=True)
class _Context:
    cited: bool
    problems: dict[str, str]
    pages_read: str


def result_tree(
    data: Any,
    field_metadata: Any,
    *,
    cited: bool = False,
    schema: Any = None,
    problems: dict[str, str] | None = None,
    pages_read: str = "",
) -> Any:
    """A display node for ``data``: objects list their fields, arrays of objects become tables.

    With ``schema`` every field it names is shown, found or not (a list result is a list of
    what the schema describes). ``problems`` (``problem_paths``) and ``pages_read`` explain
    missing values.
    """
    context = _Context(cited=cited, problems=problems or {}, pages_read=pages_read)
    if isinstance(data, list) and object_properties(schema) is not None:
        schema = {"type": "array", "items": schema}
    return _node(data, field_metadata, schema, "", False, context)


def _node(data: Any, meta: Any, schema: Any, path: str, required: bool, ctx: _Context) -> Any:
    shape = object_properties(schema)
    items = array_items(schema)
    if isinstance(data, dict) or (data is None and shape is not None and items is None):
        return _object(data or {}, meta, shape, path, ctx)
    if isinstance(data, list) or (data is None and items is not None):
        return _array(data or [], meta, items, path, ctx)
    leaf_meta = meta if _is_leaf_meta(meta) else {}
    confidence = leaf_meta.get("confidence")
    citations = leaf_meta.get("citation") or []
    return Leaf(
        path=path,
        value=data,
        confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
        match=leaf_meta.get("match"),
        pages=sorted(
            {c["page"] for c in citations if isinstance(c, dict) and isinstance(c.get("page"), int)}
        ),
        cited=ctx.cited,
        reasoning=_reasoning(meta),
        required=required,
        schema_problem=ctx.problems.get(path, "") if data is not None else "",
        pages_read=ctx.pages_read,
    )


def _object(
    data: dict[str, Any],
    meta: Any,
    shape: tuple[dict[str, Any], set[str]] | None,
    path: str,
    ctx: _Context,
) -> ObjectNode:
    properties, required = shape if shape is not None else ({}, set())
    keys = [*properties, *(key for key in data if key not in properties)]
    fields = []
    for key in keys:
        child_path = join_path(path, key)
        child_required = key in required or ctx.problems.get(child_path) == "required"
        fields.append(
            (
                key,
                _node(
                    data.get(key),
                    _child_meta(meta, key),
                    properties.get(key),
                    child_path,
                    child_required,
                    ctx,
                ),
            )
        )
    return ObjectNode(path=path, fields=fields, reasoning=_reasoning(meta))


def _array(
    data: list[Any], meta: Any, items: dict[str, Any] | None, path: str, ctx: _Context
) -> Any:
    children = [
        _node(item, _child_meta(meta, index), items, join_path(path, index), False, ctx)
        for index, item in enumerate(data)
    ]
    shape = object_properties(items)
    if data and all(isinstance(item, dict) for item in data):
        named = list(shape[0]) if shape is not None else []
        columns = list(dict.fromkeys([*named, *(key for item in data for key in item)]))
        rows = [
            [
                dict(child.fields).get(column)
                or Leaf(path=join_path(child.path, column), value=None, pages_read=ctx.pages_read)
                for column in columns
            ]
            for child in children
        ]
        return TableNode(path=path, columns=columns, rows=rows)
    return ListNode(path=path, items=children)


def iter_leaves(node: Any) -> list[Leaf]:
    """Every leaf of a display tree, in document order."""
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, ObjectNode):
        return [leaf for _, child in node.fields for leaf in iter_leaves(child)]
    if isinstance(node, ListNode):
        return [leaf for child in node.items for leaf in iter_leaves(child)]
    if isinstance(node, TableNode):
        return [leaf for row in node.rows for cell in row for leaf in iter_leaves(cell)]
    return []


def _walk_leaf_meta(data: Any, meta: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk_leaf_meta(value, _child_meta(meta, key), join_path(path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk_leaf_meta(value, _child_meta(meta, index), join_path(path, index))
    elif _is_leaf_meta(meta):
        yield path, meta


def has_citations(data: Any, field_metadata: Any) -> bool:
    """Whether any value carries citation metadata (the run located its values)."""
    return any("citation" in meta for _, meta in _walk_leaf_meta(data, field_metadata))


def citation_boxes(data: Any, field_metadata: Any) -> dict[int, list[dict[str, Any]]]:
    """Boxes per page as percentages of the page, so they scale with the rendered image."""
    pages: dict[int, list[dict[str, Any]]] = {}
    for path, meta in _walk_leaf_meta(data, field_metadata):
        for citation in meta.get("citation") or []:
            if not isinstance(citation, dict):
                continue
            page = citation.get("page")
            dims = citation.get("page_dimensions") or {}
            width, height = dims.get("width"), dims.get("height")
            if not page or not width or not height:
                continue
            for box in citation.get("bounding_boxes") or []:
                try:
                    left = float(box["x"]) / width * 100
                    top = float(box["y"]) / height * 100
                    box_width = float(box["w"]) / width * 100
                    box_height = float(box["h"]) / height * 100
                except (KeyError, TypeError, ValueError):
                    continue
                pages.setdefault(int(page), []).append(
                    {
                        "path": path,
                        "left": round(left, 3),
                        "top": round(top, 3),
                        "width": round(max(box_width, 0.4), 3),
                        "height": round(max(box_height, 0.4), 3),
                        "text": str(citation.get("matching_text") or "")[:200],
                    }
                )
    return pages


def text_segments(
    text: str, data: Any, field_metadata: Any, *, page: int | None = None
) -> list[tuple[str, str | None]]:
    """Text cut into ``(segment, path)`` pieces, ``path`` set where a value is cited.

    ``page``: the text is that page of a document, and only citations of that page count.
    A span is used only when its offsets point at its quoted text, so offsets measured on a
    differently normalised text never highlight the wrong words. Overlapping spans keep the
    first.
    """
    spans: list[tuple[int, int, str]] = []
    for path, meta in _walk_leaf_meta(data, field_metadata):
        for citation in meta.get("citation") or []:
            if not isinstance(citation, dict):
                continue
            if page is not None and citation.get("page") != page:
                continue
            start, end = citation.get("char_start"), citation.get("char_end")
            if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
                continue
            quoted = citation.get("matching_text")
            if end <= len(text) and (not quoted or text[start:end] == quoted):
                spans.append((start, end, path))
    segments: list[tuple[str, str | None]] = []
    position = 0
    for start, end, path in sorted(spans):
        if start < position:
            continue
        if start > position:
            segments.append((text[position:start], None))
        segments.append((text[start:end], path))
        position = end
    if position < len(text):
        segments.append((text[position:], None))
    return segments
