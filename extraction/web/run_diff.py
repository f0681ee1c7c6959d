"""Field-by-field differences between two runs' results (each read against its own schema).

Pure: plain data in, rows out. Every field either run's schema names is compared, found or not,
so a field added to the schema shows as added, and one the new run no longer finds as changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from extraction.pipeline.jsonpath import join_path
from extraction.web.schema_shape import array_items, data_complete, object_properties
from extraction.web.view_models import StrictViewModel

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"


def display_value(value: Any) -> str:
    """A value as one line of text; "" when there is none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list) and not any(isinstance(item, (dict, list)) for item in value):
        return "; ".join(display_value(item) for item in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def schema_fields(schema: Any, prefix: str = "") -> set[str]:
    """Every field path a schema names at any depth, without array indexes."""
    fields: set[str] = set()
    shape = object_properties(schema)
    if shape is None:
        items = array_items(schema)
        return schema_fields(items, prefix) if items else fields
    for name, child in shape[0].items():
        path = join_path(prefix, name)
        fields.add(path)
        fields |= schema_fields(child, path)
    return fields


_INDEX = re.compile(r"\[\d+\]")


def field_values(data: Any, schema: Any) -> dict[str, Any]:
    """Every leaf of ``data`` by path, with a None for each field the schema names but the run
    did not find; an empty array is one leaf (``[]``)."""
    values: dict[str, Any] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict) and node:
            for key, value in node.items():
                walk(value, join_path(path, key))
        elif isinstance(node, list) and any(isinstance(item, (dict, list)) for item in node):
            for index, value in enumerate(node):
                walk(value, join_path(path, index))
        else:
            values[path] = node

    walk(data_complete(data, schema), "")
    return values


@dataclass(frozen=True)
class DiffRow(StrictViewModel):
    path: str
    before: str
    after: str
    state: str  # same, changed, added (to the schema), removed (from the schema)

    @property
    def changed(self) -> bool:
        return self.state != SAME


def run_diff(*, before: Any, before_schema: Any, after: Any, after_schema: Any) -> list[DiffRow]:
    """One row per field of either run, in the later run's order, then the ones it dropped.

    A field is ``added`` or ``removed`` when the schemas differ on it; a value that appears or
    goes under a field both schemas name is ``changed``.
    """
    old = field_values(before, before_schema)
    new = field_values(after, after_schema)
    old_fields, new_fields = schema_fields(before_schema), schema_fields(after_schema)
    rows = []
    for path in [*new, *(path for path in old if path not in new)]:
        field_path = _INDEX.sub("", path).lstrip(".")
        if path not in old and old_fields and field_path not in old_fields:
            state = ADDED
        elif path not in new and new_fields and field_path not in new_fields:
            state = REMOVED
        else:
            state = SAME if old.get(path) == new.get(path) else CHANGED
        rows.append(
            DiffRow(
                path=path,
                before=display_value(old.get(path)),
                after=display_value(new.get(path)),
                state=state,
            )
        )
    return rows
