"""Multi-line blocks: parties (name + address), recipients, and date ranges.

A *party* is an object field with a name and an address (vendor, buyer, supplier). Its block is
the lines under (or after) a label naming the object ("Bill To", "Vendor", "To:"); a party no
label names is the letterhead, the first block at the top of page 1. A *recipient* (account
holder, customer) printed without a label is the first name-and-address block below the
letterhead. A *range* is an object with two dates (statement period) printed as
"1 March 2024 to 31 March 2024".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.labels import FieldSpec, label_score
from extraction.pipeline.engines.local.layout import Cell, PageLayout, Row
from extraction.pipeline.values import find_date

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.hints import DocumentHints

CONTACT = re.compile(
    r"@|https?://|www\.|\b(tel|phone|fax|telefon|t:|p:|vat|iban|ust|tax id|reg|attn|email|"
    r"e-mail)\b|^[+(]?\d[\d\s()/.-]{7,}$",
    re.I,
)
_RULE = re.compile(r"^[-=_*·.\s]+$")
_TITLE_WORDS = re.compile(
    r"^(invoice|purchase order|receipt|statement|order|quote|rechnung|facture|factuur|"
    r"bestellung|bon de commande|curriculum vitae|resume|account statement)\b",
    re.I,
)
_RANGE = re.compile(r"\s(?:to|through|thru|until|till|bis|au|tot|al|a|-|–|—)\s", re.I)


def _child(spec: FieldSpec, *names: str) -> FieldSpec | None:
    for child in spec.children:
        if any(name in child.name.lower() for name in names):
            return child
    return None


def _objects(specs: list[FieldSpec]) -> list[FieldSpec]:
    out = []
    for spec in specs:
        if spec.kind == "object":
            out.append(spec)
            out.extend(_objects(spec.children))
    return out


def block_under(layout: PageLayout, row: Row, anchor: Cell, limit: int = 6) -> list[Cell]:
    """Cells stacked under ``anchor`` (same left edge or same centre), until a gap or label."""
    cells: list[Cell] = []
    last = anchor
    body = _body_font(layout)
    previous_y1 = row.y1
    for other in layout.rows[row.index + 1 : row.index + 1 + limit + 3]:
        if len(cells) >= limit:
            break
        # A blank line ends a block; lines of a neighbouring block in between do not.
        if other.y0 - previous_y1 > max((last.y1 - last.y0) * 1.0, 5):
            break
        previous_y1 = other.y1
        if not any(c.x0 < anchor.x1 + 4 and c.x1 > anchor.x0 - 4 for c in other.cells):
            continue
        cell = next(
            (
                c
                for c in other.cells
                if abs(c.x0 - anchor.x0) < 8
                or (abs(c.xc - anchor.xc) < 8 and c.x0 > anchor.x0)
                or (abs(c.x1 - anchor.x1) < 4 and abs(c.x0 - anchor.x0) > 20)
            ),
            None,
        )
        if cell is None or _RULE.match(cell.text) or cell.text.rstrip().endswith(":"):
            break
        if cell.text.rstrip().endswith(",") and not re.search(r"\d", cell.text):
            break  # a salutation ("Dear Sir or Madam,") starts the letter body
        if _TITLE_WORDS.match(_plain(cell.text)) or re.match(r"^[^:]{2,30}\s?:\s*\S", cell.text):
            break  # a document title or the next "Label: value" line
        if (cell.font > body + 2 and cell.font >= anchor.font - 0.5) or (
            cells and abs(cell.font - cells[-1].font) > 1.5
        ):
            # A heading, not the next line of the block.
            break
        if not cells and cell.font > body + 2 and anchor.font > cell.font:
            break
        cells.append(cell)
        last = cell
    return cells


def _plain(text: str) -> str:
    return re.sub(r"^[#*_\s]+|[*_\s]+$", "", text)


def _body_font(layout: PageLayout) -> float:
    fonts = sorted(row.font for row in layout.rows) or [10.0]
    return fonts[len(fonts) // 2]


def _name_and_address(cells: list[Cell]) -> tuple[Cell | None, list[Cell]]:
    cells = [c for c in cells if not _RULE.match(c.text)]
    if not cells:
        return None, []
    address = []
    for cell in cells[1:]:
        if CONTACT.search(cell.text):
            break
        address.append(cell)
    if re.match(r"^\d", cells[0].text):
        # The block starts with a street: it is an address without a name.
        address = [cells[0], *address]
        return None, address
    return cells[0], address


def _found_name(cell: Cell, page: int, how: str) -> Found:
    text = re.sub(r"^#+\s*", "", cell.text).strip(" ,*_")
    start = cell.start + max(cell.text.find(text), 0)
    return Found(text, page, start, start + len(text), 0.75, how)


def _found_address(cells: list[Cell], page: int, how: str) -> Found:
    text = ", ".join(c.text.strip(" ,") for c in cells)
    return Found(text, page, cells[0].start, cells[-1].end, 0.7, how)


def letterhead(layout: PageLayout) -> tuple[Cell | None, list[Cell], Row | None]:
    """The issuer's name cell and address cells at the top of the page."""
    for row in layout.rows[:3]:
        titles = 0
        for cell in row.cells:
            text = cell.text
            if _TITLE_WORDS.match(_plain(text)) or _RULE.match(text):
                titles += 1
                continue
            if (
                CONTACT.search(text)
                or len(text) < 3
                or text.rstrip().endswith(":")
                or re.match(r"^[^:]{2,30}:", text)
            ):
                continue
            below = block_under(layout, row, cell, limit=4)
            name, address = _name_and_address([cell, *below])
            return name, address, row
        if not titles:
            break  # only a title line ("INVOICE") may come before the letterhead
    return None, [], None


