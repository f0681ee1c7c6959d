"""The user's ``data_schema``: validation at submission and ``$ref`` resolution.

``load_schema`` accepts an object or a JSON string, checks it against the subset of JSON Schema
we support and LlamaCloud's limits, and returns the schema with local ``$ref``s inlined.
Every problem is reported at once with its JSON pointer (``SchemaError.problems``). Fitting
extracted data to the schema is ``coercion``'s job.
"""

from __future__ import annotations

import json
from typing import Any

MAX_PROPERTIES = 5000
MAX_DEPTH = 7
MAX_STRING_CHARS = 120_000
# Inlining ``$ref``s can multiply a schema: each level that references the next twice doubles
# it, so 2 KB of JSON could expand to millions of nodes. Resolution stops at this many.
MAX_RESOLVED_NODES = 50_000
# JSON nesting (objects and arrays) allowed before anything walks the schema.
MAX_NESTING = 64

TYPES = {"object", "array", "string", "number", "integer", "boolean", "null"}
# Keywords that change the shape of the data in ways we cannot honour are rejected; anything
# else that is standard (minimum, pattern, examples, ...) is kept as a hint.
UNSUPPORTED = {
    "allOf",
    "not",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "patternProperties",
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "propertyNames",
    "contains",
    "$dynamicRef",
    "$recursiveRef",
}


class SchemaError(ValueError):
    """An invalid data_schema; ``problems`` lists ``(json_pointer, message)`` pairs.

    ``over_limit`` marks a schema refused for its size rather than its content.
    """

    def __init__(self, problems: list[tuple[str, str]], *, over_limit: bool = False) -> None:
        self.problems = problems
        self.over_limit = over_limit
        super().__init__("; ".join(f"{ptr or '/'}: {msg}" for ptr, msg in problems))


