"""The user's ``data_schema``: validation at submission, ``$ref`` resolution, output coercion.

``load_schema`` accepts an object or a JSON string, checks it against the subset of JSON Schema
we support and LlamaCloud's limits, and returns the schema with local ``$ref``s inlined.
Every problem is reported at once with its JSON pointer (``SchemaError.problems``).

``coerce_to_schema`` turns a model's raw output into values of the declared types where the
intent is clear ("1,234.56" -> 1234.56, "5 Mar 2024" -> "2024-03-05" for ``format: date``), and
``validation_errors`` checks the final data with the ``jsonschema`` library.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

from jsonschema import Draft202012Validator

from extraction.values import parse_bool, parse_date, parse_number

MAX_PROPERTIES = 5000
MAX_DEPTH = 7
MAX_STRING_CHARS = 120_000

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
    """An invalid data_schema; ``problems`` lists ``(json_pointer, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{ptr or '/'}: {msg}" for ptr, msg in problems))


def _ptr(base: str, *parts: str | int) -> str:
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
        except ValueError as exc:
            raise SchemaError([("", f"data_schema is not valid JSON: {exc}")]) from None
    if not isinstance(raw, dict):
        raise SchemaError([("", "data_schema must be a JSON object")])
    problems: list[tuple[str, str]] = []
    resolved = _resolve_refs(raw, raw, "", (), problems)
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
    node: Any, root: dict[str, Any], pointer: str, stack: tuple[str, ...], problems: list
) -> Any:
    """Inline local ``$ref``s, dropping ``$defs``; a ref that reaches itself is a problem."""
    if isinstance(node, list):
        return [
            _resolve_refs(item, root, _ptr(pointer, i), stack, problems)
            for i, item in enumerate(node)
        ]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            problems.append(
                (_ptr(pointer, "$ref"), f"only local references are supported: {ref!r}")
            )
            return {}
        if ref in stack:
            problems.append((_ptr(pointer, "$ref"), f"recursive reference {ref} is not supported"))
            return {}
        target, found = _lookup_ref(root, ref)
        if not found or not isinstance(target, dict):
            problems.append((_ptr(pointer, "$ref"), f"reference {ref} does not resolve"))
            return {}
        resolved = _resolve_refs(target, root, pointer, (*stack, ref), problems)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        merged = {**resolved, **_resolve_refs(siblings, root, pointer, stack, problems)}
        return merged
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("$defs", "definitions"):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {
                name: _resolve_refs(sub, root, _ptr(pointer, key, name), stack, problems)
                for name, sub in value.items()
            }
        elif key in ("enum", "const", "examples", "default", "required"):
            out[key] = copy.deepcopy(value)
        else:
            out[key] = _resolve_refs(value, root, _ptr(pointer, key), stack, problems)
    return out


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


def _check_keyword_shapes(node: dict[str, Any], pointer: str, problems: list) -> bool:
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
        problems.append((_ptr(pointer, "type"), f"{declared!r} is not a type name or list of them"))
    if "properties" in node and not (
        isinstance(node["properties"], dict)
        and all(isinstance(sub, (dict, bool)) for sub in node["properties"].values())
    ):
        problems.append((_ptr(pointer, "properties"), "must map names to schemas"))
    required = node.get("required", [])
    if not (isinstance(required, list) and all(isinstance(name, str) for name in required)):
        problems.append((_ptr(pointer, "required"), "must be a list of property names"))
    if "items" in node and not isinstance(node["items"], (dict, bool)):
        problems.append(
            (_ptr(pointer, "items"), "must be a schema (tuple items are not supported)")
        )
    if "enum" in node and not isinstance(node["enum"], list):
        problems.append((_ptr(pointer, "enum"), "must be a list"))
    if "additionalProperties" in node and not isinstance(
        node["additionalProperties"], (dict, bool)
    ):
        problems.append((_ptr(pointer, "additionalProperties"), "must be a boolean or a schema"))
    for keyword in ("anyOf", "oneOf"):
        if keyword in node and not (
            isinstance(node[keyword], list)
            and node[keyword]
            and all(isinstance(sub, (dict, bool)) for sub in node[keyword])
        ):
            problems.append((_ptr(pointer, keyword), "must be a non-empty list of schemas"))
    for keyword in _STRING_KEYWORDS:
        if keyword in node and not isinstance(node[keyword], str):
            problems.append((_ptr(pointer, keyword), "must be a string"))
    return len(problems) == before


