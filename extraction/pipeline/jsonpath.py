"""Paths into extracted JSON, as every step names a leaf: ``vendor.name``,
``line_items[2].amount``, and for list results (``PER_PAGE``, ``PER_TABLE_ROW``) ``[3].sku``."""

from __future__ import annotations

import re
from typing import Any

_PATH_PART = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """``"a.b[2].c"`` -> ``["a", "b", 2, "c"]``; ``"[3].sku"`` -> ``[3, "sku"]``."""
    return [int(index) if index else name for name, index in _PATH_PART.findall(path)]


def join_path(base: str, part: str | int) -> str:
    """Append a key or index to a leaf path."""
    if isinstance(part, int):
        return f"{base}[{part}]"
    return f"{base}.{part}" if base else part


def leaf_values(data: Any, base: str = "") -> dict[str, Any]:
    """Every scalar (and null) leaf of ``data`` by its path."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(leaf_values(value, join_path(base, key)))
        return out
    if isinstance(data, list):
        out = {}
        for index, value in enumerate(data):
            out.update(leaf_values(value, join_path(base, index)))
        return out
    return {base: data}


def set_path(data: Any, path: str, value: Any) -> bool:
    """Set the leaf at ``path`` in place; False when its parent does not exist."""
    parts = parse_path(path)
    node = data
    for part in parts[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    try:
        node[parts[-1]] = value
    except (IndexError, TypeError):
        return False
    return True
