"""The shape a ``data_schema`` promises, for showing every field it names (found or not).

Pure functions over a schema with its ``$ref``s inlined (``schema_for_display``). A property is
an object when its schema (or one ``anyOf``/``oneOf`` branch, as nullable objects are written)
has ``properties``, and an array when it has ``items``; anything else is a leaf.
"""

from __future__ import annotations

from typing import Any

from extraction.pipeline.jsonpath import join_path, parse_path
from extraction.pipeline.schemas import SchemaError, load_schema


def schema_for_display(data_schema: Any) -> dict[str, Any]:
    """``data_schema`` with its ``$ref``s inlined; ``{}`` (no promise) when it cannot be read."""
    if not isinstance(data_schema, dict) or not data_schema:
        return {}
    try:
        return load_schema(data_schema)
    except (SchemaError, ValueError, RecursionError):
        return {}


def _branches(schema: Any) -> list[dict[str, Any]]:
    if not isinstance(schema, dict):
        return []
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(alternatives, list):
        return [schema, *(alt for alt in alternatives if isinstance(alt, dict))]
    return [schema]


def object_properties(schema: Any) -> tuple[dict[str, Any], set[str]] | None:
    """``(properties, required names)`` when ``schema`` describes an object, else None."""
    for branch in _branches(schema):
        properties = branch.get("properties")
        if isinstance(properties, dict):
            required = branch.get("required")
            names = (
                {name for name in required if isinstance(name, str)}
                if isinstance(required, list)
                else set()
            )
            return properties, names
    return None


def array_items(schema: Any) -> dict[str, Any] | None:
    """The item schema when ``schema`` describes an array, else None."""
    for branch in _branches(schema):
        items = branch.get("items")
        if isinstance(items, dict):
            return items
        if branch.get("type") == "array":
            return {}
    return None


def field_columns(schema: Any, prefix: str = "") -> list[str]:
    """The paths of a schema's fields as one row shows them: nested objects' fields by their
    dotted path, an array as one column (``vendor.name``, ``line_items``)."""
    shape = object_properties(schema)
    if shape is None:
        return [prefix] if prefix else []
    columns: list[str] = []
    for name, child in shape[0].items():
        path = join_path(prefix, name)
        if array_items(child) is None and object_properties(child) is not None:
            columns.extend(field_columns(child, path))
        else:
            columns.append(path)
    return columns


def value_at(data: Any, path: str) -> tuple[bool, Any]:
    """``(present, value)`` at the leaf path ``path`` (``vendor.name``, ``items[0]``)."""
    node = data
    for part in parse_path(path):
        if isinstance(part, int):
            if not isinstance(node, list) or not 0 <= part < len(node):
                return False, None
        elif not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def data_complete(data: Any, schema: Any) -> Any:
    """``data`` with every field ``schema`` names present: the ones the run did not find are
    null (so a download lists every field). Values already there are left as they are."""
    shape = object_properties(schema)
    if isinstance(data, dict) and shape is not None:
        properties, _ = shape
        completed = {
            name: data_complete(data[name], child) if name in data else None
            for name, child in properties.items()
        }
        completed.update({key: value for key, value in data.items() if key not in properties})
        return completed
    if isinstance(data, list):
        items = array_items(schema)
        # A per-page or per-row result is a list of what the schema describes.
        item_schema = items if items is not None else schema
        return [data_complete(item, item_schema) for item in data]
    return data
