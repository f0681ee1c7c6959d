"""Tables from word positions: header rows mapped to the properties of one row object.

A header is a row where at least two cells name distinct properties (by label, synonyms or
fuzzy match). Its cells fix the columns; every following row whose cells fall into those
columns is a record, until a totals row or a row that does not fit. Separate withdrawal and
deposit columns feed one signed ``amount``. A single-cell row between records is a group
heading whose text fills a property that has no column (category, department). Tables resume
on later pages under a repeated header, or straight from the top of the page in the same
columns.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.labels import FieldSpec, label_score, normalize_label
from extraction.pipeline.engines.local.typed import match_enum, read_value
from extraction.pipeline.engines.local.vocabulary import SYNONYMS
from extraction.pipeline.values import parse_date

if TYPE_CHECKING:
    import datetime as dt

    from extraction.pipeline.engines.local.hints import DocumentHints
    from extraction.pipeline.engines.local.layout import Cell, PageLayout, Row

_SKIP_ROW = re.compile(
    r"\b(brought forward|opening balance|old balance|previous balance|übertrag|vortrag|"
    r"carried forward|à reporter|a reporter|ancien solde|vorig saldo|saldo anterior|"
    r"beginning balance|"
    r"start balance)\b",
    re.I,
)
_END_ROW = re.compile(
    r"^\W*(sub-?total|total|totals|sum|summe|gesamt|totaal|closing balance|"
    r"new balance|ending balance|net amount|net total|amount due|balance due|zwischensumme|"
    r"sous-total|subtotaal|neuer kontostand|nouveau solde|nieuw saldo|page total)\b",
    re.I,
)


_DIGIT = re.compile(r"\d")


@dataclass
class Column:
    """A header cell's x range and the property it feeds (None: a column to ignore)."""

    x0: float
    x1: float
    spec: FieldSpec | None
    sign: float = 1.0  # -1 for a withdrawals/debit column feeding a signed amount
    header: str = ""


@dataclass
class Table:
    """A header found on a page: its columns, match score and the row it ends on."""

    columns: list[Column]
    score: float
    page: int
    header_row: int
    records: list[dict[str, Found]] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=list)
    group: Found | None = None  # the group heading in force (it runs on across pages)

    @property
    def mapped(self) -> set[str]:
        return {c.spec.name for c in self.columns if c.spec is not None}


def _column_for(text: str, children: list[FieldSpec]) -> tuple[FieldSpec | None, float, float]:
    best: tuple[FieldSpec | None, float, float] = (None, 0.0, 1.0)
    for child in children:
        if child.kind in {"object", "array_obj", "array_str"}:
            continue  # a table cell holds one value
        score = label_score(text, child)
        if score > best[1]:
            best = (child, score, 1.0)
    amount = next(
        (c for c in children if c.kind in {"number", "integer"} and c.name.lower() == "amount"),
        None,
    )
    if amount is not None:
        label = normalize_label(text)
        for key, sign in (("debit", -1.0), ("credit", 1.0)):
            if label in SYNONYMS[key] and best[1] < 0.99:
                best = (amount, 0.99, sign)
    if best[1] < 0.8:
        return None, 0.0, 1.0
    return best


