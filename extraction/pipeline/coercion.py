"""Fit extracted data to the user's (resolved) schema, then validate it.

``coerce_to_schema`` turns raw output into values of the declared types where the intent is
clear ("1,234.56" -> 1234.56, "5 Mar 2024" -> "2024-03-05" for ``format: date``), and
``validation_errors`` checks the final data with the ``jsonschema`` library.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator, ValidationError, validators

from extraction.pipeline.patterns import pattern_matches
from extraction.pipeline.schemas import json_pointer
from extraction.pipeline.values import parse_bool, parse_date, parse_number

if TYPE_CHECKING:
    from jsonschema.protocols import Validator


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


def allows_null(schema: dict[str, Any] | bool) -> bool:
    """True when ``None`` is a valid value for ``schema`` (type list, anyOf/oneOf or enum); a
    boolean subschema (``true`` allows everything) is its own answer."""
    if not isinstance(schema, dict):
        return bool(schema)
    if "null" in schema_types(schema):
        return True
    if "enum" in schema and None in schema["enum"]:
        return True
    return any(allows_null(alt) for alt in (schema.get("anyOf") or schema.get("oneOf") or []))


def _pattern_keyword(validator: Any, pattern: Any, instance: Any, schema: Any) -> Any:
    """``pattern`` checked with RE2 (linear time) instead of Python's backtracking ``re``; a
    pattern RE2 cannot run is not checked (its values are kept, never a hang)."""
    if not validator.is_type(instance, "string") or not isinstance(pattern, str):
        return
    if pattern_matches(pattern, instance) is False:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12 with the user's ``pattern`` run by RE2: the values checked come from documents.
SchemaValidator: type[Validator] = validators.extend(
    Draft202012Validator, {"pattern": _pattern_keyword}
)


def _is_valid(value: Any, schema: dict[str, Any]) -> bool:
    return SchemaValidator(schema).is_valid(value)


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
    names: list[str | None] = [t for t in types if t != "null"] or [None]
    for name in names:
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
    errors = SchemaValidator(schema).iter_errors(data)
    return [
        f"{json_pointer('', *error.absolute_path) or '/'}: {error.message}"
        for error in errors
        if not (allow_nulls and error.instance is None)
    ]
