"""Shapes a run's result for the web pages: a display tree, citation boxes, CSV rows, curl.

Pure functions over plain data (``run.data`` and ``run.extraction_metadata``); no ORM, no HTTP.
``field_metadata`` mirrors the data: a dict per object, a list per array, and per leaf a dict
with ``citation`` (page, boxes in PDF points with a top-left origin, ``page_dimensions``),
``confidence`` and ``match``.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from extraction.pipeline.jsonpath import join_path

LEAF_KEYS = frozenset({"citation", "confidence", "match", "extraction_confidence"})
HIGH_CONFIDENCE = 0.85
MEDIUM_CONFIDENCE = 0.6


@dataclass
class Leaf:
    """One value with what the run knows about it: confidence, match and cited pages."""

    path: str
    value: Any
    confidence: float | None = None
    match: str | None = None
    pages: list[int] = field(default_factory=list)
    cited: bool = False  # citations were requested for this run
    reasoning: str = ""

    kind = "leaf"

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, bool):
            return "Yes" if self.value else "No"
        if isinstance(self.value, (dict, list)):
            return json.dumps(self.value, ensure_ascii=False)
        return str(self.value)

    @property
    def is_null(self) -> bool:
        return self.value is None

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


@dataclass
class ObjectNode:
    """An object: its fields in order, each a display node."""

    path: str
    fields: list[tuple[str, Any]]  # (key, node)
    reasoning: str = ""
    kind = "object"


@dataclass
class ListNode:
    """An array of values (arrays of objects are ``TableNode``s)."""

    path: str
    items: list[Any]
    kind = "list"


@dataclass
class TableNode:
    """An array of objects as a table: one row per item, one column per key seen."""

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


def _leaf(path: str, value: Any, meta: Any, cited: bool) -> Leaf:
    reasoning = _reasoning(meta)
    meta = meta if _is_leaf_meta(meta) else {}
    confidence = meta.get("confidence")
    citations = meta.get("citation") or []
    pages = sorted({c["page"] for c in citations if isinstance(c, dict) and c.get("page")})
    return Leaf(
        path=path,
        value=value,
        confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
        match=meta.get("match"),
        pages=pages,
        cited=cited,
        reasoning=reasoning,
    )


def _reasoning(meta: Any) -> str:
    value = meta.get("reasoning") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else ""


def result_tree(data: Any, field_metadata: Any, *, cited: bool = False, path: str = "") -> Any:
    """A display node for ``data``: objects list their fields, arrays of objects become tables."""
    if isinstance(data, dict):
        return ObjectNode(
            path=path,
            fields=[
                (
                    key,
                    result_tree(
                        value,
                        _child_meta(field_metadata, key),
                        cited=cited,
                        path=join_path(path, key),
                    ),
                )
                for key, value in data.items()
            ],
            reasoning=_reasoning(field_metadata),
        )
    if isinstance(data, list):
        children = [
            result_tree(
                item, _child_meta(field_metadata, index), cited=cited, path=join_path(path, index)
            )
            for index, item in enumerate(data)
        ]
        if data and all(isinstance(item, dict) for item in data):
            columns = list(dict.fromkeys(key for item in data for key in item))
            rows = []
            for child in children:
                by_key = dict(child.fields)
                rows.append(
                    [
                        by_key.get(column) or Leaf(path=join_path(child.path, column), value=None)
                        for column in columns
                    ]
                )
            return TableNode(path=path, columns=columns, rows=rows)
        return ListNode(path=path, items=children)
    return _leaf(path, data, field_metadata, cited)


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


def _walk_leaf_meta(data: Any, meta: Any, path: str = ""):  # noqa: ANN202 - a generator
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


def _flatten(value: Any, prefix: str, row: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else key, row)
    elif isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            row[prefix] = "; ".join("" if item is None else str(item) for item in value)
        else:
            row[prefix] = json.dumps(value, ensure_ascii=False)
    else:
        row[prefix] = value


def csv_rows(data: Any) -> list[dict[str, Any]]:
    """Rows for a CSV download.

    A list (per-page or per-row targets) gives one row per item. An object with an array of
    objects (an invoice's line items) gives one row per item, the object's other values
    repeated on each row and the item's keys prefixed with the array's name; any further
    arrays are kept as JSON text. Anything else is one row.
    """
    if isinstance(data, list):
        rows = []
        for item in data:
            row: dict[str, Any] = {}
            _flatten(item if isinstance(item, dict) else {"value": item}, "", row)
            rows.append(row)
        return rows
    if not isinstance(data, dict):
        return [{"value": data}]
    table_key = next(
        (
            key
            for key, value in data.items()
            if isinstance(value, list) and value and all(isinstance(i, dict) for i in value)
        ),
        None,
    )
    base: dict[str, Any] = {}
    _flatten({k: v for k, v in data.items() if k != table_key}, "", base)
    if table_key is None:
        return [base]
    rows = []
    for item in data[table_key]:
        row = dict(base)
        _flatten(item, table_key, row)
        rows.append(row)
    return rows


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: Any) -> Any:
    """A value safe to open in a spreadsheet: text that would start a formula gets a leading
    apostrophe (shown as text, not run); numbers and booleans are left as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(data: Any) -> str:
    """``csv_rows(data)`` as CSV text with a header of every column seen; document text (and
    the column names made from the schema) is escaped with ``csv_cell``."""
    rows = csv_rows(data)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(column) for column in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def curl_command(
    *,
    url: str,
    data_schema: dict[str, Any],
    config: dict[str, Any],
    file_name: str | None,
    mime_type: str | None,
    text: str | None,
) -> str:
    """A shell command repeating the job through ``POST /api/v1/extraction/run``.

    A file travels base64-encoded, read from the file name at run time rather than pasted in.
    """
    body: dict[str, Any] = {"config": config, "data_schema": data_schema}
    if file_name is None:
        body["text"] = text or ""
        payload = shlex.quote(json.dumps(body, indent=2, ensure_ascii=False))
        data_arg = f"-d {payload}"
    else:
        body["file"] = {"data": "__FILE_DATA__", "mime_type": mime_type or ""}
        encoded = json.dumps(body, indent=2, ensure_ascii=False)
        before, after = encoded.split('"__FILE_DATA__"')
        data_arg = (
            f'-d {shlex.quote(before)}"\\"$(base64 -w0 {shlex.quote(file_name)})\\""'
            f"{shlex.quote(after)}"
        )
    return (
        f"curl -X POST {shlex.quote(url)} \\\n"
        '  -H "Authorization: Bearer $OPENEXTRACT_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f"  {data_arg}"
    )


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
