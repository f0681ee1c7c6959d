"""DOCX and XLSX loaders, from files built at test time."""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
import pytest
from docx.enum.text import WD_BREAK

from extraction.pipeline.documents import CorruptDocument, load_document
from tests.documents.conftest import assert_inside_page

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Service Agreement"
    document.add_heading("Service Agreement", level=1)
    document.add_paragraph("This agreement is made on 5 March 2024 between Acme Ltd and Beta LLC.")
    document.add_paragraph("Scope of work", style="List Bullet")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(
        table.rows,
        [("Item", "Qty", "Amount"), ("Consulting", "10", "$1,500.00"), ("Travel", "1", "$240.00")],
        strict=True,
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    paragraph = document.add_paragraph("Last line of page one.")
    paragraph.add_run().add_break(WD_BREAK.PAGE)
    paragraph.add_run("First line of page two.")
    document.add_heading("Governing Law", level=2)
    document.add_paragraph("The laws of the State of Delaware govern this agreement.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_tables_and_page_breaks_in_order(docx_bytes):
    document = load_document(docx_bytes, declared_type="application/octet-stream")
    assert document.media_type == DOCX_TYPE
    assert document.metadata["title"] == "Service Agreement"
    assert document.page_count == 2
    first, second = document.page(1), document.page(2)
    assert first.text.split("\n") == [
        "# Service Agreement",
        "This agreement is made on 5 March 2024 between Acme Ltd and Beta LLC.",
        "- Scope of work",
        "Item Qty Amount",
        "Consulting 10 $1,500.00",
        "Travel 1 $240.00",
        "Last line of page one.",
    ]
    assert second.text.split("\n") == [
        "First line of page two.",
        "## Governing Law",
        "The laws of the State of Delaware govern this agreement.",
    ]
    assert first.lines[0].font_size > first.lines[1].font_size
    # Table cells line up in columns.
    amount_words = [w for w in first.words if w.text in {"Amount", "$1,500.00", "$240.00"}]
    assert len({round(w.box.x, 3) for w in amount_words}) == 1
    for page in (first, second):
        for word in page.words:
            assert_inside_page(page, word.box)


@pytest.fixture(scope="module")
def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    products = workbook.active
    products.title = "Products"
    products.append(["SKU", "Name", "Price", "Added"])
    products.append(["A-1", "Desk lamp", 45.5, dt.datetime(2024, 3, 5)])
    products.append(["A-2", "Stapler", 12, dt.datetime(2024, 3, 6)])
    staff = workbook.create_sheet("Staff")
    staff.append(["ID", "Name"])
    staff.append(["E1", "Ana Silva"])
    workbook.create_sheet("Empty")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_has_one_page_per_sheet_with_header_rows(xlsx_bytes):
    document = load_document(xlsx_bytes, file_name="upload")
    assert document.media_type == XLSX_TYPE
    assert document.page_count == 2
    assert document.metadata["sheets"] == [
        {"name": "Products", "rows": 2},
        {"name": "Staff", "rows": 1},
    ]
    assert document.page(1).text.split("\n") == [
        "# Products",
        "SKU Name Price Added",
        "A-1 Desk lamp 45.5 2024-03-05",
        "A-2 Stapler 12 2024-03-06",
    ]
    assert document.page(2).text.split("\n") == ["# Staff", "ID Name", "E1 Ana Silva"]


def test_truncated_office_file_is_reported(docx_bytes):
    with pytest.raises(CorruptDocument, match="truncated or corrupt"):
        load_document(docx_bytes[: len(docx_bytes) // 2])
