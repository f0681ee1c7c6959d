"""build_field_metadata: citations mirroring the data, unsupported values, confidence, reasoning,
and nothing computed when no option asks for it."""

from __future__ import annotations

import pytest

from extraction.pipeline.citations import (
    NO_INFORMATION,
    build_field_metadata,
    find_unsupported_paths,
    leaf_metadata,
)
from extraction.pipeline.config import ExtractConfig, ExtractionTarget
from extraction.pipeline.documents import Document, load_document, load_text
from extraction.pipeline.documents.base import Box, Page, Word
from extraction.pipeline.engines.base import EngineRequest, EngineResult, SourceSpan

TEXT = (
    "INVOICE INV-2024-001\n"
    "Vendor: Northwind Traders Ltd\n"
    "Date: March 5, 2024\n"
    "Description Qty Amount\n"
    "Paper A4 2 $12.50\n"
    "Toner black 1 $89.00\n"
    "Total due: $101.50\n"
)
CITE_AND_SCORE = ExtractConfig(cite_sources=True, confidence_scores=True)


def llm_result(data, quotes, **kwargs) -> EngineResult:
    return EngineResult(data=data, engine="openai", quotes=quotes, **kwargs)


def invoice_data() -> tuple[dict, dict]:
    data = {
        "invoice_number": "INV-2024-001",
        "vendor": {"name": "Northwind Traders Ltd", "tax_id": None},
        "date": "2024-03-05",
        "line_items": [
            {"description": "Paper A4", "quantity": 2, "amount": 12.5},
            {"description": "Toner black", "quantity": 1, "amount": 89.0},
        ],
        "total": 101.5,
    }
    quotes = {
        "invoice_number": "INV-2024-001",
        "vendor.name": "Northwind Traders Ltd",
        "date": "March 5, 2024",
        "line_items[0].description": "Paper A4",
        "line_items[0].quantity": "2",
        "line_items[0].amount": "$12.50",
        "line_items[1].description": "Toner black",
        "line_items[1].quantity": "1",
        "line_items[1].amount": "$89.00",
        "total": "$101.50",
    }
    return data, quotes


def test_every_leaf_is_cited_in_the_shape_of_the_data():
    document = load_text(TEXT)
    data, quotes = invoice_data()
    metadata, unsupported, _ = build_field_metadata(
        llm_result(data, quotes), document, ExtractConfig(cite_sources=True)
    )
    assert unsupported == []
    assert set(metadata) == set(data)
    assert isinstance(metadata["line_items"], list)
    assert len(metadata["line_items"]) == 2
    amount = metadata["line_items"][1]["amount"]
    citation = amount["citation"][0]
    assert amount["match"] == "exact"
    assert citation["page"] == 1
    assert citation["matching_text"] == "$89.00"
    assert TEXT[citation["char_start"] : citation["char_end"]] == "$89.00"
    assert citation["page_dimensions"] == {"width": 612.0, "height": 792.0}
    assert set(citation["bounding_boxes"][0]) == {"x", "y", "w", "h"}
    # Quantity "1" is cited in its own row, not in "INV-2024-001" or "$101.50".
    quantity = metadata["line_items"][1]["quantity"]["citation"][0]
    assert TEXT.rfind("\n", 0, quantity["char_start"]) == TEXT.index("\nToner")
    assert metadata["vendor"]["tax_id"] == {"citation": []}
    # No confidence was asked for.
    assert "confidence" not in metadata["total"]


def test_value_absent_from_the_document_is_not_found_with_low_confidence():
    document = load_text(TEXT)
    data, quotes = invoice_data()
    data["vendor"]["name"] = "Wayne Enterprises Inc"
    quotes["vendor.name"] = "Vendor: Wayne Enterprises Inc"
    data["total"] = 1999.0  # the quote is real text, but does not hold this number
    result = llm_result(data, quotes, confidences={"total": 0.99})
    metadata, unsupported, _ = build_field_metadata(result, document, CITE_AND_SCORE)
    assert unsupported == ["vendor.name", "total"]
    for path in unsupported:
        entry = leaf_metadata(metadata, path)
        assert entry["match"] == "not_found"
        assert entry["citation"] == []
        assert entry["confidence"] <= 0.1
    assert leaf_metadata(metadata, "invoice_number")["confidence"] >= 0.9
    assert find_unsupported_paths(result, document) == ["vendor.name", "total"]


def test_options_off_compute_nothing():
    class Untouchable(list):
        def __getitem__(self, item):
            raise AssertionError("the document was read")

    document = Document(media_type="text/plain", pages=Untouchable([None]))
    data, quotes = invoice_data()
    outcome = build_field_metadata(llm_result(data, quotes), document, ExtractConfig())
    assert outcome == ({}, [], {})


