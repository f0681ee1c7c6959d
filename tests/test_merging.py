from __future__ import annotations

from extraction.pipeline.engines.base import EngineResult, Usage
from extraction.pipeline.jsonpath import leaf_values, parse_path, set_path
from extraction.pipeline.merging import collect_pages, concat_rows, merge_objects


def result(data, quotes=None, tokens=0) -> EngineResult:
    return EngineResult(
        data=data,
        engine="openai",
        model="m",
        quotes=quotes or {},
        usage=Usage(model_calls=1, prompt_tokens=tokens),
    )


def test_paths_round_trip():
    data = {"a": {"b": [{"c": 1}, {"c": None}]}, "d": "x"}
    assert leaf_values(data) == {"a.b[0].c": 1, "a.b[1].c": None, "d": "x"}
    assert parse_path("a.b[1].c") == ["a", "b", 1, "c"]
    assert parse_path("[3].sku") == [3, "sku"]
    assert set_path(data, "a.b[1].c", 5)
    assert data["a"]["b"][1]["c"] == 5
    assert not set_path(data, "a.zz[0].c", 5)


def test_scalars_take_the_supported_value_and_nulls_lose():
    first = result({"total": 10.0, "number": None}, quotes={"total": "Subtotal 10.00"})
    second = result({"total": 12.5, "number": "INV-1"}, quotes={"total": "Total 12.50"})
    supported = {(1, "total")}
    merged = merge_objects(
        [first, second], support=lambda c, p, v: 1.0 if (c, p) in supported else 0.0
    )
    assert merged.data == {"total": 12.5, "number": "INV-1"}
    assert merged.quotes == {"total": "Total 12.50"}


def test_majority_breaks_ties_when_support_is_equal():
    chunks = [result({"currency": "USD"}), result({"currency": "EUR"}), result({"currency": "usd"})]
    assert merge_objects(chunks, support=lambda *a: 0.5).data == {"currency": "USD"}


def test_arrays_concatenate_and_drop_cross_chunk_duplicates_only():
    item = {"sku": "A", "qty": 1}
    first = result({"items": [item, item]}, quotes={"items[1].sku": "A second"})
    second = result({"items": [item, {"sku": "B", "qty": 2}]}, quotes={"items[1].sku": "B"})
    merged = merge_objects([first, second])
    assert merged.data["items"] == [item, item, {"sku": "B", "qty": 2}]
    assert merged.quotes == {"items[1].sku": "A second", "items[2].sku": "B"}
    assert merged.usage.model_calls == 2


def test_nested_objects_merge_recursively():
    first = result({"vendor": {"name": "Acme", "vat": None}})
    second = result({"vendor": {"name": None, "vat": "DE123"}})
    assert merge_objects([first, second]).data == {"vendor": {"name": "Acme", "vat": "DE123"}}


def test_rows_are_concatenated_with_paths_rekeyed():
    first = result([{"sku": "A"}, {"sku": "B"}], quotes={"[1].sku": "B"})
    second = result([{"sku": "B"}, {"sku": "C"}], quotes={"[1].sku": "C"})
    merged = concat_rows([first, second])
    assert merged.data == [{"sku": "A"}, {"sku": "B"}, {"sku": "C"}]
    assert merged.quotes == {"[1].sku": "B", "[2].sku": "C"}


def test_pages_become_a_list_in_order():
    merged = collect_pages([result({"t": 1}, {"t": "one"}), result({"t": 2}, {"t": "two"})])
    assert merged.data == [{"t": 1}, {"t": 2}]
    assert merged.quotes == {"[0].t": "one", "[1].t": "two"}