def _check(node: Any, pointer: str, depth: int, problems: list, counts: dict[str, int]) -> None:
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
        problems.append((_ptr(pointer, keyword), f"'{keyword}' is not supported"))
    declared = node.get("type")
    types = declared if isinstance(declared, list) else [declared] if declared else []
    for name in types:
        if name not in TYPES:
            problems.append((_ptr(pointer, "type"), f"unknown type {name!r}"))
    if "enum" in node and not node["enum"]:
        problems.append((_ptr(pointer, "enum"), "enum must list at least one value"))
    is_container = bool({"object", "array"} & set(types)) or "properties" in node
    if is_container and depth > MAX_DEPTH:
        problems.append((pointer, f"nested deeper than {MAX_DEPTH} levels"))
        return
    properties = node.get("properties") or {}
    counts["properties"] += len(properties)
    for name in node.get("required") or []:
        if properties and name not in properties:
            problems.append(
                (_ptr(pointer, "required"), f"required property {name!r} is not defined")
            )
    for name, sub in properties.items():
        _check(sub, _ptr(pointer, "properties", name), depth + 1, problems, counts)
    if isinstance(node.get("additionalProperties"), dict):
        _check(
            node["additionalProperties"],
            _ptr(pointer, "additionalProperties"),
            depth + 1,
            problems,
            counts,
        )
    if "items" in node:
        _check(node["items"], _ptr(pointer, "items"), depth, problems, counts)
    elif "array" in types:
        problems.append((pointer, "an array needs 'items' describing its elements"))
    for keyword in ("anyOf", "oneOf"):
        for index, sub in enumerate(node.get(keyword) or []):
            _check(sub, _ptr(pointer, keyword, index), depth, problems, counts)


# --- Output coercion and validation --------------------------------------------------------------


def schema_types(schema: dict[str, Any]) -> list[str]:
    """The types a (resolved) subschema allows, from ``type``, ``enum`` or ``const``."""
    declared = schema.get("type")
    if isinstance(declared, list):
        return list(declared)
    if declared:
        return [declared]
    if "properties" in schema:
        return ["object"]
    if "items" in schema:
        return ["array"]
    return []


def allows_null(schema: dict[str, Any]) -> bool:
    """True when ``None`` is a valid value for ``schema`` (type list, anyOf/oneOf or enum)."""
    if not isinstance(schema, dict):
        return bool(schema)
    if "null" in schema_types(schema):
        return True
    if "enum" in schema and None in schema["enum"]:
        return True
    return any(allows_null(alt) for alt in (schema.get("anyOf") or schema.get("oneOf") or []))


def _is_valid(value: Any, schema: dict[str, Any]) -> bool:
    return Draft202012Validator(schema).is_valid(value)


def coerce_to_schema(value: Any, schema: dict[str, Any] | bool) -> Any:
    """Return ``value`` converted towards ``schema`` where the intent is clear.

    Never raises: values that cannot be converted become ``None`` when the schema allows null
    and are otherwise returned unchanged (``validation_errors`` then reports them).
    """
    if not isinstance(schema, dict):
        return value
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        if value is None and allows_null(schema):
            return None
        for alt in alternatives:
            if isinstance(alt, dict) and "null" not in schema_types(alt):
                candidate = coerce_to_schema(value, {**_without_alts(schema), **alt})
                if candidate is not None and _is_valid(candidate, alt):
                    return candidate
        return None if allows_null(schema) else value
    types = schema_types(schema)
    if value is None:
        return None
    if "enum" in schema:
        return _coerce_enum(value, schema)
    if "const" in schema:
        return schema["const"]
    for name in [t for t in types if t != "null"] or [None]:
        candidate = _coerce_type(value, name, schema)
        if candidate is not _FAIL:
            return candidate
    return None if allows_null(schema) else value


_FAIL = object()


def _without_alts(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}


def _coerce_enum(value: Any, schema: dict[str, Any]) -> Any:
    options = schema["enum"]
    if value in options:
        return value
    text = str(value).strip().casefold()
    for option in options:
        if option is not None and str(option).casefold() == text:
            return option
    return None if allows_null(schema) else value


