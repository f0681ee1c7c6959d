"""Unlabelled receipt and invoice values: the document's date, the header block, the final
total and the currency, on small hand-made pages."""

from __future__ import annotations

import datetime as dt

from extraction.pipeline.engines.local.dates import find_any_date
from extraction.pipeline.engines.local.header import clean_name, issuer_header
from extraction.pipeline.engines.local.hints import DocumentHints
from extraction.pipeline.engines.local.layout import build_layout
from extraction.pipeline.engines.local.meaning import meaning_of
from extraction.pipeline.engines.local.priors import document_currency, document_date
from extraction.pipeline.engines.local.totals import final_total, totals_triple
from tests.engines.local.helpers import page_from_rows, run_engine
from tests.engines.local.test_local_lexicon import spec_of

RECEIPT_ROWS = [
    [(90, "x7")],  # a logo read as two characters
    [(60, "KEDAI MAJU JAYA SDN BHD (123456-A)")],
    [(70, "NO. 12, JALAN MAWAR 3,")],
    [(80, "TAMAN SERI, 43000 KAJANG")],
    [(90, "TEL: 03-1234 5678")],
    [(100, "TAX INVOICE")],
    [(10, "Cashier: ALI"), (150, "24 Mar 18 09:12")],
    [(10, "SUGAR 1KG"), (200, "3.10")],
    [(10, "Total (Excluding GST):"), (200, "41.30")],
    [(10, "GST 6%:"), (200, "2.48")],
    [(10, "Total (Inclusive of GST):"), (200, "43.78")],
    [(10, "Rounding Adj:"), (200, "-0.03")],
    [(10, "TOTAL:"), (200, "43.75")],
    [(10, "CASH"), (200, "50.00")],
    [(10, "CHANGE"), (200, "6.25")],
    [(10, "GST Summary"), (120, "Amount"), (200, "Tax")],
    [(10, "Total"), (120, "41.30"), (200, "2.48")],
]


def _receipt():
    return build_layout(page_from_rows(RECEIPT_ROWS))


def test_dates_as_tills_and_scans_print_them() -> None:
    assert find_any_date("24 Mar 18 09:12")[0] == dt.date(2018, 3, 24)
    assert find_any_date("25/Feb/2017 07:43")[0] == dt.date(2017, 2, 25)
    assert find_any_date("DATE : 10 0CT 2017 TUE")[0] == dt.date(2017, 10, 10)  # 0 read for O
    assert find_any_date("Item 1X 3.10") is None


def test_the_document_date_prefers_a_line_that_says_date() -> None:
    layout = build_layout(
        page_from_rows([[(10, "Printed 01/02/2019")], [(10, "Date: 15/01/2019")]])
    )
    assert document_date([layout], DocumentHints(day_first=True)).value == "2019-01-15"


def test_the_header_block_gives_the_issuer_name_and_address() -> None:
    header = issuer_header(_receipt())
    assert header.name.value == "KEDAI MAJU JAYA SDN BHD"  # logo noise and reg. no. left out
    assert header.address.value == "NO. 12, JALAN MAWAR 3, TAMAN SERI, 43000 KAJANG"
    assert clean_name("MR D.I.Y. (M) SDN BHD (860671-D)") == "MR D.I.Y. (M) SDN BHD"


def test_a_name_split_before_its_legal_form_is_joined() -> None:
    layout = build_layout(
        page_from_rows(
            [[(60, "LIGHTROOM GALLERY")], [(120, "SDN BHD")], [(60, "NO 3, JALAN ASTANA")]]
        )
    )
    assert issuer_header(layout).name.value == "LIGHTROOM GALLERY SDN BHD"


def test_the_final_total_is_the_rounded_one_not_a_subtotal_or_the_tax_summary() -> None:
    total = final_total([_receipt()], DocumentHints())
    assert total.value == 43.75  # after the rounding row; paid less change agrees
    assert total.score > 0.7


def test_with_no_total_label_the_total_is_paid_less_change() -> None:
    layout = build_layout(
        page_from_rows(
            [
                [(10, "Oyster Mee"), (200, "9.90")],
                [(10, "Cash"), (200, "RM30.30")],
                [(10, "Change"), (200, "RM1.00")],
            ]
        )
    )
    assert final_total([layout], DocumentHints()).value == 29.3


