"""LocalEngine behaviour on small hand-made documents: labels, tables, prose, contracts."""

from __future__ import annotations

import pytest

from extraction.pipeline.documents import load_text
from extraction.pipeline.engines.base import ExtractionCancelled
from tests.engines.local.helpers import page_from_rows, run_engine

INVOICE_SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "Invoice identifier."},
        "invoice_date": {"type": "string", "format": "date"},
        "due_date": {"type": ["string", "null"], "format": "date"},
        "currency": {"type": "string", "enum": ["USD", "EUR", "GBP"]},
        "line_items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "quantity": {"type": "number"},
                    "unit_price": {"type": "number"},
                    "amount": {"type": "number"},
                },
            },
        },
        "subtotal": {"type": "number"},
        "total": {"type": "number"},
    },
}

GERMAN_INVOICE = """\
Muster GmbH
Hauptstraße 1
10115 Berlin

Rechnungsnummer:   RE-2024-017
Rechnungsdatum:    05.03.2024

Bezeichnung                    Menge     Einzelpreis        Betrag
Beratung                           2        1.250,00      2.500,00
Reisekosten                        1          310,50        310,50

                                         Nettobetrag:   2.810,50 EUR
                                         Gesamtbetrag:  3.344,50 EUR
"""


def test_labels_tables_and_numbers_of_a_german_invoice() -> None:
    result = run_engine(load_text(GERMAN_INVOICE), INVOICE_SCHEMA)
    data = result.data
    assert data["invoice_number"] == "RE-2024-017"
    assert data["invoice_date"] == "2024-03-05"
    assert data["currency"] == "EUR"
    assert data["subtotal"] == pytest.approx(2810.50)
    assert data["total"] == pytest.approx(3344.50)
    assert data["line_items"] == [
        {"description": "Beratung", "quantity": 2, "unit_price": 1250.0, "amount": 2500.0},
        {"description": "Reisekosten", "quantity": 1, "unit_price": 310.5, "amount": 310.5},
    ]


def test_nothing_found_is_null_with_zero_confidence() -> None:
    result = run_engine(load_text(GERMAN_INVOICE), INVOICE_SCHEMA)
    assert result.data["due_date"] is None
    assert result.confidences["due_date"] == 0.0
    assert "due_date" not in result.locations


def test_every_found_leaf_has_a_span_that_shows_its_printed_text() -> None:
    document = load_text(GERMAN_INVOICE)
    result = run_engine(document, INVOICE_SCHEMA)
    span = result.locations["invoice_number"][0]
    assert span.page == 1
    assert document.page(1).text[span.start : span.end] == "RE-2024-017"
    assert span.text == "RE-2024-017"
    assert span.boxes, "text pages have synthetic word boxes to cite"
    amount = result.locations["line_items[1].amount"][0]
    assert amount.text == "310,50"
    assert result.confidences["line_items[1].amount"] > 0.5


def test_value_below_label_and_right_aligned_totals_on_a_pdf_like_page() -> None:
    page = page_from_rows(
        [
            [(50, "Acme Supplies Inc.")],
            [(50, "INVOICE #"), (300, "DATE")],
            [(50, "A-1009"), (300, "March 5, 2024")],
            [(50, "Description"), (330, "Qty"), (400, "Price"), (500, "Amount")],
            [(50, "Widgets"), (335, "3"), (400, "$10.00"), (500, "$30.00")],
            [(50, "Gadgets"), (335, "1"), (400, "$12.50"), (500, "$12.50")],
            [(400, "Subtotal"), (500, "$42.50")],
            [(400, "Total due"), (500, "$45.90")],
        ]
    )
    data = run_engine([page], INVOICE_SCHEMA).data
    assert data["invoice_number"] == "A-1009"
    assert data["invoice_date"] == "2024-03-05"
    assert data["currency"] == "USD"
    assert [item["amount"] for item in data["line_items"]] == [30.0, 12.5]
    assert data["subtotal"] == pytest.approx(42.5)
    assert data["total"] == pytest.approx(45.9)


STATEMENT_SCHEMA = {
    "type": "object",
    "properties": {
        "transactions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "description": {"type": "string"},
                    "amount": {"type": "number", "description": "Signed amount."},
                    "balance": {"type": ["number", "null"]},
                },
            },
        }
    },
}


def test_withdrawal_and_deposit_columns_give_signed_amounts_and_skip_carried_rows() -> None:
    page = page_from_rows(
        [
            [(50, "Statement period 1 March 2024 to 31 March 2024")],
            [
                (50, "Date"),
                (110, "Description"),
                (330, "Withdrawals"),
                (420, "Deposits"),
                (510, "Balance"),
            ],
            [(110, "BALANCE BROUGHT FORWARD"), (510, "100.00")],
            [(50, "03/02"), (110, "CARD PURCHASE"), (340, "20.00"), (510, "80.00")],
            [(50, "03/05"), (110, "SALARY"), (430, "500.00"), (510, "580.00")],
            [(50, "03/17"), (110, "RENT"), (340, "400.00"), (510, "180.00")],
        ]
    )
    rows = run_engine([page], STATEMENT_SCHEMA).data["transactions"]
    assert [(r["date"], r["amount"], r["balance"]) for r in rows] == [
        ("2024-03-02", -20.0, 80.0),
        ("2024-03-05", 500.0, 580.0),
        ("2024-03-17", -400.0, 180.0),
    ]


CATALOG_ROW = {
    "type": "object",
    "properties": {
        "sku": {"type": "string"},
        "product_name": {"type": "string"},
        "category": {"type": "string"},
        "unit_price": {"type": "number"},
    },
}


