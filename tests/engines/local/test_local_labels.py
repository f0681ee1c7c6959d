"""Label matching, typed reading and document cues of the local engine."""

from __future__ import annotations

from extraction.pipeline.documents import load_text
from extraction.pipeline.engines.local.hints import DocumentHints, infer_hints
from extraction.pipeline.engines.local.labels import field_specs, label_score
from extraction.pipeline.engines.local.typed import match_enum, read_value
from tests.engines.local.helpers import page_from_rows, run_engine


def spec_of(name: str, schema: dict | None = None):
    return field_specs({"type": "object", "properties": {name: schema or {"type": "string"}}})[0]


def test_labels_match_names_synonyms_and_languages() -> None:
    number = spec_of("invoiceNumber")
    assert label_score("Invoice No.:", number) >= 0.95
    assert label_score("Inv. #", number) >= 0.85
    assert label_score("Rechnungsnummer", number) >= 0.85
    assert label_score("Numéro de facture", number) >= 0.85
    assert label_score("Customer ID", number) == 0.0


def test_a_fuzzy_label_may_misspell_words_but_not_swap_short_ones() -> None:
    po_number = spec_of("purchase_order_number")
    assert label_score("Customer PO", po_number) >= 0.85
    assert label_score("Customer No.", po_number) == 0.0
    assert label_score("Purchse Order", po_number) >= 0.8


def test_count_fields_are_labelled_by_their_plural_noun() -> None:
    count = spec_of("invoice_count", {"type": "integer"})
    assert label_score("Invoices in batch", count) > 0.85
    assert label_score("Invoice #", count) == 0.0


def test_ticked_checkbox_option_is_the_boolean() -> None:
    hints = DocumentHints()
    assert read_value("boolean", "☑ Yes ☐ No", hints, {})[0] is True
    assert read_value("boolean", "[ ] Yes [x] No", hints, {})[0] is False
    assert read_value("boolean", "maybe", hints, {}) is None


def test_enums_match_the_stated_option_or_a_synonym() -> None:
    methods = ["cash", "credit_card", "debit_card", "mobile_wallet"]
    assert match_enum("VISA CREDIT", methods) == "credit_card"
    assert match_enum("Apple Pay", methods) == "mobile_wallet"
    assert match_enum("Credit card", methods) == "credit_card"
    assert match_enum("IOU", methods) is None


def test_document_conventions_come_from_unambiguous_evidence() -> None:
    hints = infer_hints(["Datum: 25.03.2024  Betrag 1.234,56 EUR  Konto XXXX-2000"])
    assert hints.day_first is True
    assert hints.decimal_comma is True
    assert hints.year == 2024


def test_pattern_takes_the_last_four_digits_of_a_masked_card() -> None:
    schema = {
        "type": "object",
        "properties": {"card_last4": {"type": ["string", "null"], "pattern": "^[0-9]{4}$"}},
    }
    data = run_engine(load_text("TOTAL 12.00\nCard: ************8819\n"), schema).data
    assert data == {"card_last4": "8819"}


def test_first_and_last_occurrences_of_a_repeated_label() -> None:
    schema = {
        "type": "object",
        "properties": {
            "first_invoice_number": {"type": "string"},
            "last_invoice_number": {"type": "string"},
        },
    }
    pages = [page_from_rows([[(50, f"Invoice #: INV-{n:03d}")]], number=n) for n in range(1, 4)]
    data = run_engine(pages, schema).data
    assert data == {"first_invoice_number": "INV-001", "last_invoice_number": "INV-003"}


def test_the_letterhead_names_the_issuer_and_its_address() -> None:
    schema = {
        "type": "object",
        "properties": {
            "vendor": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "address": {"type": "string"}},
            },
            "customer_name": {"type": "string"},
        },
    }
    page = page_from_rows(
        [
            [(50, "Harbor Tools Ltd."), (400, "INVOICE")],
            [(50, "12 Quay Street")],
            [(50, "Bristol BS1 4AA")],
            [(50, "Tel +44 117 496 0000")],
            [],
            [(50, "Bill To:")],
            [(50, "Jane Roe")],
        ],
        sizes={0: 16.0},
    )
    data = run_engine([page], schema).data
    assert data == {
        "vendor": {"name": "Harbor Tools Ltd.", "address": "12 Quay Street, Bristol BS1 4AA"},
        "customer_name": "Jane Roe",
    }


def test_a_debit_marker_makes_an_amount_negative() -> None:
    assert read_value("number", "120.00 DR", DocumentHints(), {})[0] == -120.0
    assert read_value("number", "120.00 CR", DocumentHints(), {})[0] == 120.0


def test_same_label_with_two_dates_gives_opening_and_closing() -> None:
    schema = {
        "type": "object",
        "properties": {
            "opening_balance": {"type": "number"},
            "closing_balance": {"type": "number"},
        },
    }
    page = page_from_rows(
        [
            [(50, "Balance on 30 November 2024"), (230, "GBP 5,021.51")],
            [(50, "Money in"), (230, "GBP 100.00")],
            [(50, "Balance on 1 November 2024"), (230, "GBP 4,921.51")],
        ]
    )
    data = run_engine([page], schema).data
    assert data == {"opening_balance": 4921.51, "closing_balance": 5021.51}


def test_email_and_uri_formats_are_found_by_pattern() -> None:
    schema = {
        "type": "object",
        "properties": {
            "contact": {"type": "string", "format": "email"},
            "site": {"type": "string", "format": "uri"},
        },
    }
    text = "Contact us at help@acme.io or visit https://acme.io/support today."
    result = run_engine(load_text(text), schema)
    assert result.data == {"contact": "help@acme.io", "site": "https://acme.io/support"}
    assert result.locations["contact"][0].text == "help@acme.io"
