"""HTML loader: visible text with its structure, on synthetic pages.

Scripts, styles and hidden elements are dropped. Headings become Markdown-style ``#`` lines
with larger font sizes, list items ``-``/``1.`` lines, tables aligned rows (one visual line per
table row, cells in columns), and every other block element its own line.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extraction.pipeline.documents.detect import HTML
from extraction.pipeline.documents.text import HEADING_SIZES, read_text, table_rows
from extraction.pipeline.documents.textpages import BODY_SIZE, TextRow, rows_document

if TYPE_CHECKING:
    from pathlib import Path

    from bs4.element import Tag

    from extraction.pipeline.documents.base import Document
    from extraction.pipeline.documents.options import LoadOptions

DROPPED = ["script", "style", "noscript", "template", "head", "svg", "iframe", "object", "canvas"]
BLOCKS = {
    "p", "div", "section", "header", "footer", "article", "main", "nav", "aside", "blockquote",
    "address", "form", "fieldset", "figure", "figcaption", "dl", "dt", "dd", "ul", "ol", "hr",
    "body", "html", "pre", "caption", "legend", "details", "summary",
}  # fmt: skip
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


class _Writer:
    def __init__(self) -> None:
        self.rows: list[TextRow] = []
        self.buffer: list[str] = []

    def flush(self, prefix: str = "", size: float = BODY_SIZE) -> None:
        line = " ".join("".join(self.buffer).split())
        self.buffer.clear()
        if line:
            self.rows.append(TextRow(prefix + line, size))

    def walk(self, node: Tag, list_depth: int = 0) -> None:
        from bs4.element import (
            Comment,
            Declaration,
            Doctype,
            NavigableString,
            ProcessingInstruction,
            Tag,
        )

        for child in node.children:
            if isinstance(child, Comment | Declaration | Doctype | ProcessingInstruction):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag) or _hidden(child):
                continue
            name = child.name
            if name == "br":
                self.flush()
            elif name in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                self.flush()
                level = int(name[1])
                self.walk(child, list_depth)
                self.flush("#" * level + " ", HEADING_SIZES.get(level, 11.0))
            elif name == "li":
                self.flush()
                parent = child.find_parent(["ul", "ol"])
                marker = "-"
                if parent is not None and parent.name == "ol":
                    siblings = parent.find_all("li", recursive=False)
                    marker = f"{siblings.index(child) + 1}." if child in siblings else "-"
                self.walk(child, list_depth + 1)
                self.flush("  " * max(list_depth, 0) + marker + " ")
            elif name == "table":
                self.flush()
                self.rows.extend(table_rows(_table_cells(child)))
            elif name == "pre":
                self.flush()
                for line in child.get_text().splitlines():
                    if line.strip():
                        self.rows.append(TextRow(line.rstrip().expandtabs(4)))
            elif name in BLOCKS:
                self.flush()
                self.walk(child, list_depth if name not in {"ul", "ol"} else list_depth)
                self.flush()
            else:
                self.walk(child, list_depth)


def _hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    if tag.name == "input" and str(tag.get("type") or "").lower() == "hidden":
        return True
    style = tag.get("style")
    return bool(style and HIDDEN_STYLE.search(str(style)))


def _table_cells(table: Tag) -> list[list[str]]:
    rows: list[list[str]] = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells: list[str] = []
        for cell in tr.find_all(["td", "th"], recursive=False):
            if _hidden(cell):
                continue
            cells.append(cell.get_text(" ", strip=True))
            span = str(cell.get("colspan") or "1")
            cells.extend([""] * (min(int(span), 50) - 1 if span.isdigit() else 0))
        if any(cells):
            rows.append(cells)
    return rows


def html_rows(markup: str) -> list[TextRow]:
    """The visible rows of an HTML document (see the module docstring)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup.find_all(DROPPED):
        tag.decompose()
    writer = _Writer()
    try:
        writer.walk(soup)
        writer.flush()
    except RecursionError:
        # Absurdly deep nesting: keep the visible text, lose the structure.
        writer.rows = [TextRow(line) for line in soup.get_text("\n").splitlines() if line.strip()]
    return writer.rows


def load_html(source: bytes | Path, options: LoadOptions) -> Document:
    """HTML as synthetic pages of its visible, structured text."""
    from bs4 import BeautifulSoup

    markup = read_text(source)
    rows = html_rows(markup)
    title = BeautifulSoup(markup[:65536], "lxml").title
    metadata = {"title": title.get_text(strip=True)} if title else {}
    return rows_document(rows, options, media_type=HTML, metadata=metadata)