def find_headers(layout: PageLayout, children: list[FieldSpec]) -> list[Table]:
    """Candidate header rows on one page, best first."""
    tables = []
    for row in layout.rows:
        if len(row.cells) < 2 or len(row.cells) > 16:
            continue
        # Header cells are words; a row of figures is data, whatever it says.
        if sum(1 for cell in row.cells if not _DIGIT.search(cell.text)) < 2:
            continue
        columns = []
        scored = []
        for cell in row.cells:
            spec, score, sign = _column_for(cell.text, children)
            columns.append(Column(cell.x0, cell.x1, spec, sign, cell.text))
            scored.append(score)
        # Two header cells naming one property: the better-named one keeps it ("Total" over
        # "Price" for a line total), except signed debit/credit pairs, which share one.
        names: set[str] = set()
        total = 0.0
        for i, column in enumerate(columns):
            if column.spec is None:
                continue
            rivals = [
                j
                for j, other in enumerate(columns)
                if other.spec is column.spec and j != i and other.sign == column.sign
            ]
            if any(scored[j] > scored[i] or (scored[j] == scored[i] and j < i) for j in rivals):
                column.spec = None
                continue
            names.add(column.spec.name)
            total += scored[i]
        matched = sum(1 for c in columns if c.spec is not None)
        if len(names) >= 2 and matched >= 0.6 * len(columns):
            last = row.index
            # Header cells stacked on two lines ("Unit price" over "(USD)") sit just above or
            # below the main header row, in x ranges no other header cell covers.
            for other in _neighbours(layout, row):
                for cell in other.cells:
                    if any(min(cell.x1, c.x1) - max(cell.x0, c.x0) > 0 for c in columns):
                        continue
                    spec, score, sign = _column_for(cell.text, children)
                    if spec is not None and spec.name not in names:
                        names.add(spec.name)
                        total += score
                        columns.append(Column(cell.x0, cell.x1, spec, sign, cell.text))
                        if other.index > row.index:
                            last = other.index
            for other in _neighbours(layout, row):
                if (
                    other.index > last
                    and all(
                        any(min(cell.x1, c.x1) - max(cell.x0, c.x0) > 0 for c in columns)
                        for cell in other.cells
                    )
                    and not re.search(r"\d", other.text)
                ):
                    last = other.index
            columns.sort(key=lambda c: c.x0)
            table = Table(columns, total, layout.number, last)
            table.header_rows = list(range(min(row.index, last), last + 1))
            tables.append(table)
    tables.sort(key=lambda t: -t.score)
    return tables


def _neighbours(layout: PageLayout, row: Row) -> list[Row]:
    height = row.y1 - row.y0
    out = []
    for index in (row.index - 1, row.index + 1):
        if 0 <= index < len(layout.rows):
            other = layout.rows[index]
            if abs(other.y0 - row.y0) < height * 1.6:
                out.append(other)
    return out


def _assign(cell: Cell, columns: list[Column]) -> int | None:
    best, best_overlap = None, 0.0
    for i, column in enumerate(columns):
        overlap = min(cell.x1, column.x1) - max(cell.x0, column.x0)
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    if best is not None:
        return best
    distance, nearest = min(
        (min(abs(cell.x1 - c.x1), abs(cell.x0 - c.x0), abs(cell.xc - (c.x0 + c.x1) / 2)), i)
        for i, c in enumerate(columns)
    )
    return nearest if distance < 60 else None


def _record(
    row: Row, columns: list[Column], hints: DocumentHints
) -> tuple[dict[str, Found], int] | None:
    record: dict[str, Found] = {}
    placed = 0
    by_order = row.piped and len(row.cells) == len(columns)
    for position, cell in enumerate(row.cells):
        index = position if by_order else _assign(cell, columns)
        if index is None:
            continue
        column = columns[index]
        placed += 1
        if column.spec is None:
            continue
        spec = column.spec
        read = read_value(spec.kind, cell.text, hints, spec.schema)
        if read is None:
            # Maybe the first line of a wrapped cell ("December 25," over "2019").
            record[f"#raw:{spec.name}"] = Found(
                None, row.page, cell.start, cell.end, 0.0, "", raw=cell.text
            )
            continue
        value, start, end = read
        if spec.kind in {"number", "integer"} and column.sign < 0:
            value = -abs(value)
        if spec.name in record and spec.kind in {"number", "integer"}:
            continue
        if spec.name in record and spec.kind == "string":
            prior = record[spec.name]
            record[spec.name] = Found(
                f"{prior.value} {value}",
                row.page,
                prior.start,
                cell.start + end,
                0.9,
                prior.how,
            )
            continue
        how = f"table column '{column.header}'"
        record[spec.name] = Found(
            value, row.page, cell.start + start, cell.start + end, 0.9, how, raw=cell.text
        )
    return record, placed


