from __future__ import annotations

import json

import pytest

from extraction.pipeline.coercion import allows_null, coerce_to_schema, validation_errors
from extraction.pipeline.schemas import SchemaError, load_schema
from tests.corpus import SCHEMA_DIR

INVOICE = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
    "required": ["invoice_number", "total"],
}


def problems_of(raw) -> list[tuple[str, str]]:
    with pytest.raises(SchemaError) as info:
        load_schema(raw)
    return info.value.problems


def test_object_and_json_string_are_accepted_alike():
    assert load_schema(INVOICE) == INVOICE
    assert load_schema(json.dumps(INVOICE)) == INVOICE


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_every_fixture_schema_is_accepted(path):
    schema = json.loads(path.read_text())
    assert load_schema(schema)["properties"].keys() == schema["properties"].keys()


def test_invalid_json_string_is_rejected():
    [(pointer, message)] = problems_of('{"type": "object",')
    assert pointer == ""
    assert "not valid JSON" in message


def test_root_must_be_an_object():
    problems = problems_of({"type": "array", "items": {"type": "string"}})
    assert ("/type", "the root of data_schema must be an object (type: object)") in problems


def test_every_problem_is_listed_with_its_pointer():
    problems = problems_of(
        {
            "type": "object",
            "properties": {
                "a": {"type": "array"},
                "b": {"allOf": [{"type": "string"}]},
                "c": {"type": "string", "enum": []},
            },
            "required": ["a", "zzz"],
        }
    )
    pointers = {pointer for pointer, _ in problems}
    assert pointers >= {"/properties/a", "/properties/b/allOf", "/properties/c/enum", "/required"}


def test_badly_shaped_keywords_carry_pointers():
    problems = problems_of({"type": "object", "properties": {"x": {"type": 5}}})
    assert problems[0][0] == "/properties/x/type"


def test_unknown_type_name_is_rejected():
    problems = problems_of({"type": "object", "properties": {"x": {"type": "decimal"}}})
    assert problems[0][0] == "/properties/x/type"


def test_local_refs_are_inlined_and_defs_dropped():
    schema = {
        "type": "object",
        "$defs": {"money": {"type": "number", "description": "an amount"}},
        "properties": {
            "total": {"$ref": "#/$defs/money", "description": "grand total"},
            "items": {"type": "array", "items": {"$ref": "#/$defs/money"}},
        },
    }
    resolved = load_schema(schema)
    assert "$defs" not in resolved
    assert resolved["properties"]["total"] == {"type": "number", "description": "grand total"}
    assert resolved["properties"]["items"]["items"] == {
        "type": "number",
        "description": "an amount",
    }


def test_recursive_ref_is_rejected():
    schema = {
        "type": "object",
        "$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}},
        "properties": {"root": {"$ref": "#/$defs/node"}},
    }
    problems = problems_of(schema)
    assert any("recursive reference #/$defs/node" in message for _, message in problems)


def test_dangling_and_remote_refs_are_rejected():
    problems = problems_of(
        {
            "type": "object",
            "properties": {
                "a": {"$ref": "#/$defs/missing"},
                "b": {"$ref": "https://example.com/schema.json"},
            },
        }
    )
    assert {p for p, _ in problems} == {"/properties/a/$ref", "/properties/b/$ref"}


def test_depth_limit_is_seven_levels():
    node: dict = {"type": "string"}
    for _ in range(6):
        node = {"type": "object", "properties": {"x": node}}
    load_schema(node)  # root + 5 nested objects = 6 levels of objects
    deeper = {"type": "object", "properties": {"x": node}}
    load_schema(deeper)
    too_deep = {"type": "object", "properties": {"x": deeper}}
    assert any("deeper than 7" in m for _, m in problems_of(too_deep))


def test_property_count_limit():
    props = {f"p{i}": {"type": "string"} for i in range(5001)}
    assert any("at most 5000" in m for _, m in problems_of({"type": "object", "properties": props}))


def test_string_size_limit():
    props = {f"p{i}": {"type": "string", "description": "x" * 1000} for i in range(121)}
    problems = problems_of({"type": "object", "properties": props})
    assert any("characters of strings" in m for _, m in problems)