def fill_parties(specs: list[FieldSpec], found: dict[str, Any], layouts: list[PageLayout]) -> None:
    """Name/address objects from labelled blocks, then the letterhead (in place)."""
    if not layouts:
        return
    parties = []
    for spec in _objects(specs):
        name_child, address_child = _child(spec, "name"), _child(spec, "address")
        if name_child is not None and address_child is not None:
            parties.append((spec, name_child, address_child))
    unlabelled = []
    for spec, name_spec, address_spec in parties:
        if found.get(name_spec.path) is not None:
            continue
        block = _labelled_block(spec, layouts)
        if block is None:
            unlabelled.append((spec, name_spec, address_spec))
            continue
        page, cells, how = block
        name, address = _name_and_address(cells)
        if name is not None:
            found[name_spec.path] = _found_name(name, page, how)
        if address and found.get(address_spec.path) is None:
            found[address_spec.path] = _found_address(address, page, how)
        if name is None:
            unlabelled.append((spec, name_spec, address_spec))
    if unlabelled:
        spec, name_spec, address_spec = unlabelled[0]
        name, address, _row = letterhead(layouts[0])
        if name is not None:
            found[name_spec.path] = _found_name(name, layouts[0].number, "letterhead")
            sender = _sender_line(layouts[0], name.text)
            if sender is not None and found.get(address_spec.path) is None:
                found[address_spec.path] = sender
            elif address and found.get(address_spec.path) is None:
                found[address_spec.path] = _found_address(
                    address, layouts[0].number, "lines under the letterhead"
                )


def _sender_line(layout: PageLayout, name: str) -> Found | None:
    """The return-address line of a window envelope: "Name · Street 1 · 12345 City"."""
    for row in layout.rows[:20]:
        for cell in row.cells:
            parts = re.split(r"\s+[·|•]\s+", cell.text)
            if len(parts) >= 3 and parts[0].strip() == name.strip() and re.search(r"\d", parts[1]):
                rest = ", ".join(part.strip() for part in parts[1:])
                start = cell.start + cell.text.find(parts[1])
                return Found(rest, layout.number, start, cell.end, 0.7, "sender line")
    return None


def _labelled_block(
    spec: FieldSpec, layouts: list[PageLayout]
) -> tuple[int, list[Cell], str] | None:
    for layout in layouts[:2]:
        for row in layout.rows:
            for cell in row.cells:
                head, colon, rest = cell.text.partition(":")
                if label_score(head if colon else cell.text, spec) < 0.85:
                    continue
                how = f"block under label '{head.strip()}'"
                below = block_under(layout, row, cell)
                if colon and rest.strip():
                    offset = cell.text.index(rest.strip())
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
                    return layout.number, [inline, *below], how
                if below:
                    return layout.number, below, how
    return None


_PERSONISH = re.compile(r"holder|customer|client|recipient|bill|account name|addressee")