def test_net_tax_and_gross_on_one_totals_row() -> None:
    layout = build_layout(
        page_from_rows([[(10, "Razem:")], [(10, "257,59"), (80, "59,24"), (150, "316,83")]])
    )
    net, tax, gross = totals_triple([layout], DocumentHints(decimal_comma=True))
    assert (net.value, tax.value, gross.value) == (257.59, 59.24, 316.83)


def test_the_currency_is_the_code_or_symbol_printed_with_the_amounts() -> None:
    layout = build_layout(page_from_rows([[(10, "Total: 123.45 EUR")], [(10, "Paid 123.45 EUR")]]))
    assert document_currency([layout]).value == "EUR"
    layout = build_layout(page_from_rows([[(10, "Należność: 316,83 zł")]]))
    assert document_currency([layout]).value == "PLN"


def test_field_meaning_comes_from_name_type_and_description() -> None:
    total = meaning_of(spec_of("total", {"type": "number", "description": "Final total paid."}))
    assert total.total == "total"
    assert total.concept == "money"
    address = meaning_of(
        spec_of("address", {"type": "string", "description": "Address of the merchant."})
    )
    assert address.role == "issuer"
    assert address.concept == "address"
    currency = meaning_of(spec_of("currency", {"type": "string", "description": "ISO 4217 code"}))
    assert currency.concept == "currency"
    line = meaning_of(spec_of("us_tin", {"type": "string", "description": "Line 5: U.S. TIN."}))
    assert line.line == "5"
    assert (
        meaning_of(spec_of("due_date", {"type": "string", "format": "date"})).document_date is False
    )


def test_a_receipt_schema_is_filled_without_any_label() -> None:
    schema = {
        "type": "object",
        "properties": {
            "company": {"type": ["string", "null"], "description": "Merchant name."},
            "address": {"type": ["string", "null"], "description": "Merchant address."},
            "date": {"type": ["string", "null"], "format": "date"},
            "total": {"type": ["number", "null"], "description": "Final total paid."},
        },
    }
    data = run_engine([page_from_rows(RECEIPT_ROWS)], schema).data
    assert data == {
        "company": "KEDAI MAJU JAYA SDN BHD",
        "address": "NO. 12, JALAN MAWAR 3, TAMAN SERI, 43000 KAJANG",
        "date": "2018-03-24",
        "total": 43.75,
    }


def test_scanned_headers_with_registration_lines_greetings_and_glued_forms() -> None:
    layout = build_layout(
        page_from_rows(
            [
                [(40, "Weicome to our shop")],  # a greeting as scanned
                [(40, "GOLDEN TRADING SDN BHD")],
                [(40, "CO. NO. 373665-A")],
                [(40, "LOT 5, JALAN MAJU,")],
                [(40, "47100 PUCHONG")],
                [(40, "TAX INVOICE")],
            ]
        )
    )
    header = issuer_header(layout)
    assert header.name.value == "GOLDEN TRADING SDN BHD"
    assert header.address.value == "LOT 5, JALAN MAJU, 47100 PUCHONG"
    assert (
        issuer_header(
            build_layout(
                page_from_rows(
                    [[(40, "MaxiResourcesSdnBhd(383322-D)")], [(40, "No 1, Jalan Satu")]]
                )
            )
        ).name.value
        == "MaxiResourcesSdnBhd"
    )


def test_scan_damage_in_dates_and_figures() -> None:
    assert find_any_date("CB#: 4597 25/Feb/201707:43:54")[0] == dt.date(2017, 2, 25)
    layout = build_layout(
        page_from_rows([[(10, "Total 5ales (Inclusive GST)")], [(150, "RM"), (200, "7.0 0")]])
    )
    assert final_total([layout], DocumentHints()).value == 7.0


def test_a_year_inside_a_date_is_never_an_amount() -> None:
    from extraction.pipeline.engines.local.typed import find_amount

    hints = DocumentHints()
    assert find_amount("TOTAL AMOUNT DUE ON January 3 , 2020", hints) is None
    assert find_amount("Due 05/03/2024 USD 44.50", hints)[0] == 44.5
    assert find_any_date("Invoice Date: January 3 , 2020")[0] == dt.date(2020, 1, 3)


def test_ringgit_amounts_make_ambiguous_dates_day_first() -> None:
    from extraction.pipeline.engines.local.hints import infer_hints

    assert infer_hints(["Date 05/03/2018  Total RM 12.50  Cash RM20.00"]).day_first is True