class _Budget:
    """Counts the nodes ``_resolve_refs`` builds; raises ``SchemaError`` past the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, pointer: str, depth: int) -> None:
        self.used += 1
        if self.used > self.limit:
            raise SchemaError(
                [
                    (
                        "",
                        f"data_schema expands to more than {self.limit:,} nodes once its $refs "
                        "are inlined (definitions that reference each other several times "
                        "per level multiply); reference fewer definitions per level",
                    )
                ],
                over_limit=True,
            )
        if depth > MAX_NESTING:
            raise SchemaError(
                [(pointer, f"data_schema nests deeper than {MAX_NESTING} levels")],
                over_limit=True,
            )


def json_pointer(base: str, *parts: str | int) -> str:
    """``base`` extended with ``parts``, escaped as RFC 6901 requires."""
    for part in parts:
        base += "/" + str(part).replace("~", "~0").replace("/", "~1")
    return base


def load_schema(raw: dict[str, Any] | str) -> dict[str, Any]:
    """Validate ``raw`` (object or JSON string) and return it with local ``$ref``s inlined.

    Raises ``SchemaError`` listing every problem found.
    """
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except RecursionError:
            raise SchemaError(
                [("", f"data_schema nests deeper than {MAX_NESTING} levels")], over_limit=True
            ) from None
        except ValueError as exc:
            raise SchemaError([("", f"data_schema is not valid JSON: {exc}")]) from None
    if not isinstance(raw, dict):
        raise SchemaError([("", "data_schema must be a JSON object")])
    problems: list[tuple[str, str]] = []
    resolved: dict[str, Any] = _resolve_refs(
        raw, raw, "", (), problems, _Budget(MAX_RESOLVED_NODES), 0
    )
    if problems:
        raise SchemaError(problems)
    root_type = resolved.get("type", "object" if "properties" in resolved else None)
    if root_type != "object":
        problems.append(("/type", "the root of data_schema must be an object (type: object)"))
    counts = {"properties": 0, "chars": 0}
    _check(resolved, "", 1, problems, counts)
    if counts["properties"] > MAX_PROPERTIES:
        problems.append(("", f"{counts['properties']} properties; at most {MAX_PROPERTIES}"))
    if counts["chars"] > MAX_STRING_CHARS:
        problems.append(
            ("", f"{counts['chars']} characters of strings; at most {MAX_STRING_CHARS}")
        )
    if problems:
        raise SchemaError(problems)
    return resolved


def _lookup_ref(root: dict[str, Any], ref: str) -> tuple[Any, bool]:
    if not ref.startswith("#"):
        return None, False
    node: Any = root
    for part in [p for p in ref[1:].split("/") if p]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None, False
    return node, True


def _resolve_refs(
    node: Any,
    root: dict[str, Any],
    pointer: str,
    stack: tuple[str, ...],
    problems: list[tuple[str, str]],
    budget: _Budget,
    depth: int,
) -> Any:
    """Inline local ``$ref``s, dropping ``$defs``; a ref that reaches itself is a problem.

    Every object and array built is counted against ``budget`` (``SchemaError`` past it), so
    a schema whose references multiply is refused while it is being expanded.
    """
    if isinstance(node, list):
        budget.spend(pointer, depth)
        return [
            _resolve_refs(item, root, json_pointer(pointer, i), stack, problems, budget, depth + 1)
            for i, item in enumerate(node)
        ]
    if not isinstance(node, dict):
        return node
    budget.spend(pointer, depth)
    if "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            problems.append(
                (json_pointer(pointer, "$ref"), f"only local references are supported: {ref!r}")
            )
            return {}
        if ref in stack:
            problems.append(
                (json_pointer(pointer, "$ref"), f"recursive reference {ref} is not supported")
            )
            return {}
        target, found = _lookup_ref(root, ref)
        if not found or not isinstance(target, dict):
            problems.append((json_pointer(pointer, "$ref"), f"reference {ref} does not resolve"))
            return {}
        resolved = _resolve_refs(target, root, pointer, (*stack, ref), problems, budget, depth + 1)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return {
            **resolved,
            **_resolve_refs(siblings, root, pointer, stack, problems, budget, depth),
        }
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("$defs", "definitions"):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {
                name: _resolve_refs(
                    sub,
                    root,
                    json_pointer(pointer, key, name),
                    stack,
                    problems,
                    budget,
                    depth + 2,
                )
                for name, sub in value.items()
            }
        elif key in ("enum", "const", "examples", "default", "required"):
            out[key] = _copy_value(value, pointer, budget, depth + 1)
        else:
            out[key] = _resolve_refs(
                value, root, json_pointer(pointer, key), stack, problems, budget, depth + 1
            )
    return out


def _copy_value(value: Any, pointer: str, budget: _Budget, depth: int) -> Any:
    """A deep copy of a literal (enum, default, ...), counted against the budget."""
    if isinstance(value, dict):
        budget.spend(pointer, depth)
        return {k: _copy_value(v, pointer, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        budget.spend(pointer, depth)
        return [_copy_value(v, pointer, budget, depth + 1) for v in value]
    return value


def _count_chars(node: dict[str, Any]) -> int:
    total = 0
    for key in ("description", "title", "format", "pattern"):
        if isinstance(node.get(key), str):
            total += len(node[key])
    for value in node.get("enum") or []:
        if isinstance(value, str):
            total += len(value)
    total += sum(len(name) for name in node.get("properties") or {})
    return total


_STRING_KEYWORDS = ("description", "title", "format", "pattern", "$comment")


def _check_keyword_shapes(
    node: dict[str, Any], pointer: str, problems: list[tuple[str, str]]
) -> bool:
    """The checks the JSON Schema metaschema would make on the keywords we read.

    Done by hand because validating a 5,000-property schema against the metaschema with
    ``jsonschema`` takes seconds. Returns False when the node is too broken to walk into.
    """
    before = len(problems)
    declared = node.get("type")
    if declared is not None and not (
        isinstance(declared, str)
        or (isinstance(declared, list) and declared and all(isinstance(t, str) for t in declared))
    ):
        problems.append(
            (json_pointer(pointer, "type"), f"{declared!r} is not a type name or list of them")
        )
    if "properties" in node and not (
        isinstance(node["properties"], dict)
        and all(isinstance(sub, (dict, bool)) for sub in node["properties"].values())
    ):
        problems.append((json_pointer(pointer, "properties"), "must map names to schemas"))
    required = node.get("required", [])
    if not (isinstance(required, list) and all(isinstance(name, str) for name in required)):
        problems.append((json_pointer(pointer, "required"), "must be a list of property names"))
    if "items" in node and not isinstance(node["items"], (dict, bool)):
        problems.append(
            (json_pointer(pointer, "items"), "must be a schema (tuple items are not supported)")
        )
    if "enum" in node and not isinstance(node["enum"], list):
        problems.append((json_pointer(pointer, "enum"), "must be a list"))
    if "additionalProperties" in node and not isinstance(
        node["additionalProperties"], (dict, bool)
    ):
        problems.append(
            (json_pointer(pointer, "additionalProperties"), "must be a boolean or a schema")
        )
    for keyword in ("anyOf", "oneOf"):
        if keyword in node and not (
            isinstance(node[keyword], list)
            and node[keyword]
            and all(isinstance(sub, (dict, bool)) for sub in node[keyword])
        ):
            problems.append((json_pointer(pointer, keyword), "must be a non-empty list of schemas"))
    for keyword in _STRING_KEYWORDS:
        if keyword in node and not isinstance(node[keyword], str):
            problems.append((json_pointer(pointer, keyword), "must be a string"))
    return len(problems) == before


def _check(
    node: Any, pointer: str, depth: int, problems: list[tuple[str, str]], counts: dict[str, int]
) -> None:
    """Check one (resolved) subschema against the supported subset; recurse into children."""
    if isinstance(node, bool):
        return
    if not isinstance(node, dict):
        problems.append((pointer, "must be a schema object"))
        return
    if not _check_keyword_shapes(node, pointer, problems):
        return
    counts["chars"] += _count_chars(node)
    for keyword in sorted(UNSUPPORTED & node.keys()):
        problems.append((json_pointer(pointer, keyword), f"'{keyword}' is not supported"))
    declared = node.get("type")
    types = declared if isinstance(declared, list) else [declared] if declared else []
    for name in types:
        if name not in TYPES:
            problems.append((json_pointer(pointer, "type"), f"unknown type {name!r}"))
    if "enum" in node and not node["enum"]:
        problems.append((json_pointer(pointer, "enum"), "enum must list at least one value"))
    is_container = bool({"object", "array"} & set(types)) or "properties" in node
    if is_container and depth > MAX_DEPTH:
        problems.append((pointer, f"nested deeper than {MAX_DEPTH} levels"))
        return
    properties = node.get("properties") or {}
    counts["properties"] += len(properties)
    for name in node.get("required") or []:
        if properties and name not in properties:
            problems.append(
                (json_pointer(pointer, "required"), f"required property {name!r} is not defined")
            )
    for name, sub in properties.items():
        _check(sub, json_pointer(pointer, "properties", name), depth + 1, problems, counts)
    if isinstance(node.get("additionalProperties"), dict):
        _check(
            node["additionalProperties"],
            json_pointer(pointer, "additionalProperties"),
            depth + 1,
            problems,
            counts,
        )
    if "items" in node:
        _check(node["items"], json_pointer(pointer, "items"), depth, problems, counts)
    elif "array" in types:
        problems.append((pointer, "an array needs 'items' describing its elements"))
    for keyword in ("anyOf", "oneOf"):
        for index, sub in enumerate(node.get(keyword) or []):
            _check(sub, json_pointer(pointer, keyword, index), depth, problems, counts)
