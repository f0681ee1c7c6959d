"""Reading order: two-column text is read column by column, tables row by row."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extraction.pipeline.documents import load_document

LEFT = [f"left column sentence number {n} keeps going to the edge" for n in range(1, 13)]
RIGHT = [f"right column sentence number {n} keeps going to the edge" for n in range(1, 13)]


def _page(draw) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setFont("Helvetica", 9)
    draw(pdf)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_two_columns_of_prose_are_read_one_after_the_other():
    def draw(pdf: canvas.Canvas) -> None:
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(60, 800, "A Paper Title Across Both Columns")
        pdf.setFont("Helvetica", 9)
        for row, (left, right) in enumerate(zip(LEFT, RIGHT, strict=True)):
            y = 760 - row * 11
            pdf.drawString(60, y, left)
            pdf.drawString(310, y, right)

    page = load_document(_page(draw)).page(1)
    assert page.text.split("\n") == ["A Paper Title Across Both Columns", *LEFT, *RIGHT]
    assert [line.text for line in page.lines] == page.text.split("\n")


def test_a_two_column_table_stays_row_by_row():
    rows = [(f"Safety gloves cut level C size {n} (pair)", f"{n * 13}.69") for n in range(1, 11)]

    def draw(pdf: canvas.Canvas) -> None:
        for index, (description, amount) in enumerate(rows):
            y = 760 - index * 14
            pdf.drawString(60, y, description)
            pdf.drawRightString(500, y, amount)

    page = load_document(_page(draw)).page(1)
    assert page.text.split("\n") == [f"{d} {a}" for d, a in rows]