def _adopt(record: dict[str, Found], row: Row, columns: list[Column]) -> None:
    """Keep a lone line's cells as the first line of this record's empty typed cells."""
    for cell in row.cells:
        index = _assign(cell, columns)
        spec = None if index is None else columns[index].spec
        if spec is None:
            continue
        name = spec.name
        if name not in record and f"#raw:{name}" not in record:
            record[f"#raw:{name}"] = Found(
                None, row.page, cell.start, cell.end, 0.0, "", raw=cell.text
            )


def _complete_wrapped(
    record: dict[str, Found], row: Row, columns: list[Column], hints: DocumentHints
) -> None:
    for cell in row.cells:
        index = _assign(cell, columns)
        if index is None:
            continue
        column = columns[index]
        spec = column.spec
        if spec is None:
            continue
        first = record.get(f"#raw:{spec.name}")
        if first is None or spec.name in record:
            continue
        text = f"{first.raw} {cell.text}"
        read = read_value(spec.kind, text, hints, spec.schema)
        if read is not None:
            record[spec.name] = Found(
                read[0],
                first.page,
                first.start,
                cell.end,
                0.8,
                f"table column '{column.header}' (wrapped)",
                raw=text,
            )


def _is_heading(row: Row, columns: list[Column]) -> bool:
    if len(row.cells) != 1:
        return False
    cell = row.cells[0]
    return not re.search(r"\d[\d.,]*\s*$", cell.text) and cell.x0 <= columns[0].x1 + 5


def read_table(
    table: Table,
    layouts: dict[int, PageLayout],
    children: list[FieldSpec],
    hints: DocumentHints,
    consumed: set[tuple[int, int]] | None = None,
) -> tuple[list[dict[str, Found]], bool]:
    """Records under ``table``'s header on its page; True when it ran to the page's end.
    Adds ``(page, row index)`` of the header and of every record row to ``consumed``."""
    consumed = consumed if consumed is not None else set()
    consumed.update((table.page, i) for i in table.header_rows)
    layout = layouts[table.page]
    rows = layout.rows
    first = table.header_row + 1
    unmapped = [c for c in children if c.name not in table.mapped and c.kind in {"string", "enum"}]
    typed = {c.spec.name for c in table.columns if c.spec is not None and c.spec.kind != "string"}
    records: list[dict[str, Found]] = []
    group: Found | None = table.group
    orphan: Row | None = None
    misses = 0
    last_y = rows[first - 1].y1 if first > 0 else 0.0
    for row in rows[first:]:
        text = row.text
        if _END_ROW.search(text):
            return records, False
        if _SKIP_ROW.search(text):
            continue
        if unmapped and _is_heading(row, table.columns):
            cell = row.cells[0]
            value: Any = cell.text
            if unmapped[0].kind == "enum":
                value = match_enum(cell.text, unmapped[0].enum)
            if value is not None:
                group = Found(value, row.page, cell.start, cell.end, 0.85, "group heading row")
                table.group = group
                continue
        got = _record(row, table.columns, hints)
        record, placed = got if got else ({}, 0)
        has_typed = any(name in typed for name in record) or not typed
        needed = max(2, math.ceil(len(table.mapped) * 0.6))
        if row.y0 - last_y > (row.y1 - row.y0) * 6 and records:
            return records, False
        filled = sum(1 for name in record if not name.startswith("#"))
        if filled >= needed and has_typed and placed >= max(2, len(row.cells) - 1):
            if group is not None and unmapped:
                record.setdefault(unmapped[0].name, group)
            if orphan is not None:
                _adopt(record, orphan, table.columns)
            orphan = None
            records.append(record)
            consumed.add((row.page, row.index))
            misses = 0
            last_y = row.y1
            continue
        if records and len(row.cells) <= 2 and row.y0 - last_y < (row.y1 - row.y0) * 2.5:
            # A wrapped line: a description keeps its first line only; a typed cell that did
            # not parse on its first line is read again with this one. It may also be the top
            # half of the next record's vertically centred two-line cell.
            _complete_wrapped(records[-1], row, table.columns, hints)
            orphan = row
            last_y = row.y1
            continue
        misses += 1
        if records and misses >= 1:
            return records, False
        if misses > 3:
            return records, False
    return records, True


