"""Sections: text that follows a heading naming a field (Abstract, Keywords, Skills).

A section starts after its heading (inline after "Abstract—" / "Keywords:" or on the next
lines) and runs, within the heading's column on two-column pages, until the next heading, a
larger gap, or a line starting with another field's label. Lists split on commas, semicolons,
middle dots or bullets, or one entry per line. Also: author names under a title.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.labels import FieldSpec, label_score
from extraction.pipeline.engines.local.layout import Cell, PageLayout, Row

_HEAD_SPLIT = re.compile(r"^\s*([^\W\d][\w /&.'-]{1,40}?)\s*(?:[:—–.]|\s-\s)\s*(.*)$", re.S)
_NUMBERED_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+[A-Z]")
_STOP_WORDS = re.compile(
    r"^(acm reference format|ccs concepts|index terms|keywords|key words|introduction|"
    r"references|doi|©|permission to make)",
    re.I,
)
_ITEM_SPLIT = re.compile(r"\s*[,;·•|]\s*|\s+-\s+|\s{2,}")


def _columns(layout: PageLayout, cell: Cell) -> tuple[float, float]:
    """The x range of the text column that holds ``cell``: up to the next x where many rows
    start a cell (a sidebar's main column, a paper's second column)."""
    starts: dict[int, int] = {}
    for row in layout.rows:
        for c in row.cells[1:]:
            if c.x1 - c.x0 < 100:
                continue  # short right-aligned items (dates, amounts) do not make a column
            key = int(c.x0 // 4)
            starts[key] = starts.get(key, 0) + 1
    right = [
        key * 4.0
        for key, count in starts.items()
        if count + starts.get(key - 1, 0) + starts.get(key + 1, 0) >= 6 and key * 4.0 > cell.x0 + 60
    ]
    if right:
        return 0.0, min(right) - 2
    return _halves(layout, cell)


def _halves(layout: PageLayout, cell: Cell) -> tuple[float, float]:
    width = layout.page.width or 612.0
    middle = width / 2
    two_columns = sum(
        1
        for row in layout.rows
        if any(c.x1 < middle + 5 and c.x1 - c.x0 > 120 for c in row.cells)
        and any(c.x0 > middle - 10 and c.x1 - c.x0 > 120 for c in row.cells)
    )
    if two_columns >= 5 and cell.x1 < middle + 10:
        return 0.0, middle
    if two_columns >= 5 and cell.x0 > middle - 10:
        return middle - 10, width
    return 0.0, width


def _heading_of(cell: Cell, spec: FieldSpec) -> tuple[str, str] | None:
    """(heading, inline rest) when ``cell`` starts with a heading naming ``spec``."""
    if label_score(cell.text, spec) >= 0.85:
        return cell.text, ""
    match = _HEAD_SPLIT.match(cell.text)
    if match and label_score(match.group(1), spec) >= 0.85:
        return match.group(1), match.group(2)
    return None


def _is_heading_row(row: Row, body_font: float, heading_font: float) -> bool:
    text = row.text.strip()
    if _NUMBERED_HEADING.match(text) and len(text) < 60:
        return True
    if _STOP_WORDS.match(text):
        return True
    if text.isupper() and len(text.split()) <= 4 and len(text) > 2 and text[0].isalnum():
        return True
    # Larger text ends the section unless it is a sub-heading, smaller than the heading.
    return row.font > body_font + 1.0 and len(text) < 60 and row.font >= heading_font - 0.5


def section_rows(
    spec: FieldSpec, layouts: list[PageLayout], *, max_rows: int = 60
) -> tuple[list[Row], str] | None:
    """The rows of the section under a heading naming ``spec`` (restricted to the heading's
    column; the first row may be the heading's inline rest), and the heading text."""
    for number, layout in enumerate(layouts[:3]):
        for row in layout.rows:
            for cell in row.cells[:2]:
                head = _heading_of(cell, spec)
                if head is None:
                    continue
                heading, rest = head
                parts: list[Row] = []
                if rest.strip():
                    offset = cell.text.index(rest.strip()[:10])
                    inline = Cell(
                        rest.strip(),
                        cell.x0,
                        cell.x1,
                        cell.y0,
                        cell.y1,
                        cell.start + offset,
                        cell.end,
                        cell.font,
                    )
                    # Justified text splits a line into several cells: keep the column's rest.
                    _lo, hi = _columns(layout, cell)
                    more = [c for c in row.cells if c.x0 > cell.x1 and c.x0 < hi - 5]
                    parts.append(Row(row.page, row.index, [inline, *more], row.y0, row.y1))
                parts.extend(_rows_after(layouts[number:], row, cell, max_rows, bool(parts)))
                if parts:
                    return parts, heading
    return None


def _rows_after(
    layouts: list[PageLayout], heading_row: Row, heading: Cell, max_rows: int, started: bool
) -> list[Row]:
    layout = layouts[0]
    lo, hi = _columns(layout, heading)
    fonts = [r.font for r in layout.rows]
    body = sorted(fonts)[len(fonts) // 2] if fonts else 10.0
    parts: list[Row] = []
    last_y = heading_row.y1
    rows = layout.rows[heading_row.index + 1 :]
    # A section may run on at the top of the next page.
    for later in layouts[1:2]:
        rows = rows + later.rows
    edge = heading.x0
    for other in rows[:max_rows]:
        if not parts and not started:
            # The body's left edge is where its first line starts: under the heading, or
            # further left under a centred heading.
            first = next((c for c in other.cells if abs(c.x0 - heading.x0) < 25), None) or next(
                (c for c in other.cells if c.x0 <= heading.x0 and c.x1 >= heading.x1), None
            )
            if first is not None:
                edge = first.x0
        else:
            first = next((c for c in other.cells if abs(c.x0 - edge) < 25 and c.x0 < hi), None)
        if first is None:
            if any(lo - 5 <= c.x0 < hi - 5 for c in other.cells) and (parts or started):
                # Text in the column but not at its left edge: an indented line or a new block.
                first = next(c for c in other.cells if lo - 5 <= c.x0 < hi - 5)
                if first.x0 < edge - 25:
                    # Another column to the left (a sidebar) carries on beside the section.
                    continue
            else:
                continue
        cells = [first]
        for c in other.cells:
            if c.x0 > cells[-1].x1 and c.x0 < hi - 5:
                cells.append(c)
        part = Row(other.page, other.index, cells, other.y0, other.y1)
        if other.page == heading_row.page or parts:
            gap = other.y0 - last_y
            if gap > max((other.y1 - other.y0) * 2.2, 12) and (parts or started):
                break
        if _is_heading_row(part, body, heading_row.font) and (True):
            break
        parts.append(part)
        last_y = other.y1
    return parts


class SectionLine(NamedTuple):
    """One line of a section: its page, its span of the page's text, and that text."""

    page: int
    start: int
    end: int
    text: str


def section_lines(
    spec: FieldSpec, layouts: list[PageLayout], *, max_rows: int = 60
) -> tuple[list[SectionLine], str] | None:
    """Like ``section_rows``, as lines and the heading; stops at a line that starts with
    another label ("Keywords:")."""
    got = section_rows(spec, layouts, max_rows=max_rows)
    if got is None:
        return None
    rows, heading = got
    lines: list[SectionLine] = []
    for row in rows:
        if lines and re.match(r"^[^\W\d][\w ]{1,25}[:—]", row.text):
            break
        lines.append(SectionLine(row.page, row.start, row.end, row.text))
    return lines, heading


def join_lines(lines: list[str]) -> str:
    """Lines of running text as one string; a line ending in a hyphen joins the next word."""
    text = ""
    for line in lines:
        line = line.strip()
        if text.endswith("-") and line[:1].isalpha():
            text += line
        else:
            text = f"{text} {line}" if text else line
    return text


def section_text(spec: FieldSpec, layouts: list[PageLayout]) -> Found | None:
    """The running text of the section named by ``spec``: one-cell lines of prose, not a
    table or a block of short values."""
    block = section_rows(spec, layouts)
    if block is None:
        return None
    rows, _heading = block
    if sum(1 for row in rows if len(row.cells) == 1 and len(row.text.split()) >= 6) < max(
        1, len(rows) // 2
    ):
        return None
    section = section_lines(spec, layouts)
    if section is None:
        return None
    lines, heading = section
    text = join_lines([line.text for line in lines])
    page, start = lines[0].page, lines[0].start
    end = lines[-1].end if lines[-1].page == page else start + len(lines[0].text)
    return Found(text, page, start, end, 0.75, f"section under heading '{heading.strip()}'")


def section_items(spec: FieldSpec, layouts: list[PageLayout]) -> list[Found]:
    """Entries of the list under the heading named by ``spec``."""
    got = section_lines(spec, layouts, max_rows=30)
    if got is None:
        return []
    lines, heading = got
    separated = any(re.search(r"[,;·•|]", line.text) for line in lines)
    items: list[Found] = []
    how = f"list under heading '{heading.strip()}'"
    if separated:
        text = join_lines([line.text for line in lines])
        page, start = lines[0].page, lines[0].start
        for piece in _ITEM_SPLIT.split(text):
            piece = piece.strip(" .-–•*")
            if piece:
                items.append(Found(piece, page, start, start + len(piece), 0.7, how))
        return items
    for page, start, end, text in lines:
        piece = text.strip(" .-–•*")
        if piece:
            items.append(Found(piece, page, start, end, 0.7, how))
    return items


_AFFILIATION = re.compile(
    r"@|universit|institut|department|school|center|centre|laborator|\blab\b|college|"
    r"faculty|polytechni|inc\.|corp|gmbh|ltd|research|abstract",
    re.I,
)


def names_under_title(layouts: list[PageLayout], title: Found | None) -> list[Found]:
    """Author names on the lines between the title and the affiliations."""
    if not layouts or title is None:
        return []
    layout = layouts[0]
    rows = [r for r in layout.rows if r.start > title.end - 1]
    names: list[Found] = []
    for row in rows[:4]:
        text = row.text
        if _AFFILIATION.search(text) or re.match(r"^\d", text):
            break
        for match in re.finditer(r"[^,;]+", re.sub(r"\band\b", ",", text)):
            raw = match.group(0)
            name = re.sub(r"[\d*†‡§¶,]+(?=\s|$)", "", raw).strip()
            name = re.sub(r"\s+", " ", name)
            if len(name.split()) >= 2 and not re.search(r"\d", name):
                start = row.start + match.start()
                names.append(
                    Found(name, row.page, start, start + len(raw), 0.6, "names under the title")
                )
        if names:
            break
    return names
