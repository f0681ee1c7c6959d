"""Loaders for plain text, Markdown, JSON and CSV, and ``text_document`` for inline text.

Form feeds start a new page; long text is split into fixed-size pseudo-pages so page-based
options still work. Markdown headings keep their ``#`` marks in the text and get larger font
sizes, so section chunking and title detection see them. CSV becomes one table: a header row
repeated on every page and cells aligned in columns.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from extraction.pipeline.documents.base import CorruptDocument, Document, DocumentTooLarge
from extraction.pipeline.documents.detect import CSV, JSON, MARKDOWN, TEXT, decode_text
from extraction.pipeline.documents.textpages import BODY_SIZE, TextRow, rows_document

if TYPE_CHECKING:
    from extraction.pipeline.documents.options import LoadOptions

HEADING_SIZES = {1: 20.0, 2: 16.0, 3: 13.0}
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+\S")
MAX_CELL_WIDTH = 40
COLUMN_GAP = 3


def read_text(source: bytes | Path) -> str:
    """Decode ``source`` as text; raises ``CorruptDocument`` for binary or empty content."""
    data = source.read_bytes() if isinstance(source, Path) else source
    text = decode_text(data)
    if text is None:
        raise CorruptDocument("The file is not readable text.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_rows(text: str, *, markdown: bool = False) -> list[TextRow]:
    """One row per line; ``\\f`` starts a new page; tabs expand to spaces."""
    rows: list[TextRow] = []
    for page_index, chunk in enumerate(text.split("\f")):
        for line_index, line in enumerate(chunk.split("\n")):
            size = BODY_SIZE
            if markdown:
                heading = MARKDOWN_HEADING.match(line)
                if heading:
                    size = HEADING_SIZES.get(len(heading.group(1)), 11.0)
            rows.append(TextRow(line.expandtabs(4), size, page_index > 0 and line_index == 0))
    return rows


def text_document(text: str, options: LoadOptions, *, media_type: str = TEXT) -> Document:
    """Plain or Markdown text as synthetic pages (``DocumentTooLarge`` past ``max_pages``)."""
    limit = options.max_pages * options.text_page_chars
    if len(text) > limit:
        # Cheap early answer for huge text, before a row object per line is built.
        raise DocumentTooLarge(
            f"The text has {len(text):,} characters; the limit is {limit:,} "
            f"({options.max_pages} pages of {options.text_page_chars:,})."
        )
    rows = text_rows(text, markdown=media_type == MARKDOWN)
    return rows_document(rows, options, media_type=media_type)


def load_plain_text(source: bytes | Path, options: LoadOptions) -> Document:
    """A ``.txt`` file: one text line per visual line."""
    return text_document(read_text(source), options, media_type=TEXT)


def load_markdown(source: bytes | Path, options: LoadOptions) -> Document:
    """Markdown as written; headings get larger font sizes."""
    return text_document(read_text(source), options, media_type=MARKDOWN)


def load_json(source: bytes | Path, options: LoadOptions) -> Document:
    """JSON pretty-printed with two-space indents (invalid JSON is kept as written)."""
    text = read_text(source)
    with contextlib.suppress(ValueError, RecursionError):
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    return text_document(text, options, media_type=JSON)


def table_rows(table: list[list[str]]) -> list[TextRow]:
    """Cells padded into aligned columns (``COLUMN_GAP`` spaces apart at least); cell text has
    its inner whitespace collapsed so a cell never looks like two."""
    cleaned = [[" ".join(str(cell).split()) for cell in row] for row in table]
    columns = max((len(row) for row in cleaned), default=0)
    widths = [0] * columns
    for row in cleaned:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], min(len(cell), MAX_CELL_WIDTH))
    rows: list[TextRow] = []
    for row in cleaned:
        parts = [cell.ljust(widths[index]) for index, cell in enumerate(row)]
        rows.append(TextRow((" " * COLUMN_GAP).join(parts).rstrip(), wrap=False))
    return rows


def parse_csv(text: str) -> list[list[str]]:
    """Rows of a CSV text, delimiter sniffed among ``, ; \\t |``; blank rows dropped."""
    sample = text[:65536]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t|")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(text.splitlines(), dialect) if any(c.strip() for c in row)]


def load_csv(source: bytes | Path, options: LoadOptions) -> Document:
    """A CSV table: header on every page, cells in aligned columns."""
    table = parse_csv(read_text(source))
    if not table:
        raise CorruptDocument("The CSV file has no rows.")
    limit = options.max_pages * max(options.text_page_lines - 1, 1)
    if len(table) - 1 > limit:
        raise DocumentTooLarge(
            f"The CSV file has {len(table) - 1:,} rows; the limit is {limit:,} "
            f"({options.max_pages} pages)."
        )
    return rows_document(
        table_rows(table),
        options,
        media_type=CSV,
        metadata={"tables": [{"rows": len(table) - 1, "columns": len(table[0])}]},
        repeat_header=1,
    )
