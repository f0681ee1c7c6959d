"""The test corpus builder and its scorer: same bytes every run, truth that fits its schema,
and scoring rules that count what they claim to."""

from __future__ import annotations

import jsonschema
import pytest

from tests.corpus import BUILDERS, Corpus, build_document, load_schema
from tests.corpus.score import accuracy, hungarian_max, score_document

INVOICE = load_schema("invoice.json")


def test_every_document_is_built_the_same_way_twice(corpus: Corpus):
    for doc_id in (
        "invoice_classic_us",
        "statement_short_ca",
        "resume_word_us",
        "catalog_sheet_uk",
    ):
        draft, expected, meta = build_document(doc_id)
        assert draft.content == corpus[doc_id].path.read_bytes(), doc_id
        assert (expected, meta) == (corpus[doc_id].expected, corpus[doc_id].meta)


def test_expected_values_fit_their_schemas_and_every_leaf_has_a_meta_entry(corpus: Corpus):
    assert len(corpus) == len(BUILDERS)
    for doc in corpus:
        rows = doc.expected if doc.mode == "PER_TABLE_ROW" else [doc.expected]
        for row in rows:
            jsonschema.validate(row, doc.schema)
        scored = score_document(doc.schema, doc.expected, doc.expected, doc.mode)
        assert sorted(path for path, *_ in scored) == sorted(f["path"] for f in doc.meta["fields"])
        assert accuracy(scored) == 1.0
        for field in doc.meta["fields"]:
            assert (field["page"] is None) == (field["rendered"] is None), (doc.doc_id, field)
            assert field["page"] is None or 1 <= field["page"] <= doc.page_count


def test_the_corpus_covers_the_layouts_the_tests_rely_on(corpus: Corpus):
    assert {doc.doc_type for doc in corpus} == {
        "invoice",
        "receipt",
        "bank_statement",
        "resume",
        "contract",
        "research_paper",
        "product_catalog",
        "employee_roster",
    }
    statement = corpus["statement_signed_us"]
    assert statement.page_count == 2
    assert statement.field("closing_balance")["page"] == 2
    assert statement.field("bank_name")["page"] == 1
    assert corpus["statement_short_ca"].page_count == 3
    assert corpus["invoice_long_us"].page_count == 2
    assert corpus["invoice_long_us"].field("total")["page"] == 2
    assert corpus["invoice_terms_ca"].expected["due_date"] is None
    assert corpus["lease_pdf_us"].field("governing_law")["page"] == 2
    catalog = corpus["catalog_ruled_us"]
    assert catalog.page_count == 2
    assert len(catalog.expected) > 30
    assert {f["page"] for f in corpus["roster_pdf_us"].meta["fields"]} == {1, 2}


def test_values_are_compared_after_normalising_text_numbers_and_dates():
    expected = {"invoice_number": "INV-1", "invoice_date": "2024-03-05", "total": 1234.56}
    schema = {
        "type": "object",
        "properties": {
            "invoice_number": {"type": "string"},
            "invoice_date": {"type": "string", "format": "date"},
            "total": {"type": "number"},
        },
    }
    good = {"invoice_number": " inv-1 ", "invoice_date": "2024-03-05", "total": "$1,234.56"}
    assert accuracy(score_document(schema, expected, good, "PER_DOCUMENT")) == 1.0
    bad = {"invoice_number": "INV-2", "invoice_date": "03/05/2024", "total": 1234.6}
    rows = score_document(schema, expected, bad, "PER_DOCUMENT")
    assert [ok for _, ok, _, _ in rows] == [False, False, False]


def test_nulls_match_null_missing_or_empty_but_not_a_value():
    schema = {"type": "object", "properties": {"po": {"type": ["string", "null"]}}}
    for actual in ({"po": None}, {}, {"po": ""}):
        assert accuracy(score_document(schema, {"po": None}, actual, "PER_DOCUMENT")) == 1.0
    assert accuracy(score_document(schema, {"po": None}, {"po": "X"}, "PER_DOCUMENT")) == 0.0


def test_array_items_are_paired_whatever_their_order_and_extras_count_against():
    row = {
        "type": "object",
        "properties": {"sku": {"type": "string"}, "price": {"type": "number"}},
    }
    expected = [{"sku": "A", "price": 1.0}, {"sku": "B", "price": 2.0}]
    swapped = [{"sku": "B", "price": 2.0}, {"sku": "A", "price": 1.0}]
    assert accuracy(score_document(row, expected, swapped, "PER_TABLE_ROW")) == 1.0
    extra = [*swapped, {"sku": "C", "price": 3.0}]
    rows = score_document(row, expected, extra, "PER_TABLE_ROW")
    assert (len(rows), sum(ok for _, ok, _, _ in rows)) == (6, 4)
    missing = score_document(row, expected, swapped[:1], "PER_TABLE_ROW")
    assert [ok for _, ok, _, _ in missing].count(True) == 2
    assert len(missing) == 4


def test_string_arrays_are_compared_as_multisets():
    schema = {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "string"}}},
    }
    rows = score_document(
        schema, {"tags": ["a", "b", "b"]}, {"tags": ["b", "a", "c"]}, "PER_DOCUMENT"
    )
    assert sorted(ok for _, ok, _, _ in rows) == [False, False, True, True]


@pytest.mark.parametrize(
    ("weights", "best"),
    [
        ([[3, 2], [3, 0]], 5),  # greedy on the first row would give 3 + 0
        ([[1, 0, 0], [0, 0, 5]], 6),
        ([[2], [7], [1]], 7),  # more rows than columns
        ([[0, 0], [0, 0]], 0),
    ],
)
def test_assignment_maximises_the_summed_weight(weights, best):
    pairs = hungarian_max(weights)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    assert sum(weights[i][j] for i, j in pairs) == best
