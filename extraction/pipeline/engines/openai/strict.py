"""The user's schema -> the response schemas we ask an OpenAI-compatible model for.

Structured outputs in strict mode accept a subset of JSON Schema: every property required,
optional ones nullable, ``additionalProperties: false``, and few validation keywords. Keywords
outside the subset become hints in the description, so the model still sees them. The response
wraps the user's data with a verbatim quote per field (used later to cite values) and, when
``use_reasoning`` is set, a short explanation per top-level field.
"""

from __future__ import annotations

import copy
from typing import Any

from extraction.pipeline.config import ExtractionTarget

STRUCTURAL = {"type", "properties", "required", "items", "enum", "anyOf", "oneOf", "description"}
STRUCTURAL |= {"additionalProperties", "const"}

QUOTES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": (
        "One entry per non-null leaf value: its path (e.g. vendor.name, line_items[0].amount"
        " or [0].sku for rows) and a short verbatim quote copied from the document text."
    ),
    "items": {
        "type": "object",
        "properties": {"path": {"type": "string"}, "quote": {"type": "string"}},
        "required": ["path", "quote"],
        "additionalProperties": False,
    },
}

REASONING_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "For each top-level field, one or two sentences on how its value was found.",
    "items": {
        "type": "object",
        "properties": {"field": {"type": "string"}, "explanation": {"type": "string"}},
        "required": ["field", "explanation"],
        "additionalProperties": False,
    },
}

VERIFY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "value": {"type": "string", "description": "the value as JSON, or null"},
                    "quote": {"type": "string"},
                },
                "required": ["path", "value", "quote"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["fields"],
    "additionalProperties": False,
}


class _State:
    """Whether the transform met something strict mode cannot express (free-form objects)."""

    def __init__(self) -> None:
        self.strict = True


def _hints(node: dict[str, Any]) -> str:
    parts = []
    for key, value in node.items():
        if key in STRUCTURAL or key.startswith("$") or key == "title":
            continue
        parts.append(f"{key}: {value}")
    return "; ".join(parts)


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in node:
        if not any(alt.get("type") == "null" for alt in node["anyOf"]):
            node["anyOf"] = [*node["anyOf"], {"type": "null"}]
        return node
    declared = node.get("type")
    types = declared if isinstance(declared, list) else [declared] if declared else []
    if types and "null" not in types:
        node["type"] = [*types, "null"]
    if "enum" in node and None not in node["enum"]:
        node["enum"] = [*node["enum"], None]
    return node


def _strict(node: Any, state: _State) -> dict[str, Any]:
    if not isinstance(node, dict):
        return {} if node else {"type": "null"}
    out: dict[str, Any] = {}
    description = node.get("description") or node.get("title") or ""
    hints = _hints(node)
    if hints:
        description = f"{description} ({hints})" if description else hints
    if description:
        out["description"] = description
    alternatives = node.get("anyOf") or node.get("oneOf")
    if alternatives:
        out["anyOf"] = [_strict(alt, state) for alt in alternatives]
        return out
    declared = node.get("type")
    types = declared if isinstance(declared, list) else [declared] if declared else []
    if "properties" in node and not types:
        types = ["object"]
    non_null = [t for t in types if t != "null"]
    if len(non_null) > 1:
        alts = [_strict({**node, "type": t, "description": ""}, state) for t in non_null]
        out["anyOf"] = alts + ([{"type": "null"}] if "null" in types else [])
        return out
    if types:
        out["type"] = types if len(types) > 1 else types[0]
    for key in ("enum", "const"):
        if key in node:
            out[key] = copy.deepcopy(node[key])
    if "object" in types:
        properties = node.get("properties") or {}
        if not properties:
            state.strict = False  # a free-form object has no strict-mode spelling
            return out
        required = set(node.get("required") or [])
        out["properties"] = {}
        for name, sub in properties.items():
            converted = _strict(sub, state)
            out["properties"][name] = converted if name in required else _nullable(converted)
        out["required"] = list(properties)
        out["additionalProperties"] = False
    if "array" in types:
        out["items"] = _strict(node.get("items", {}), state)
    return out


def to_strict(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Strict-mode version of a resolved user schema, and whether strict mode can be used."""
    state = _State()
    return _strict(schema, state), state.strict


def response_schema(
    schema: dict[str, Any], target: ExtractionTarget, *, with_reasoning: bool
) -> tuple[dict[str, Any], bool]:
    """The schema of the whole model response for ``target``, and whether it is strict-safe."""
    strict_data, strict_ok = to_strict(schema)
    if target == ExtractionTarget.PER_TABLE_ROW:
        key, value = (
            "rows",
            {
                "type": "array",
                "description": "One element per repeating entity (table row, list item), in order.",
                "items": strict_data,
            },
        )
    else:
        key, value = "data", strict_data
    properties: dict[str, Any] = {key: value, "quotes": QUOTES_SCHEMA}
    if with_reasoning:
        properties["reasoning"] = REASONING_SCHEMA
    wrapper = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    return wrapper, strict_ok