def test_numbers_are_parsed_from_printed_text():
    schema = {"type": "number"}
    assert coerce_to_schema("1,234.56", schema) == 1234.56
    assert coerce_to_schema("$ 12", schema) == 12
    assert coerce_to_schema("1.234,56 €", schema) == 1234.56
    assert coerce_to_schema("12", {"type": "integer"}) == 12
    assert coerce_to_schema("12.5", {"type": ["integer", "null"]}) is None


def test_dates_become_iso_when_format_is_date():
    schema = {"type": "string", "format": "date"}
    assert coerce_to_schema("5 Mar 2024", schema) == "2024-03-05"
    assert coerce_to_schema("2024-03-05", schema) == "2024-03-05"
    assert coerce_to_schema("not a date", schema) == "not a date"


def test_enum_matches_case_insensitively_and_unknown_becomes_null_when_allowed():
    schema = {"type": ["string", "null"], "enum": ["USD", "EUR", None]}
    assert coerce_to_schema("usd", schema) == "USD"
    assert coerce_to_schema("Yen", schema) is None


def test_missing_required_nullable_value_becomes_null():
    schema = {
        "type": "object",
        "properties": {"a": {"type": ["string", "null"]}, "b": {"type": "string"}},
        "required": ["a", "b"],
        "additionalProperties": False,
    }
    data = coerce_to_schema({"b": "x", "junk": 1}, schema)
    assert data == {"a": None, "b": "x"}
    assert validation_errors(data, schema) == []
    errors = validation_errors({"a": None}, schema)
    assert errors == ["/: 'b' is a required property"]


def test_any_of_picks_the_alternative_the_value_fits():
    schema = {"anyOf": [{"type": "number"}, {"type": "null"}]}
    assert allows_null(schema)
    assert coerce_to_schema("3.5", schema) == 3.5
    assert coerce_to_schema("n/a", schema) is None


def test_arrays_wrap_scalars_and_coerce_items():
    schema = {"type": "array", "items": {"type": "number"}}
    assert coerce_to_schema(["1", "2.5", "x"], schema) == [1, 2.5]
    assert coerce_to_schema("7", schema) == [7]


def test_booleans_from_words():
    assert coerce_to_schema("yes", {"type": "boolean"}) is True
    assert coerce_to_schema("No", {"type": ["boolean", "null"]}) is False
    assert coerce_to_schema("maybe", {"type": ["boolean", "null"]}) is None


def test_validation_reports_pointer_of_nested_error():
    schema = load_schema(json.loads((SCHEMA_DIR / "invoice.json").read_text()))
    errors = validation_errors({"invoice_number": 5}, schema)
    assert any(error.startswith("/invoice_number:") for error in errors)


def test_null_for_an_optional_non_nullable_property_is_left_out():
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": ["string", "null"]}},
    }
    data = coerce_to_schema({"a": None, "b": None}, schema)
    assert data == {"b": None}
    assert validation_errors(data, schema) == []


@pytest.mark.parametrize(
    ("data", "ok"),
    [
        ({"n": 1, "tags": ["a"], "kind": "x", "either": "s"}, True),
        ({"n": 1, "tags": ["a"], "kind": "x", "either": 2}, False),  # integer and number
        ({"n": 1.5, "tags": ["a"], "kind": "x", "either": 2}, False),  # not an integer
        ({"n": 1, "tags": [1], "kind": "x", "either": 2}, False),
        ({"n": 1, "tags": [], "kind": "z", "either": 2}, False),  # enum
        ({"n": 1, "tags": [], "kind": "x", "either": 2, "extra": 1}, False),
        ({"n": 1, "tags": [], "kind": "x", "either": 2.0}, False),  # matches both oneOf branches
        ({"tags": [], "kind": "x", "either": "s"}, False),  # required
        ({"n": 1, "tags": [], "kind": "x", "either": "s", "code": "ab"}, False),  # pattern
    ],
)
def test_quick_validity_check_agrees_with_jsonschema(data, ok):
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "kind": {"enum": ["x", "y"]},
            "either": {"oneOf": [{"type": "integer"}, {"type": "number"}, {"type": "string"}]},
            "code": {"type": "string", "pattern": "^[0-9]+$"},
        },
        "required": ["n"],
        "additionalProperties": False,
    }
    assert (validation_errors(data, schema) == []) is ok