def _coerce_type(value: Any, name: str | None, schema: dict[str, Any]) -> Any:
    if name is None:
        return value
    if name == "object":
        return _coerce_object(value, schema) if isinstance(value, dict) else _FAIL
    if name == "array":
        items = schema.get("items", {})
        values = value if isinstance(value, list) else [value]
        coerced = [coerce_to_schema(item, items) for item in values]
        if isinstance(items, dict) and not allows_null(items):
            # A scalar that cannot become the item type is noise (e.g. "n/a" in a list of
            # numbers); objects are kept so validation can name what they lack.
            coerced = [
                item
                for item in coerced
                if item is not None and (isinstance(item, (dict, list)) or _is_valid(item, items))
            ]
        return coerced
    if name in ("number", "integer"):
        if isinstance(value, bool):
            return _FAIL
        number = value if isinstance(value, (int, float)) else parse_number(str(value))
        if number is None:
            return _FAIL
        if name == "integer":
            return int(number) if float(number).is_integer() else _FAIL
        return int(number) if isinstance(number, int) else float(number)
    if name == "boolean":
        if isinstance(value, bool):
            return value
        parsed = parse_bool(str(value))
        return _FAIL if parsed is None else parsed
    if name == "string":
        if isinstance(value, (dict, list)):
            return _FAIL
        text = (
            value
            if isinstance(value, str)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )
        return _coerce_format(text, schema.get("format"))
    if name == "null":
        return _FAIL
    return value


def _coerce_format(text: str, fmt: str | None) -> str:
    if fmt == "date":
        parsed = parse_date(text)
        return parsed.isoformat() if parsed else text
    if fmt == "date-time":
        try:
            return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00")).isoformat()
        except ValueError:
            parsed = parse_date(text)
            return parsed.isoformat() if parsed else text
    return text


def _coerce_object(value: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties", True)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in properties:
            out[key] = coerce_to_schema(item, properties[key])
        elif extra is not False:
            out[key] = coerce_to_schema(item, extra) if isinstance(extra, dict) else item
    required = set(schema.get("required") or [])
    for key in required:
        if key not in out and key in properties and allows_null(properties[key]):
            out[key] = None
    # Strict mode makes optional properties nullable; a null for an optional, non-nullable
    # property means "absent", so the key is left out rather than failing validation.
    for key in [k for k, v in out.items() if v is None and k not in required]:
        if key in properties and not allows_null(properties[key]):
            del out[key]
    return out


_TYPE_CHECKS: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (
        isinstance(v, int) and not isinstance(v, bool) or isinstance(v, float) and v.is_integer()
    ),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
# Keywords the quick check understands; anything else that constrains values defers to
# jsonschema. Annotations (description, format as a hint, ...) never constrain.
_QUICK = {"type", "properties", "required", "additionalProperties", "items", "enum"}
_QUICK |= {"anyOf", "oneOf", "description", "title", "format", "default", "examples"}
_QUICK |= {"$schema", "$id", "$comment"}


def _surely_valid(data: Any, schema: Any, allow_nulls: bool) -> bool:
    """True only when ``data`` certainly satisfies ``schema``; False means "ask jsonschema".

    jsonschema spends ~50 us per leaf; a whole document is checked on every chunk reply and
    once more at the end, so the common all-valid case takes this path instead.
    """
    if schema is True or schema == {}:
        return True
    if not isinstance(schema, dict) or not _QUICK.issuperset(schema):
        return False
    if data is None and allow_nulls:
        return True
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        matches = [alt for alt in alternatives if _surely_valid(data, alt, False)]
        return len(matches) == 1 if "oneOf" in schema else bool(matches)
    types = schema_types(schema)
    if types and not any(_TYPE_CHECKS[t](data) for t in types if t in _TYPE_CHECKS):
        return False
    if "enum" in schema and data not in schema["enum"]:
        return False
    if isinstance(data, dict):
        properties = schema.get("properties") or {}
        if any(key not in data for key in schema.get("required") or []):
            return False
        extra = schema.get("additionalProperties", True)
        for key, value in data.items():
            sub = properties.get(key, extra)
            if sub is False or not _surely_valid(value, sub, allow_nulls):
                return False
    if isinstance(data, list) and "items" in schema:
        return all(_surely_valid(item, schema["items"], allow_nulls) for item in data)
    return True


def validation_errors(data: Any, schema: dict[str, Any], *, allow_nulls: bool = False) -> list[str]:
    """Every way ``data`` fails ``schema``, as ``"<pointer>: <message>"``; empty when valid.

    ``format`` is a hint here and is not enforced. ``allow_nulls`` ignores nulls where a value
    is required: one chunk of a document legitimately lacks values printed elsewhere.
    """
    if _surely_valid(data, schema, allow_nulls):
        return []
    errors = Draft202012Validator(schema).iter_errors(data)
    return [
        f"{_ptr('', *error.absolute_path) or '/'}: {error.message}"
        for error in errors
        if not (allow_nulls and error.instance is None)
    ]
