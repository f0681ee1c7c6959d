"""Item lists printed without a table header: till slips and simple order lists.

An item line is a row that starts with text and ends with an amount (``Hardcover cookbook
50.52``), optionally preceded by a quantity (``3 Sunscreen SPF 50 44,79``) or followed by a
``2 x 25.26`` line. The list is the longest run of such lines before the totals.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.typed import find_amount

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.hints import DocumentHints
    from extraction.pipeline.engines.local.labels import FieldSpec
    from extraction.pipeline.engines.local.layout import PageLayout, Row

_AMOUNT_END = re.compile(r"\d[.,]\d{2}\s*(?:[A-Z]{3}|[€$£])?\s*-?$")
_QTY_TIMES = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:x|×|@|\*)\s*([-\d.,' ]+\d)\s*$", re.I)
_LEADING_QTY = re.compile(r"^(\d{1,3})(?:\s*x)?\s+(?=[^\d\s])", re.I)
_TOTALS = re.compile(
    r"^\W*(sub-?total|total|totals|sum|summe|gesamt|zwischensumme|totaal|subtotaal|"
    r"sous-total|amount due|balance due|net|tax|vat|mwst|tva|btw)\b",
    re.I,
)


def _pick(children: list[FieldSpec], kinds: set[str], *names: str) -> FieldSpec | None:
    for name in names:
        for child in children:
            if child.kind in kinds and name in child.name.lower():
                return child
    return None


def item_lines(
    spec: FieldSpec, layouts: list[PageLayout], hints: DocumentHints
) -> tuple[list[dict[str, Found]], str]:
    """Records of a header-less item list for the array ``spec``; ``([], "")`` if none."""
    children = spec.item.children if spec.item else []
    numeric = {"number", "integer"}
    text_child = _pick(children, {"string"}, "desc", "name", "item", "product", "title")
    amount = _pick(children, numeric, "total", "amount", "line", "price")
    quantity = _pick(children, numeric, "qty", "quant", "count")
    unit = _pick(children, numeric, "unit", "price")
    if unit is amount:
        unit = None
    if text_child is None or amount is None:
        return [], ""
    best: list[tuple[Row, Row | None]] = []
    for layout in layouts:
        run: list[tuple[Row, Row | None]] = []
        for row in layout.rows:
            text = row.text
            if _TOTALS.match(text):
                if len(run) > len(best):
                    best = run
                run = []
                continue
            if run and _QTY_TIMES.match(text) and run[-1][1] is None:
                run[-1] = (run[-1][0], row)
                continue
            if _is_item(row):
                run.append((row, None))
            elif run and len(row.cells) == 1 and len(text) < 60 and not re.search(r"\d", text):
                continue
            else:
                if len(run) > len(best):
                    best = run
                run = []
        if len(run) > len(best):
            best = run
    if not best:
        return [], ""
    leading = all(_LEADING_QTY.match(row.cells[0].text) for row, _ in best)
    default_qty = 1.0 if quantity and re.search(r"\b1 when\b", quantity.description) else None
    records = []
    for row, detail in best:
        first = row.cells[0]
        name = first.text
        record: dict[str, Any] = {}
        offset = 0
        if leading:
            match = _LEADING_QTY.match(name)
            if match and quantity is not None:
                record[quantity.name] = Found(
                    _typed(quantity, float(match.group(1))),
                    row.page,
                    first.start,
                    first.start + len(match.group(1)),
                    0.7,
                    "quantity before the item",
                )
            offset = match.end() if match else 0
        label = name[offset:].strip()
        start = first.start + name.find(label, offset)
        record[text_child.name] = Found(
            label, row.page, start, start + len(label), 0.7, "item line"
        )
        last = row.cells[-1]
        got = find_amount(last.text, hints)
        if got is not None:
            value, s, e = got
            record[amount.name] = Found(
                value,
                row.page,
                last.start + s,
                last.start + e,
                0.7,
                "amount at the end of the item line",
            )
        if detail is not None:
            match = _QTY_TIMES.match(detail.text)
            if match and quantity is not None:
                record[quantity.name] = Found(
                    _typed(quantity, float(match.group(1).replace(",", "."))),
                    detail.page,
                    detail.start,
                    detail.end,
                    0.7,
                    "'n x price' line",
                )
            if match and unit is not None:
                got = find_amount(match.group(2), hints)
                if got is not None:
                    record[unit.name] = Found(
                        got[0], detail.page, detail.start, detail.end, 0.7, "'n x price' line"
                    )
        if quantity is not None and quantity.name not in record and default_qty is not None:
            record[quantity.name] = Found(
                _typed(quantity, default_qty),
                row.page,
                first.start,
                first.start,
                0.5,
                "no quantity printed: 1 as the schema says",
            )
        records.append(record)
    return records, "item lines before the totals"


def _typed(spec: FieldSpec, value: float) -> float | int:
    return int(value) if spec.kind == "integer" else value


def _is_item(row: Row) -> bool:
    if len(row.cells) < 2 or len(row.cells) > 4:
        return False
    first, last = row.cells[0], row.cells[-1]
    return (
        re.search(r"[^\W\d_]{2}", first.text) is not None
        and ":" not in first.text
        and _AMOUNT_END.search(last.text) is not None
    )