def fill_recipient(
    leaves: list[FieldSpec], found: dict[str, Any], layouts: list[PageLayout]
) -> None:
    """Unlabelled recipient names: the first name-over-street block under the letterhead."""
    if not layouts:
        return
    missing = [
        s
        for s in leaves
        if s.kind == "string" and found.get(s.path) is None and _PERSONISH.search(s.path.lower())
    ]
    if not missing:
        return
    layout = layouts[0]
    _name, _address, head_row = letterhead(layout)
    used = {f.start for f in found.values() if isinstance(f, Found)}
    start = head_row.index + 1 if head_row else 0
    for row in layout.rows[start : start + 25]:
        cell = row.cells[0]
        text = cell.text
        if (
            re.search(r"\d", text)
            or CONTACT.search(text)
            or text.endswith(":")
            or cell.start in used
            or "·" in text
            or len(text.split()) > 7
        ):
            continue
        if len(text.split()) < 2 or _TITLE_WORDS.match(_plain(text)):
            continue
        below = block_under(layout, row, cell, limit=2)
        if (
            below
            and re.search(r"\d", below[0].text)
            and not CONTACT.search(below[0].text)
            and ":" not in below[0].text
        ):
            found[missing[0].path] = _found_name(cell, layout.number, "addressee block")
            return


def fill_ranges(
    specs: list[FieldSpec], found: dict[str, Any], layouts: list[PageLayout], hints: DocumentHints
) -> None:
    """Objects with a start and an end date, from a printed date range (in place)."""
    for spec in _objects(specs):
        dates = [c for c in spec.children if c.kind == "date"]
        if len(dates) != 2:
            continue
        first, second = dates
        if found.get(first.path) is not None and found.get(second.path) is not None:
            continue
        for layout in layouts[:2]:
            hit = _range_in(layout, spec, hints)
            if hit is not None:
                for child, date in ((first, hit.first), (second, hit.second)):
                    found[child.path] = Found(
                        date.iso, layout.number, date.start, date.end, 0.8, hit.how
                    )
                break
        else:
            continue


class _PrintedDate(NamedTuple):
    """A date (ISO 8601) and its character span."""

    iso: str
    start: int
    end: int


class _DateRange(NamedTuple):
    """The two dates of a printed range (spans in the page's text) and how it was found."""

    first: _PrintedDate
    second: _PrintedDate
    how: str


def _range_in(layout: PageLayout, spec: FieldSpec, hints: DocumentHints) -> _DateRange | None:
    best = None
    for row in layout.rows:
        for index, cell in enumerate(row.cells):
            labelled = label_score(cell.text.split(":")[0], spec) >= 0.8
            texts = [(cell, cell.text)]
            below = block_under(layout, row, cell, limit=1)
            if below:
                texts.append((cell, cell.text + " " + below[0].text))
            if labelled and index + 1 < len(row.cells):
                nxt = row.cells[index + 1]
                nb = block_under(layout, row, nxt, limit=1)
                texts.append((nxt, nxt.text + (" " + nb[0].text if nb else "")))
            for owner, text in texts:
                pair = _two_dates(text, hints)
                if pair is None:
                    continue
                a, b = pair
                how = "date range" + (f" after label '{cell.text[:30]}'" if labelled else "")
                hit = _DateRange(
                    _PrintedDate(a.iso, owner.start + a.start, owner.start + a.end),
                    _PrintedDate(b.iso, owner.start + b.start, owner.start + b.end),
                    how,
                )
                if labelled:
                    return hit
                best = best or hit
    return best


def _two_dates(text: str, hints: DocumentHints) -> tuple[_PrintedDate, _PrintedDate] | None:
    """The first date in ``text`` and the one a range word ("to", "-") leads to after it,
    spans in ``text``; None unless both are there, in order."""
    first = find_date(text, day_first=hints.day_first)
    if first is None:
        return None
    rest = text[first[2] :]
    if not _RANGE.match(rest[:6] + " ") and not re.match(
        r"\s*(to|through|–|-|bis|au|tot|al)\b", rest, re.I
    ):
        return None
    second = find_date(rest, day_first=hints.day_first)
    if second is None or second[0] < first[0]:
        return None
    offset = first[2]
    return (
        _PrintedDate(first[0].isoformat(), first[1], first[2]),
        _PrintedDate(second[0].isoformat(), offset + second[1], offset + second[2]),
    )
