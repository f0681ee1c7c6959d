"""Filled-in forms: a value in the box its printed label heads, checkboxes, signature lines."""

from __future__ import annotations

from extraction.pipeline.engines.local.forms import fill_form
from extraction.pipeline.engines.local.hints import DocumentHints
from extraction.pipeline.engines.local.labels import field_specs
from extraction.pipeline.engines.local.layout import build_layout
from tests.engines.local.helpers import page_from_rows, run_engine

FORM_ROWS = [
    [(40, "PAYER'S name, street address, city or town"), (300, "1 Rents")],
    [(40, "or foreign postal code, and telephone no.")],
    [(40, "Acme Supply Co."), (300, "$ 1,500")],
    [(40, "12 Harbor Road"), (300, "2 Royalties")],
    [(40, "Springfield, IL 62704"), (300, "$ 250.00")],
    [(40, "PAYER'S TIN"), (170, "RECIPIENT'S TIN"), (300, "3 Other income")],
    [(40, "12-3456789"), (170, "98-7654321")],
    [(40, "4 Name of individual who is the beneficial owner"), (300, "5 Country of citizenship")],
    [(40, "Maria Lopez"), (300, "Spain")],
    [(40, "6 Payer made direct sales"), (300, "7 Tax classification")],
    [(40, "totaling $5,000 or more"), (110, "checked"), (300, "unchecked Individual")],
    [(300, "checked Partnership")],
    [(40, "15-03-2021"), (300, "Maria Lopez")],
    [(40, "Date (DD-MM-YYYY)"), (300, "Print name of signer")],
]

SCHEMA = {
    "type": "object",
    "properties": {
        "payer_name": {"type": ["string", "null"], "description": "First line of the payer box."},
        "payer_address": {"type": ["string", "null"], "description": "Rest of the payer box."},
        "payer_tin": {"type": ["string", "null"]},
        "recipient_tin": {"type": ["string", "null"]},
        "box1_rents": {"type": ["number", "null"]},
        "box2_royalties": {"type": ["number", "null"]},
        "box3_other_income": {"type": ["number", "null"]},
        "name": {"type": ["string", "null"], "description": "Line 4: name of the owner."},
        "country_of_citizenship": {"type": ["string", "null"], "description": "Line 5."},
        "box6_direct_sales": {"type": ["boolean", "null"], "description": "Box 6 checkbox."},
        "classification": {
            "type": ["string", "null"],
            "enum": ["individual", "partnership", "trust", None],
            "description": "Line 7: the checked box.",
        },
        "signature_date": {
            "type": ["string", "null"],
            "format": "date",
            "description": "Date signed.",
        },
        "signer_name": {"type": ["string", "null"], "description": "Print name of signer."},
    },
}


def test_values_are_read_from_the_box_each_label_heads() -> None:
    data = run_engine([page_from_rows(FORM_ROWS)], SCHEMA).data
    assert data["payer_name"] == "Acme Supply Co."  # one box: the name is its first line
    assert data["payer_address"] == "12 Harbor Road Springfield, IL 62704"
    assert (data["payer_tin"], data["recipient_tin"]) == ("12-3456789", "98-7654321")
    assert (data["box1_rents"], data["box2_royalties"]) == (1500, 250.0)
    assert data["box3_other_income"] is None  # an empty box stays empty
    assert (data["name"], data["country_of_citizenship"]) == ("Maria Lopez", "Spain")


def test_checkboxes_give_booleans_and_enum_options() -> None:
    data = run_engine([page_from_rows(FORM_ROWS)], SCHEMA).data
    assert data["box6_direct_sales"] is True
    assert data["classification"] == "partnership"


def test_a_label_printed_under_its_line_reads_the_value_above() -> None:
    data = run_engine([page_from_rows(FORM_ROWS)], SCHEMA).data
    assert data["signature_date"] == "2021-03-15"
    assert data["signer_name"] == "Maria Lopez"


def test_a_schema_without_line_numbers_is_not_read_as_a_form() -> None:
    specs = field_specs({"type": "object", "properties": {"rents": {"type": ["number", "null"]}}})
    layout = build_layout(page_from_rows([[(40, "1 Rents")], [(40, "$ 99")]]))
    found: dict = {}
    fill_form(specs, found, [layout], DocumentHints())
    assert found == {}


def _line_with_blank(parts: list[tuple[str, float]], y: float, start_text: str) -> tuple:
    """Words of one printed line, each part in its own size (a typed-in blank is larger)."""
    from extraction.pipeline.documents.base import Box, Word

    words = []
    text = start_text
    x = 40.0
    for part, size in parts:
        for token in part.split():
            if text and not text.endswith("\n"):
                text += " "
            words.append(
                Word(
                    token,
                    Box(x, y, len(token) * 4.0, size),
                    len(text),
                    len(text) + len(token),
                    font_size=size,
                )
            )
            text += token
            x += len(token) * 4.0 + 3.0
    return words, text


def test_a_value_typed_into_a_blank_of_the_label_line_is_read() -> None:
    from extraction.pipeline.documents.base import Page

    first, text = _line_with_blank([("1 Name of owner", 1.0)], 40.0, "")
    line = [
        ("9 I certify that the owner is a resident of", 1.0),
        ("Canada", 8.0),
        ("within the treaty", 1.0),
    ]
    second, text = _line_with_blank(line, 80.0, text + "\n")
    page = Page(1, 612.0, 792.0, text, first + second)
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": ["string", "null"], "description": "Line 1: name."},
            "treaty_country": {
                "type": ["string", "null"],
                "description": "Line 9: country of residence.",
            },
        },
    }
    assert run_engine([page], schema).data["treaty_country"] == "Canada"


def test_a_slanted_handwritten_value_on_two_rows_is_one_value() -> None:
    from extraction.pipeline.engines.local.forms import _join_skewed
    from extraction.pipeline.engines.local.layout import Cell, Row

    park = Cell("PARK", 115, 140, 193, 207, 10, 14, 14.0)
    john = Cell("JOHN", 73, 105, 196, 210, 20, 24, 14.0)
    rows = [(Row(1, 0, [park], 193, 207), [park]), (Row(1, 1, [john], 196, 210), [john])]
    joined = _join_skewed(rows)
    assert [cell.text for cell in joined[0][1]] == ["JOHN", "PARK"]
    stacked = Cell("Main Street", 115, 160, 205, 219, 30, 41, 14.0)
    rows = [(Row(1, 0, [park], 193, 207), [park]), (Row(1, 1, [stacked], 205, 219), [stacked])]
    assert len(_join_skewed(rows)) == 2  # one under the other: two lines