def test_per_table_row_carries_group_headings_and_continues_on_the_next_page() -> None:
    header = [(50, "SKU"), (150, "Product"), (420, "Price")]
    first = page_from_rows(
        [
            [(50, "Price list 2024")],
            header,
            [(50, "Paper")],
            [(50, "P-1"), (150, "Copy paper A4"), (420, "4.99")],
            [(50, "P-2"), (150, "Notebook"), (420, "2.50")],
            [(50, "Pens")],
            [(50, "W-1"), (150, "Ballpoint pen"), (420, "0.80")],
        ]
    )
    second = page_from_rows(
        [
            header,
            [(50, "W-2"), (150, "Fineliner"), (420, "1.20")],
            [(50, "Total items: 4")],
        ],
        number=2,
    )
    result = run_engine([first, second], CATALOG_ROW, target="PER_TABLE_ROW")
    assert result.data == [
        {"sku": "P-1", "product_name": "Copy paper A4", "category": "Paper", "unit_price": 4.99},
        {"sku": "P-2", "product_name": "Notebook", "category": "Paper", "unit_price": 2.5},
        {"sku": "W-1", "product_name": "Ballpoint pen", "category": "Pens", "unit_price": 0.8},
        {"sku": "W-2", "product_name": "Fineliner", "category": "Pens", "unit_price": 1.2},
    ]
    assert result.locations["[3].sku"][0].page == 2


CONTRACT_SCHEMA = {
    "type": "object",
    "properties": {
        "contract_type": {"type": "string", "enum": ["lease", "nda"]},
        "effective_date": {"type": "string", "format": "date"},
        "term_months": {"type": "integer", "description": "Length of the term in months."},
        "governing_law": {"type": "string", "description": "Jurisdiction whose laws govern."},
        "monthly_rent": {"type": ["number", "null"]},
        "parties": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "role": {"type": "string", "enum": ["landlord", "tenant", "party"]},
                },
            },
        },
    },
}

LEASE = """\
RESIDENTIAL LEASE AGREEMENT

This Agreement is made on the 5th day of March, 2024 (the "Effective Date") by and between
Oak Homes Ltd., a company with an address at 1 High Street, Leeds (the "Landlord"), and
Jane Roe, an individual (the "Tenant").

1. Term. The term of this Agreement shall be two (2) years from the Effective Date.

2. Rent. The Tenant shall pay a monthly rent of GBP 1,250.00 on the first day of each month.

3. Governing Law. This Agreement shall be governed by the laws of England and Wales.
"""


def test_prose_contract_terms_and_parties() -> None:
    data = run_engine(load_text(LEASE), CONTRACT_SCHEMA).data
    assert data["contract_type"] == "lease"
    assert data["effective_date"] == "2024-03-05"
    assert data["term_months"] == 24
    assert data["monthly_rent"] == pytest.approx(1250.0)
    assert data["governing_law"] == "England and Wales"
    assert data["parties"] == [
        {"name": "Oak Homes Ltd.", "role": "landlord"},
        {"name": "Jane Roe", "role": "tenant"},
    ]


def test_reasoning_names_the_label_or_column_that_matched() -> None:
    result = run_engine(load_text(GERMAN_INVOICE), INVOICE_SCHEMA, reasoning=True)
    assert "Rechnungsnummer" in result.reasoning["invoice_number"]
    assert "table" in result.reasoning["line_items"]
    assert "no matching" in result.reasoning["due_date"]


def test_per_page_returns_one_object_per_page() -> None:
    first = page_from_rows([[(50, "Invoice No: A-1")], [(50, "Total: 10.00")]])
    second = page_from_rows([[(50, "Invoice No: A-2")], [(50, "Total: 20.00")]], number=2)
    result = run_engine([first, second], INVOICE_SCHEMA, target="PER_PAGE")
    assert [(d["invoice_number"], d["total"]) for d in result.data] == [
        ("A-1", 10.0),
        ("A-2", 20.0),
    ]
    assert result.locations["[1].invoice_number"][0].page == 2


def test_progress_is_reported_per_page_and_cancellation_stops_the_run() -> None:
    pages = [page_from_rows([[(50, f"Invoice No: A-{n}")]], number=n) for n in range(1, 4)]
    seen: list[int] = []
    run_engine(pages, INVOICE_SCHEMA, on_progress=seen.append)
    assert seen == [1, 2, 3]
    with pytest.raises(ExtractionCancelled):
        run_engine(pages, INVOICE_SCHEMA, should_cancel=lambda: True)


MARKDOWN_INVOICE = """\
# Invoice INV-77

**Invoice date:** 2024-02-29

| Item | Qty | Unit price | Total |
|------|----:|-----------:|------:|
| Widget A | 2 | 10.00 | 20.00 |
| Widget B | 1 | 5.50 | 5.50 |

**Total:** 25.50 USD
"""


def test_markdown_pipe_table_and_emphasised_labels() -> None:
    from extraction.pipeline.documents import load_document

    document = load_document(MARKDOWN_INVOICE.encode(), file_name="invoice.md")
    data = run_engine(document, INVOICE_SCHEMA).data
    assert data["invoice_number"] == "INV-77"
    assert data["invoice_date"] == "2024-02-29"
    assert data["total"] == pytest.approx(25.5)
    assert data["line_items"] == [
        {"description": "Widget A", "quantity": 2, "unit_price": 10.0, "amount": 20.0},
        {"description": "Widget B", "quantity": 1, "unit_price": 5.5, "amount": 5.5},
    ]
