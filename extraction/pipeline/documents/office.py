"""DOCX (python-docx) and XLSX (openpyxl) loaders, on synthetic pages.

DOCX: paragraphs and tables in document order; headings as ``#`` lines with larger font
sizes, list paragraphs as ``-`` lines. Pages follow Word's own pagination when the file
records it (``w:lastRenderedPageBreak``), else explicit page breaks. XLSX: one page per sheet
(continued over more pages when long), the sheet name as a heading and its first row as the
header repeated on every page.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import TYPE_CHECKING, Any

from extraction.pipeline.documents.base import CorruptDocument, Document, DocumentTooLarge
from extraction.pipeline.documents.detect import DOCX, XLSX
from extraction.pipeline.documents.text import HEADING_SIZES, table_rows
from extraction.pipeline.documents.textpages import (
    BODY_SIZE,
    TextRow,
    blocks_document,
    rows_document,
)

if TYPE_CHECKING:
    from pathlib import Path

    from docx.document import Document as DocxDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from extraction.pipeline.documents.options import LoadOptions

MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _check_archive(source: bytes | Path) -> None:
    """Reject zip bombs before a parser inflates them: ``DocumentTooLarge`` over the limit."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
            total = sum(info.file_size for info in z.infolist())
    except zipfile.BadZipFile as exc:
        raise CorruptDocument("The file is truncated or corrupt.") from exc
    if total > MAX_UNCOMPRESSED_BYTES:
        raise DocumentTooLarge(
            f"The file unpacks to {total // 2**20} MB; the limit is "
            f"{MAX_UNCOMPRESSED_BYTES // 2**20} MB."
        )


def _heading_level(paragraph: Paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name == "Title":
        return 1
    if name.startswith("Heading "):
        suffix = name.removeprefix("Heading ").strip()
        return int(suffix) if suffix.isdigit() else None
    return None


def _is_list(paragraph: Paragraph) -> bool:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    p_pr = paragraph._p.pPr
    return name.startswith("List") or (p_pr is not None and p_pr.numPr is not None)


def _paragraph_segments(paragraph: Paragraph, rendered_breaks: bool) -> list[tuple[str, bool]]:
    """The paragraph's text cut at page breaks: ``(text, starts_new_page)`` pieces."""
    segments: list[tuple[str, bool]] = []
    current: list[str] = []
    new_page = False
    if not rendered_breaks and paragraph.paragraph_format.page_break_before:
        new_page = True
    for element in paragraph._p.iter():
        tag = element.tag
        is_break = (rendered_breaks and tag == f"{W}lastRenderedPageBreak") or (
            not rendered_breaks and tag == f"{W}br" and element.get(f"{W}type") == "page"
        )
        if is_break:
            segments.append(("".join(current), new_page))
            current, new_page = [], True
        elif tag == f"{W}t":
            current.append(element.text or "")
        elif tag == f"{W}tab":
            current.append("    ")
        elif tag in (f"{W}br", f"{W}cr"):
            current.append("\n")
    segments.append(("".join(current), new_page))
    return segments


def docx_rows(document: DocxDocument) -> list[TextRow]:
    """Rows of a python-docx document in body order (see the module docstring)."""
    from docx.table import Table

    rendered_breaks = document.element.body.find(f".//{W}lastRenderedPageBreak") is not None
    rows: list[TextRow] = []
    pending_break = False
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            table_text = table_rows(_table_cells(block))
            if table_text and pending_break:
                table_text[0] = TextRow(table_text[0].text, page_break_before=True, wrap=False)
                pending_break = False
            rows.extend(table_text)
            continue
        level = _heading_level(block)
        prefix = "#" * level + " " if level else ("- " if _is_list(block) else "")
        size = HEADING_SIZES.get(level, 11.0) if level else BODY_SIZE
        for text, new_page in _paragraph_segments(block, rendered_breaks):
            pending_break = pending_break or new_page
            for line in text.split("\n"):
                if not line.strip():
                    continue
                rows.append(TextRow(prefix + " ".join(line.split()), size, pending_break))
                pending_break = False
    return rows


def _table_cells(table: Table) -> list[list[str]]:
    cells: list[list[str]] = []
    for row in table.rows:
        seen: set[int] = set()
        values: list[str] = []
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans: keep it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            values.append(cell.text)
        if any(value.strip() for value in values):
            cells.append(values)
    return cells


def load_docx(source: bytes | Path, options: LoadOptions) -> Document:
    """A Word document as synthetic pages. Raises ``CorruptDocument``/``DocumentTooLarge``."""
    import docx

    _check_archive(source)
    try:
        document = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    except Exception as exc:  # python-docx raises a zoo of errors for broken packages
        raise CorruptDocument("The Word document could not be read (it may be corrupt).") from exc
    properties = document.core_properties
    metadata = {"title": properties.title or None, "author": properties.author or None}
    return rows_document(docx_rows(document), options, media_type=DOCX, metadata=metadata)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def load_xlsx(source: bytes | Path, options: LoadOptions) -> Document:
    """A workbook: one page per sheet (more when long), header repeated on each page."""
    import openpyxl

    _check_archive(source)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(source) if isinstance(source, bytes) else source,
            read_only=True,
            data_only=True,
        )
    except Exception as exc:  # openpyxl raises many kinds of errors for broken files
        raise CorruptDocument("The spreadsheet could not be read (it may be corrupt).") from exc
    max_rows = options.max_pages * options.text_page_lines
    blocks: list[tuple[list[TextRow], int]] = []
    sheets: list[dict[str, Any]] = []
    total = 0
    try:
        for sheet in workbook.worksheets:
            table: list[list[str]] = []
            for values in sheet.iter_rows(values_only=True):
                cells = [_cell_text(value) for value in values]
                while cells and not cells[-1].strip():
                    cells.pop()
                if cells:
                    table.append(cells)
                    total += 1
                    if total > max_rows:
                        raise DocumentTooLarge(
                            f"The spreadsheet has more than {max_rows:,} rows "
                            f"({options.max_pages} pages)."
                        )
            if not table:
                continue
            title = TextRow(f"# {sheet.title}", HEADING_SIZES[1])
            blocks.append(([title, *table_rows(table)], 2))
            sheets.append({"name": sheet.title, "rows": len(table) - 1})
    finally:
        workbook.close()
    if not blocks:
        raise CorruptDocument("The spreadsheet has no data.")
    return blocks_document(blocks, options, media_type=XLSX, metadata={"sheets": sheets})
