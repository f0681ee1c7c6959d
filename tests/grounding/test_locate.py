"""Locating quotes and typed values in page text: exact, normalized, fuzzy, value, not found."""

from __future__ import annotations

from extraction.pipeline.documents import load_text
from extraction.pipeline.grounding.locate import PageIndex, find_text, locate, occurrences

INVOICE = (
    "ACME Industrial Supplies GmbH\n"
    "Rechnung Nr.: RE-2024-0457\n"
    "Rechnungsdatum: 05.03.2024\n"
    "Item Qty Amount\n"
    "Steel bolts M8 12 1.234,56 €\n"
    "Washers 1 9,90 €\n"
    "Gesamtbetrag: 1.244,46 €\n"
)


def index_for(text: str) -> PageIndex:
    return PageIndex(load_text(text))


def span_text(index: PageIndex, spans) -> str:
    return " ".join(index.text(s.page)[s.start : s.end] for s in spans)


def test_verbatim_quote_is_an_exact_match_with_offsets():
    index = index_for(INVOICE)
    spans, how = locate(index, "RE-2024-0457", "RE-2024-0457")
    assert how == "exact"
    assert [(s.page, s.match) for s in spans] == [(1, "exact")]
    assert INVOICE[spans[0].start : spans[0].end] == "RE-2024-0457"


def test_quote_differing_in_case_spacing_and_punctuation_is_normalized():
    index = index_for(INVOICE)
    spans, _ = locate(index, "ACME Industrial Supplies GmbH", "acme  industrial supplies, gmbh")
    assert spans[0].match == "normalized"
    assert span_text(index, spans) == "ACME Industrial Supplies GmbH"


def test_quote_with_a_typo_is_a_fuzzy_match_on_whole_words():
    index = index_for(INVOICE)
    spans, _ = locate(index, "ACME Industrial Supplies GmbH", "ACME Industiral Supplies GmbH")
    assert spans[0].match == "fuzzy"
    assert 0.85 <= spans[0].score < 1.0
    assert span_text(index, spans) == "ACME Industrial Supplies GmbH"


def test_amount_is_found_by_value_in_the_documents_own_format():
    index = index_for(INVOICE)
    spans, how = locate(index, 1244.46, "Total: EUR 1244.46")  # the model reformatted it
    assert how is None
    assert spans[0].match == "value"
    assert span_text(index, spans) == "1.244,46"


def test_date_is_found_by_value_whatever_its_printed_format():
    index = index_for(INVOICE)
    spans, _ = locate(index, "2024-03-05", None)
    assert spans[0].match == "value"
    assert span_text(index, spans) == "05.03.2024"


def test_quote_that_does_not_hold_the_number_falls_back_to_the_printed_value():
    index = index_for(INVOICE)
    # The quote is real, but it is the line amount; the value is the total.
    spans, how = locate(index, 1244.46, "1.234,56 €")
    assert how == "exact"
    assert span_text(index, spans) == "1.244,46"


def test_hallucinated_number_with_a_real_quote_is_not_supported():
    index = index_for(INVOICE)
    spans, how = locate(index, 999.99, "Gesamtbetrag: 1.244,46 €")
    assert how == "exact"
    assert spans == []


def test_value_absent_from_the_document_is_not_found():
    index = index_for(INVOICE)
    assert locate(index, "Wayne Enterprises", "Wayne Enterprises")[0] == []
    assert locate(index, "2019-12-31", None)[0] == []


def test_short_quote_does_not_match_inside_a_longer_number():
    index = index_for("Year 2024\nQty 1\n")
    spans = find_text(index, "1")
    assert span_text(index, spans) == "1"
    assert spans[0].start == len("Year 2024\nQty ")


def test_nearest_occurrence_wins_when_a_quote_is_printed_twice():
    text = "Bolts 1 9,90\nNuts 3 1,00\nWashers 1 2,00\n"
    index = index_for(text)
    washers = find_text(index, "Washers")[0]
    spans = find_text(index, "1", near=washers)
    assert spans[0].start == text.index("Washers 1") + len("Washers ")


def test_multi_line_quote_is_cited_line_by_line_when_lines_are_apart():
    text = "Bill to: Jane Roe      Ship to: Depot 4\n12 Main St             Dock Road\n"
    index = index_for(text)
    spans = find_text(index, "Jane Roe\n12 Main St")
    assert [index.text(1)[s.start : s.end] for s in spans] == ["Jane Roe", "12 Main St"]


def test_wrapped_table_cell_is_found_in_two_pieces():
    text = "Ann Lee Legal April 27, 2012\nDecember 25,\nBo Kim Legal Counsel\n2019\n"
    index = index_for(text)
    spans, _ = locate(index, "2019-12-25", "December 25, 2019")
    assert span_text(index, spans) == "December 25, 2019"
    assert len(spans) == 2


def test_occurrences_lists_every_place_and_gives_up_on_very_common_text():
    index = index_for("Sales\nSales team\nsales\n")
    places = occurrences(index, "Sales", None)
    assert [p.match for p in places] == ["exact", "exact", "normalized"]
    assert occurrences(index, "Sales", None, limit=2) is None


def test_date_printed_without_year_counts_only_when_the_document_prints_the_year():
    document = load_document_pages(
        ["Statement period: March 1, 2024 - March 31, 2024", "03/18 COFFEE 4.50"]
    )
    index = PageIndex(document)
    spans, _ = locate(index, "2024-03-18", "03/18")
    assert (spans[0].page, span_text(index, spans)) == (2, "03/18")
    # The same row read as another year is not supported by anything printed.
    assert locate(index, "2019-03-18", "03/18")[0] == []


def test_price_is_found_after_a_quantity_separated_by_a_space():
    index = index_for("Copywriting 6 304,98 1 829,88\n")
    spans, _ = locate(index, 304.98, None)
    assert span_text(index, spans) == "304,98"
    spans, _ = locate(index, 1829.88, None)
    assert span_text(index, spans) == "1 829,88"


def load_document_pages(texts: list[str]):
    """A document with one page per text (pages as the text loader builds them)."""
    from extraction.pipeline.documents.base import Document

    pages = []
    for number, text in enumerate(texts, start=1):
        page = load_text(text).page(1)
        page.number = number
        pages.append(page)
    return Document("text/plain", pages)


def test_quote_covering_only_part_of_a_name_does_not_support_it():
    index = index_for(INVOICE)
    # The quote is real text, but the value says more than it.
    assert locate(index, "Gesamtbetrag Holdings", "Gesamtbetrag")[0] == []
    # A one-word code read from real text is supported by it.
    spans, _ = locate(index, "EUR", "1.244,46 €")
    assert span_text(index, spans) == "1.244,46 €"


def test_quote_with_its_label_is_cut_down_to_the_value():
    index = index_for(INVOICE)
    spans, how = locate(index, "RE-2024-0457", "Rechnung Nr.: RE-2024-0457")
    assert how == "exact"
    assert span_text(index, spans) == "RE-2024-0457"
    spans, _ = locate(index, 1244.46, "Gesamtbetrag: 1.244,46 €")
    assert span_text(index, spans) == "1.244,46 €"
    spans, _ = locate(index, "2024-03-05", "Rechnungsdatum: 05.03.2024")
    assert span_text(index, spans) == "05.03.2024"
