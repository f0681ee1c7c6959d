"""Encrypted, truncated, empty and looping PDFs, time and page limits, and AcroForm values."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from extraction.pipeline.documents import (
    CorruptDocument,
    DocumentTooLarge,
    LoadOptions,
    PasswordProtected,
    load_document,
)
from tests.documents.conftest import assert_inside_page, find_on_page


def _simple_pdf(pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1)
    for number in range(1, pages + 1):
        pdf.drawString(72, 700, f"Confidential report page {number}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_simple_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_password_protected_pdf_fails_with_a_clear_message():
    with pytest.raises(PasswordProtected, match="password protected"):
        load_document(_encrypted("secret"))


def test_pdf_encrypted_with_an_empty_user_password_opens():
    document = load_document(_encrypted(""))
    assert document.page(1).text == "Confidential report page 1"


@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.9])
def test_truncated_pdf_fails_with_a_readable_error(fraction):
    data = _simple_pdf()
    truncated = data[: int(len(data) * fraction)]
    with pytest.raises(CorruptDocument, match="empty|truncated or corrupt"):
        load_document(truncated, declared_type="application/pdf", file_name="report.pdf")


def test_zero_byte_file_fails_with_a_readable_error(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(CorruptDocument, match=r"empty \(0 bytes\)"):
        load_document(path)


def test_page_tree_loop_is_an_error_not_a_hang():
    looping = (
        b"%PDF-1.7\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type/Pages/Kids[2 0 R]/Count 1>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF"
    )
    with pytest.raises(CorruptDocument, match="could not be read"):
        load_document(looping).page(1)


def test_parse_time_limit_stops_further_pages():
    document = load_document(_simple_pdf(3), options=LoadOptions(timeout_seconds=0))
    assert document.page(1).text == "Confidential report page 1"
    with pytest.raises(DocumentTooLarge, match="longer than 0 seconds"):
        document.page(2)


def test_document_from_a_path_matches_bytes(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(_simple_pdf(2))
    assert load_document(path).page(2).text == load_document(path.read_bytes()).page(2).text


@pytest.fixture(scope="module")
def filled_form() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 700, "Applicant name:")
    pdf.acroForm.textfield(name="applicant", x=180, y=694, width=200, height=20, value="")
    pdf.drawString(72, 660, "Policy number:")
    pdf.acroForm.textfield(name="policy", x=180, y=654, width=200, height=20, value="")
    pdf.drawString(72, 620, "Agree to terms:")
    pdf.acroForm.checkbox(name="agree", x=180, y=615, size=14, checked=True)
    pdf.drawString(72, 590, "Newsletter:")
    pdf.acroForm.checkbox(name="news", x=180, y=585, size=14, checked=False)
    pdf.showPage()
    pdf.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    writer.update_page_form_field_values(
        writer.pages[0], {"applicant": "Maria Gonzalez", "policy": "POL-778812"}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_acroform_values_appear_at_their_widget_positions(filled_form):
    document = load_document(filled_form)
    page = document.page(1)
    assert document.metadata["has_form_fields"] is True
    lines = page.text.split("\n")
    assert "Applicant name: Maria Gonzalez" in lines
    assert "Policy number: POL-778812" in lines
    assert "Agree to terms: checked" in lines
    assert "Newsletter: unchecked" in lines
    span = find_on_page(page, "POL-778812")
    (box,) = page.boxes_for_span(*span)
    assert_inside_page(page, box)
    # Inside the widget rectangle (x 180-380, y from the top 792-674 .. 792-654).
    assert 180 <= box.x < 380
    assert box.y >= 118
    assert box.y + box.h <= 138