def test_deprecated_citation_bbox_still_cites():
    document = load_text(TEXT)
    data, quotes = invoice_data()
    metadata, _, _ = build_field_metadata(
        llm_result(data, quotes), document, ExtractConfig(citation_bbox=True)
    )
    assert metadata["total"]["citation"][0]["matching_text"] == "$101.50"


def test_list_results_give_a_list_of_metadata():
    document = load_text("SKU Name Price\nA-1 Pen 1.20\nB-2 Ink 3.40\n")
    data = [{"sku": "A-1", "price": 1.2}, {"sku": "B-2", "price": 3.4}]
    quotes = {"[0].sku": "A-1", "[0].price": "1.20", "[1].sku": "B-2", "[1].price": "3.40"}
    metadata, unsupported, _ = build_field_metadata(
        llm_result(data, quotes), document, CITE_AND_SCORE
    )
    assert unsupported == []
    assert [m["price"]["citation"][0]["matching_text"] for m in metadata] == ["1.20", "3.40"]
    assert leaf_metadata(metadata, "[1].sku")["citation"][0]["matching_text"] == "B-2"


def test_values_without_quotes_are_found_by_value_and_string_arrays_per_item():
    document = load_text("Skills: Python, Rust, Kafka\nSince 05/03/2024\n")
    data = {"skills": ["Python", "Kafka"], "since": "2024-03-05"}
    metadata, unsupported, _ = build_field_metadata(
        llm_result(data, {}), document, ExtractConfig(cite_sources=True)
    )
    assert unsupported == []
    assert [m["citation"][0]["matching_text"] for m in metadata["skills"]] == ["Python", "Kafka"]
    assert metadata["since"]["citation"][0]["matching_text"] == "05/03/2024"
    assert metadata["since"]["match"] == "value"


def test_reasoning_per_top_level_field_or_a_statement_that_it_is_absent():
    document = load_text(TEXT)
    data, quotes = invoice_data()
    result = llm_result(data, quotes, reasoning={"total": "Labelled 'Total due'."})
    data["po_number"] = None
    metadata, _, reasoning = build_field_metadata(
        result, document, ExtractConfig(use_reasoning=True)
    )
    assert metadata["total"]["reasoning"] == "Labelled 'Total due'."
    assert metadata["po_number"]["reasoning"] == NO_INFORMATION
    assert reasoning["line_items"] == NO_INFORMATION or "page 1" in reasoning["line_items"]
    # Reasoning alone computes no citation or confidence.
    assert "citation" not in metadata["total"]
    assert "confidence" not in metadata["total"]


def test_local_engine_locations_are_cited_as_given_and_scored_by_match_quality():
    document = load_text(TEXT)
    start = TEXT.index("$101.50")
    box = Box(10, 20, 30, 8)
    span = SourceSpan(1, start, start + 7, "$101.50", "exact", 0.9, (box,))
    result = EngineResult(
        data={"total": 101.5, "po": None},
        engine="local",
        locations={"total": [span]},
        confidences={"total": 0.9, "po": 0.0},
    )
    metadata, unsupported, _ = build_field_metadata(result, document, CITE_AND_SCORE)
    citation = metadata["total"]["citation"][0]
    assert citation["bounding_boxes"] == [{"x": 10, "y": 20, "w": 30, "h": 8}]
    assert (citation["char_start"], citation["char_end"]) == (start, start + 7)
    assert metadata["total"]["parsing_confidence"] == 1.0
    assert 0.9 <= metadata["total"]["confidence"] <= 1.0
    assert metadata["po"]["citation"] == []
    assert unsupported == []


def test_parsing_confidence_is_the_ocr_confidence_of_the_cited_words():
    words = [
        Word("Total", Box(10, 10, 30, 10), 0, 5, confidence=0.9),
        Word("42.00", Box(50, 10, 30, 10), 6, 11, confidence=0.5),
    ]
    page = Page(1, 600, 800, "Total 42.00", words=words, ocr=True)
    document = Document("image/png", [page])
    result = llm_result({"total": 42.0}, {"total": "42.00"})
    metadata, _, _ = build_field_metadata(result, document, CITE_AND_SCORE)
    entry = metadata["total"]
    assert entry["parsing_confidence"] == 0.5
    assert entry["confidence"] == pytest.approx(entry["extraction_confidence"] * 0.5, abs=0.002)


