"""Ground truth recorded while a document is drawn: the expected JSON and one meta entry per leaf.

A builder calls ``Truth.put(path, rendered, page=..)`` at the moment it prints a value, so the
page and the exact printed text can never drift from the document. ``Truth.finish`` checks the
result against the schema: every property present, every leaf recorded once, the expected
value valid.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema

_TOKEN = re.compile(r"\[(\d+)\]|\.?([A-Za-z_][A-Za-z0-9_]*)")


def path_tokens(path: str) -> list[str | int]:
    """``"line_items[2].amount"`` -> ``["line_items", 2, "amount"]``;
    ``"[3].sku"`` -> ``[3, "sku"]``."""
    tokens: list[str | int] = []
    for index, name in _TOKEN.findall(path):
        tokens.append(int(index) if index else name)
    return tokens


def leaf_kind(schema: dict) -> str:
    types = schema.get("type")
    types = set(types) if isinstance(types, list) else {types}
    if "object" in types:
        return "object"
    if "array" in types:
        return "array"
    if schema.get("format") == "date":
        return "date"
    if "enum" in schema:
        return "enum"
    if types & {"number", "integer"}:
        return "number"
    if "boolean" in types:
        return "boolean"
    return "string"


class Truth:
    """Expected values and their printed form, built one leaf at a time."""

    def __init__(self, rows: bool = False):
        self.expected: Any = [] if rows else {}
        self.fields: list[dict[str, Any]] = []

    def put(self, path: str, rendered: str, *, page: int, value: Any = ...) -> None:
        """Record a printed leaf. ``value`` defaults to ``rendered`` with its lines joined by
        ', ' (how the schemas ask for multi-line addresses)."""
        if value is ...:
            value = ", ".join(line.strip() for line in rendered.split("\n"))
        self._set(path, value)
        self.fields.append({"path": path, "page": page, "rendered": rendered})

    def null(self, path: str) -> None:
        """Record a leaf the document does not print (expected ``null``)."""
        self._set(path, None)
        self.fields.append({"path": path, "page": None, "rendered": None})

    def _set(self, path: str, value: Any) -> None:
        tokens = path_tokens(path)
        node = self.expected
        for token, following in zip(tokens, tokens[1:], strict=False):
            blank: Any = [] if isinstance(following, int) else {}
            if isinstance(token, int):
                if token == len(node):
                    node.append(blank)
                node = node[token]
            else:
                node = node.setdefault(token, blank)
        last = tokens[-1]
        if isinstance(last, int):
            if last != len(node):
                raise ValueError(f"{path}: array items must be recorded in order")
            node.append(value)
        else:
            if last in node:
                raise ValueError(f"{path} recorded twice")
            node[last] = value

    def finish(self, schema: dict) -> tuple[Any, list[dict[str, Any]]]:
        """(expected, meta fields) ordered as the schema lists its properties; raises
        ``ValueError`` when a property is missing or the expected value breaks the schema."""
        kinds: dict[str, str] = {}
        if isinstance(self.expected, list):
            expected = [
                _ordered(schema, row, f"[{i}]", kinds) for i, row in enumerate(self.expected)
            ]
            for row in expected:
                jsonschema.validate(row, schema)
        else:
            expected = _ordered(schema, self.expected, "", kinds)
            jsonschema.validate(expected, schema)
        recorded = [field["path"] for field in self.fields]
        if sorted(recorded) != sorted(kinds):
            raise ValueError(f"leaves and records differ: {set(kinds) ^ set(recorded)}")
        for field in self.fields:
            field["kind"] = kinds[field["path"]]
        return expected, self.fields


def _ordered(schema: dict, value: Any, path: str, kinds: dict[str, str]) -> Any:
    """``value`` with object keys in schema order; fills ``kinds`` with every leaf path."""
    kind = leaf_kind(schema)
    if kind == "object" and value is not None:
        missing = set(schema["properties"]) - set(value)
        if missing:
            raise ValueError(f"{path or 'document'}: no value recorded for {sorted(missing)}")
        return {
            key: _ordered(sub, value[key], f"{path}.{key}" if path else key, kinds)
            for key, sub in schema["properties"].items()
        }
    if kind == "array" and value is not None:
        return [
            _ordered(schema["items"], item, f"{path}[{i}]", kinds) for i, item in enumerate(value)
        ]
    kinds[path] = kind
    return value