def _same_columns(a: Table, b: Table) -> bool:
    """The same header repeated (possibly with other column widths on a later page)."""
    return [(c.spec.name, c.sign) for c in a.columns if c.spec is not None] == [
        (c.spec.name, c.sign) for c in b.columns if c.spec is not None
    ]


def extract_table(
    children: list[FieldSpec],
    layouts: list[PageLayout],
    hints: DocumentHints,
    consumed: set[tuple[int, int]] | None = None,
) -> tuple[list[dict[str, Found]], str]:
    """The records of the best-matching table (continued across pages) and a one-line why;
    the rows it read are added to ``consumed``."""
    by_page = {layout.number: layout for layout in layouts}
    headers: list[Table] = []
    for layout in layouts:
        headers.extend(find_headers(layout, children))
    if not headers:
        return [], ""
    best = max(headers, key=lambda t: (t.score, -t.page))
    by_header_page: dict[int, list[Table]] = {}
    for header in headers:
        by_header_page.setdefault(header.page, []).append(header)
    records: list[dict[str, Found]] = []
    table = best
    how = "table with columns " + ", ".join(
        f"'{c.header}'->{c.spec.name}" for c in best.columns if c.spec is not None
    )
    numbers = [layout.number for layout in layouts]
    index = numbers.index(best.page)
    while True:
        rows, to_end = read_table(table, by_page, children, hints, consumed)
        if table.header_row < 0 and not rows:
            break
        records.extend(rows)
        if index + 1 >= len(numbers):
            break
        index += 1
        page = numbers[index]
        group = table.group
        repeated = [t for t in by_header_page.get(page, []) if _same_columns(t, best)]
        if repeated:
            table = repeated[0]
            table.group = group
            continue
        if not to_end:
            break
        table = Table(best.columns, best.score, page, -1)
        table.group = group
    for record in records:
        for key in [k for k in record if k.startswith("#")]:
            del record[key]
    _settle_date_order(records, children, hints)
    return records, how


_FULL_YEAR = re.compile(r"\b(19|20)\d\d\b")


def _settle_date_order(
    records: list[dict[str, Found]], children: list[FieldSpec], hints: DocumentHints
) -> None:
    """Re-read a date column in the day/month order that keeps it in sequence.

    Statements list rows chronologically, so when ``09/01``-style dates are ambiguous the
    order under which consecutive dates never go backwards is the printed one.
    """
    for child in children:
        if child.kind != "date":
            continue
        found = [r[child.name] for r in records if child.name in r and r[child.name].raw]
        if len(found) < 3 or any(_FULL_YEAR.search(f.raw) for f in found):
            continue  # dates with a year follow the document's convention
        readings: dict[bool, tuple[int, list[dt.date]]] = {}
        for day_first in (True, False):
            parsed = [
                parse_date(f.raw, day_first=day_first, default_year=hints.year) for f in found
            ]
            values = [v for v in parsed if v is not None]
            if len(values) < len(parsed):
                continue
            backwards = sum(1 for a, b in zip(values, values[1:], strict=False) if b < a)
            readings[day_first] = (backwards, values)
        if len(readings) < 2 or readings[True][1] == readings[False][1]:
            continue
        best = min(readings, key=lambda k: readings[k][0])
        if readings[best][0] == readings[not best][0]:
            continue
        for item, value in zip(found, readings[best][1], strict=True):
            item.value = value.isoformat()