def test_local_engine_citations_on_corpus_pdfs_point_at_the_printed_text(corpus):
    from bench.grounding import overlaps, printed_boxes
    from extraction.pipeline.engines.local import LocalEngine

    checked = right_page = box_hits = 0
    for entry in (doc for doc in corpus if doc.meta["format"] == "pdf"):
        meta, schema = entry.meta, entry.schema
        document = load_document(entry.path)
        config = ExtractConfig(extraction_target=ExtractionTarget(entry.target))
        pages = list(range(1, document.page_count + 1))
        result = LocalEngine().extract(EngineRequest(document, pages, schema, config))
        metadata, _, _ = build_field_metadata(result, document, CITE_AND_SCORE)
        for truth in meta["fields"]:
            entry_meta = leaf_metadata(metadata, truth["path"])
            value_is_right = entry_meta and truth["rendered"] and truth["path"] in result.locations
            if not value_is_right or "[" in truth["path"]:
                continue  # array items may be ordered differently; the bench aligns them
            checked += 1
            citation = entry_meta["citation"][0]
            if citation["page"] == truth["page"]:
                right_page += 1
                hits = printed_boxes(document, truth["page"], truth["rendered"])
                if any(overlaps(citation["bounding_boxes"][0], b) for b in hits):
                    box_hits += 1
    assert checked >= 40
    assert right_page / checked >= 0.95
    assert box_hits / checked >= 0.9


def test_recurring_row_text_is_cited_in_the_row_of_its_own_date_and_amount():
    text = (
        "Date Description Amount\n"
        "03/02 CARD PURCHASE BEAN & LEAF 4.50\n"
        "03/09 CARD PURCHASE BEAN & LEAF 6.20\n"
        "03/16 CARD PURCHASE BEAN & LEAF 5.10\n"
        "Statement period March 2024\n"
    )
    document = load_text(text)
    data = {
        "transactions": [
            {"date": "2024-03-16", "description": "CARD PURCHASE BEAN & LEAF", "amount": -5.1},
            {"date": "2024-03-09", "description": "CARD PURCHASE BEAN & LEAF", "amount": -6.2},
        ]
    }
    quotes = {
        "transactions[0].date": "03/16",
        "transactions[0].description": "CARD PURCHASE BEAN & LEAF",
        "transactions[0].amount": "5.10",
        "transactions[1].description": "CARD PURCHASE BEAN & LEAF",
    }
    metadata, unsupported, _ = build_field_metadata(
        llm_result(data, quotes), document, ExtractConfig(cite_sources=True)
    )
    assert unsupported == []
    for item, row_start in zip(metadata["transactions"], ("03/16", "03/09"), strict=True):
        line = text.index(row_start)
        line_end = text.index("\n", line)
        for field_name in ("date", "description", "amount"):
            citation = item[field_name]["citation"][0]
            assert line <= citation["char_start"] < line_end, (field_name, row_start)


def test_pipeline_result_is_grounded_as_the_pipeline_will_call_it(corpus):
    """The integration call: ``build_field_metadata(outcome.engine_result, document, config,
    pages=selected, schema=schema)`` on what ``run_pipeline`` returns (coerced data, local
    engine)."""
    from extraction.pipeline.run import PipelineInput, run_pipeline

    invoice = corpus["invoice_classic_us"]
    meta, schema, content = invoice.meta, invoice.schema, invoice.path.read_bytes()
    config = ExtractConfig(cite_sources=True, confidence_scores=True, use_reasoning=True)
    outcome = run_pipeline(
        PipelineInput(schema, config, content=content, file_name=invoice.path.name)
    )
    document = load_document(content, file_name=invoice.path.name)
    metadata, unsupported, reasoning = build_field_metadata(
        outcome.engine_result,
        document,
        config,
        pages=list(range(1, document.page_count + 1)),
        schema=schema,
    )
    assert set(metadata) == set(outcome.data)
    assert unsupported == []
    truth = {f["path"]: f for f in meta["fields"] if f["rendered"] and "[" not in f["path"]}
    checked = 0
    for path, field_truth in truth.items():
        entry = leaf_metadata(metadata, path)
        if entry and entry.get("citation"):
            checked += 1
            assert entry["citation"][0]["page"] == field_truth["page"], path
            assert 0.0 <= entry["confidence"] <= 1.0
    assert checked >= 10
    assert set(reasoning) == set(outcome.data)


def test_quote_supports_an_enum_it_does_not_print_but_never_an_invented_name():
    document = load_text("Paid with VISA CREDIT ending 4242\nCashier: Mo\n")
    schema = {
        "type": "object",
        "properties": {
            "payment_method": {"type": ["string", "null"], "enum": ["card", "cash", None]},
            "cashier": {"type": ["string", "null"]},
        },
    }
    data = {"payment_method": "card", "cashier": "Zephyrine Holloway"}
    quotes = {"payment_method": "VISA CREDIT", "cashier": "Cashier: Mo"}
    metadata, unsupported, _ = build_field_metadata(
        llm_result(data, quotes), document, CITE_AND_SCORE, schema=schema
    )
    assert metadata["payment_method"]["citation"][0]["matching_text"] == "VISA CREDIT"
    # Read from the quote, not printed as such: supported, with less confidence than a copy.
    assert 0.5 < metadata["payment_method"]["confidence"] < 0.9
    assert unsupported == ["cashier"]
    assert metadata["cashier"]["match"] == "not_found"
