"""What one document builder returns, and helpers the text formats share."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.corpus.truth import Truth

FIXED_TIME = dt.datetime(2024, 1, 1)


@dataclass
class Draft:
    """A built document before it is written: its bytes, its truth and how it was made."""

    doc_type: str
    schema: str  # file name under tests/fixtures/schemas/
    format: str  # pdf html txt md csv docx xlsx
    layout: str
    locale: str
    content: bytes
    truth: Truth
    page_count: int = 1
    mode: str = "PER_DOCUMENT"


def html_page(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body></html>\n"
    ).encode()


def html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def text_table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    """Fixed-width lines: columns padded to their widest cell, ``right`` ones right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        out = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "   ".join(out).rstrip()

    return [line(header), "-" * len(line(header)), *(line(r) for r in rows)]


def docx_bytes(
    paragraphs: list[tuple[str, str]],
    table: list[list[str]] | None = None,
    after: tuple[str, ...] | list[str] = (),
) -> bytes:
    """A .docx of (style, text) paragraphs, then ``table`` (header row first), then the
    ``after`` paragraphs."""
    import docx

    document = docx.Document()
    document.core_properties.created = document.core_properties.modified = FIXED_TIME
    for style, text in paragraphs:
        if style.startswith("Heading"):
            document.add_heading(text, level=int(style[-1]))
        else:
            document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    for text in after:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue())


def stable_zip(data: bytes) -> bytes:
    """The same archive with every member, and the document's modified time, set to
    ``FIXED_TIME``, so equal content gives equal bytes (python-docx and openpyxl stamp both
    with the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", content
                )
            target.writestr(fixed, content)
    return out.getvalue()
