"""Schema meaning read word by word through the lexicon (data file, several languages)."""

from __future__ import annotations

from extraction.pipeline.engines.local.labels import field_specs, label_score, word_phrases
from extraction.pipeline.engines.local.lexicon import currency_codes, legal_form_pattern


def spec_of(name: str, schema: dict | None = None):
    return field_specs({"type": "object", "properties": {name: schema or {"type": "string"}}})[0]


def test_each_word_of_a_field_name_is_matched_through_its_synonyms() -> None:
    vendor = spec_of("vendor_name")
    assert label_score("Supplier", vendor) >= 0.85
    assert label_score("Seller name", vendor) >= 0.9
    assert label_score("Sprzedawca", vendor) >= 0.85  # Polish, from the data file
    tax = spec_of("tax_amount", {"type": "number"})
    assert label_score("VAT", tax) >= 0.85
    assert label_score("Customer", tax) == 0.0


def test_type_words_that_identify_a_value_are_not_dropped() -> None:
    # "Order" alone does not label an order *number*; "Vendor" does label a vendor name.
    assert label_score("Order", spec_of("order_number")) < 0.8
    assert label_score("Order No.", spec_of("order_number")) >= 0.9
    phrases = dict(word_phrases("vendor name"))
    assert "vendor" in phrases
    assert "seller name" in phrases
    assert "account" not in dict(word_phrases("account number"))


def test_legal_forms_and_currency_words_come_from_the_lexicon() -> None:
    assert legal_form_pattern().search("ACME TRADING SDN. BHD. (12345-K)")
    assert legal_form_pattern().search("Globex Corporation")
    assert not legal_form_pattern().search("Main Street 12")
    codes = currency_codes()
    assert codes["zł"] == "PLN"
    assert codes["rm"] == "MYR"
    assert codes["€"] == "EUR"


def test_invoice_labels_in_german_and_a_currency_column_between_label_and_value() -> None:
    from extraction.pipeline.documents import load_text
    from tests.engines.local.helpers import run_engine

    schema = {
        "type": "object",
        "properties": {
            "subtotal": {"type": ["number", "null"], "description": "Total before tax."},
            "tax_amount": {"type": ["number", "null"], "description": "Total tax."},
            "order_number": {"type": ["string", "null"]},
        },
    }
    text = (
        "Booking ID: ABCD1234\n"
        "Gesamtbetrag netto          100,00 EUR\n"
        "zzgl. 19% MwSt.              19,00 EUR\n"
        "GST @12%         Rs.        240.00\n"
    )
    data = run_engine(load_text(text), schema).data
    assert (data["subtotal"], data["tax_amount"]) == (100.0, 19.0)
    assert data["order_number"] is None  # "ID: ABCD1234" is labelled as an ID, not an order
    data = run_engine(load_text("GST @12%         Rs.        240.00\n"), schema).data
    assert data["tax_amount"] == 240.0
