"""Label/value pairs: scalar fields found next to, after or below the label that names them.

Layouts handled: ``Label: value`` in one cell, label and value in neighbouring cells (aligned
columns, right-aligned totals), the value on the line(s) below the label, and ``Label value``
without a colon when the value parses as the field's type. Every candidate is scored by label
match x position; each printed value feeds at most one field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local.labels import (
    FieldSpec,
    label_score,
    might_label,
    normalize_label,
    words_of,
)
from extraction.pipeline.engines.local.typed import read_value

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.hints import DocumentHints
    from extraction.pipeline.engines.local.layout import Cell, PageLayout, Row

MIN_LABEL = 0.8
_LATEST = re.compile(r"closing|ending|final|last")
_DIGITS = re.compile(r"\d")
_CURRENCY_CELL = re.compile(r"^(?:[A-Z]{3}|[A-Za-z]{1,3}\.?|[$€£¥₹])$")


@dataclass
class Found:
    """A value and where it was printed."""

    value: Any
    page: int
    start: int
    end: int
    score: float
    how: str  # one line for reasoning
    raw: str = ""  # the printed text the value was read from, when re-reading may be needed

    def key(self) -> tuple[int, int, int]:
        return (self.page, self.start, self.end)


def scalar_specs(specs: list[FieldSpec]) -> list[FieldSpec]:
    """Leaf specs (recursing into objects, not arrays)."""
    out = []
    for spec in specs:
        if spec.kind == "object":
            out.extend(scalar_specs(spec.children))
        elif spec.kind not in {"array_obj", "array_str"}:
            out.append(spec)
    return out


def _value_from_cell(
    spec: FieldSpec, cell: Cell, text: str, offset: int, hints: DocumentHints
) -> tuple[Any, int, int] | None:
    read = read_value(spec.kind, text, hints, spec.schema)
    if read is None:
        return None
    value, start, end = read
    if spec.kind == "string" and label_like(text):
        return None
    return value, cell.start + offset + start, cell.start + offset + end


def _grid_label(rows: list[Row], below: Cell, right: Cell | None) -> bool:
    """In a label | value grid the cell under a label is the next label: its own row has a
    cell under the value."""
    if right is None:
        return False
    for row in rows:
        if below in row.cells:
            return any(c is not below and c.x0 < right.x1 and c.x1 > right.x0 for c in row.cells)
    return False


def _sibling_heading(label: str, text: str) -> bool:
    """ "SOLD TO | SHIP TO": a value in the label's own capitals style is the next label."""
    return (
        label.isupper() and text.isupper() and len(text.split()) <= 3 and not re.search(r"\d", text)
    )


def label_like(text: str) -> bool:
    """A short text ending in a colon reads as another label, not a value."""
    return text.rstrip().endswith(":") and len(text) < 40


def _below(rows: list[Row], index: int, cell: Cell, limit: int = 2) -> list[Cell]:
    found = []
    label_height = cell.y1 - cell.y0
    last_y = cell.y1
    for row in rows[index + 1 : index + 1 + limit]:
        if row.y0 - last_y > max(label_height * 2.2, 20):
            break
        for other in row.cells:
            if other.x0 < cell.x1 + 2 and other.x1 > cell.x0 - 2 and abs(other.x0 - cell.x0) < 120:
                found.append(other)
                break
        else:
            continue
        break
    return found


def label_cells(specs: list[FieldSpec], layouts: list[PageLayout]) -> set[tuple[int, int]]:
    """(page, start) of every cell that reads as a label of some field (``specs`` should
    include objects and arrays: "Ship to" names a block even when no leaf uses it)."""
    out = set()
    for layout in layouts:
        for row in layout.rows:
            for cell in row.cells:
                text = cell.text.split(":")[0] if ":" in cell.text[:40] else cell.text
                if len(text) >= 40 or _DIGITS.search(normalize_label(text)):
                    continue  # figures and sentences are values, not labels
                if any(label_score(text, spec) >= 0.85 for spec in specs):
                    out.add((layout.number, cell.start))
    return out


def candidates(
    spec: FieldSpec,
    layouts: list[PageLayout],
    hints: DocumentHints,
    labels: set[tuple[int, int]] | None = None,
    skip_rows: set[tuple[int, int]] | None = None,
) -> list[tuple[float, Found, tuple[int, int, int]]]:
    """Every (score, value, label location) pair for ``spec`` in ``layouts``; cells in
    ``labels`` are never string values; rows in ``skip_rows`` (tables) hold no labels."""
    labels = labels or set()
    skip_rows = skip_rows or set()
    out = []
    for layout in layouts:
        rows = layout.rows
        for r, row in enumerate(rows):
            if (layout.number, r) in skip_rows:
                continue
            for c, cell in enumerate(row.cells):
                text = cell.text
                if not might_label(text, spec):
                    continue
                label_key = (layout.number, cell.start, cell.end)
                colon = text.find(":")
                if 0 < colon < len(text) - 1 and colon < 40:
                    score = label_score(text[:colon], spec)
                    if score >= MIN_LABEL:
                        rest = text[colon + 1 :]
                        offset = colon + 1
                        got = _value_from_cell(spec, cell, rest, offset, hints)
                        if got:
                            out.append(
                                (
                                    score,
                                    _found(got, layout, score, f"label '{text[:colon]}:'"),
                                    label_key,
                                )
                            )
                        continue
                score = label_score(text, spec)
                if score >= MIN_LABEL:
                    label = text.rstrip(": ")
                    targets: list[tuple[Cell, float]] = []
                    if c + 1 < len(row.cells):
                        right = row.cells[c + 1]
                        # Far to the right may be another column (a sidebar's neighbour).
                        near = right.x0 - cell.x1 < 100
                        targets.append((right, 0.99 if near else 0.95))
                        if _CURRENCY_CELL.match(right.text) and c + 2 < len(row.cells):
                            # "GST   Rs.   240.00": the currency has a column of its own.
                            targets.append((row.cells[c + 2], 0.97))
                    right_cell = row.cells[c + 1] if c + 1 < len(row.cells) else None
                    if right_cell is not None and (
                        (layout.number, right_cell.start) in labels
                        or _sibling_heading(cell.text, right_cell.text)
                        or right_cell.x0 - cell.x1 >= 100
                    ):
                        right_cell = None  # a row of labels ("SOLD TO | SHIP TO"), not a grid
                    targets += [
                        (other, 0.97)
                        for other in _below(rows, r, cell)
                        if not _grid_label(rows, other, right_cell)
                    ]
                    for target, weight in targets:
                        if spec.kind == "string" and (
                            (layout.number, target.start) in labels
                            or _sibling_heading(cell.text, target.text)
                        ):
                            continue
                        got = _value_from_cell(spec, target, target.text, 0, hints)
                        if got:
                            out.append(
                                (
                                    score * weight,
                                    _found(got, layout, score * weight, f"label '{label}'"),
                                    label_key,
                                )
                            )
                    continue
                # "Label value" without a colon: only typed or identifier-like values.
                words = text.split()
                for n in range(min(5, len(words) - 1), 0, -1):
                    head = " ".join(words[:n])
                    score = label_score(head, spec)
                    if score < MIN_LABEL:
                        continue
                    offset = text.find(words[n], len(head))
                    rest = text[offset:]
                    # Without a colon only an identifier ("Invoice Number 002993") is a value,
                    # and not one that is itself labelled ("Booking ID: 123" is not a booking).
                    if spec.kind == "string" and (
                        not re.search(r"\d", rest) or len(rest.split()) > 2 or ":" in rest[:12]
                    ):
                        break
                    got = _value_from_cell(spec, cell, rest, offset, hints)
                    if got:
                        out.append(
                            (
                                score * 0.95,
                                _found(got, layout, score * 0.95, f"label '{head}'"),
                                label_key,
                            )
                        )
                    break
    return out


def _found(got: tuple[Any, int, int], layout: PageLayout, score: float, how: str) -> Found:
    value, start, end = got
    return Found(value, layout.number, start, end, score, how)


def extract_scalars(
    specs: list[FieldSpec],
    layouts: list[PageLayout],
    hints: DocumentHints,
    skip_rows: set[tuple[int, int]] | None = None,
    all_specs: list[FieldSpec] | None = None,
) -> dict[str, Found]:
    """Best labelled value per leaf path; a printed value or label feeds one field only.
    Rows in ``skip_rows`` (already read as table rows) are not searched for labels."""
    pool = []
    labels = label_cells(all_specs or specs, layouts)
    for spec in specs:
        for score, found, label_key in candidates(spec, layouts, hints, labels, skip_rows):
            pool.append((score, spec.path, found, label_key))

    # Highest score first; among equals the earliest printed wins, except for end-of-period
    # values (closing balances), which a statement repeats and updates page by page.
    def order(item: tuple[float, str, Found, tuple[int, int, int]]) -> tuple[float, int, int]:
        late = _LATEST.search(item[1].rsplit(".", 1)[-1]) is not None
        sign = -1 if late else 1
        return (-round(item[0], 3), sign * item[2].page, sign * item[2].start)

    pool.sort(key=order)
    chosen: dict[str, Found] = {}
    used_values: set[tuple[int, int, int]] = set()
    used_labels: set[tuple[int, int, int]] = set()
    for _score, path, found, label_key in pool:
        if path in chosen or found.key() in used_values or label_key in used_labels:
            continue
        chosen[path] = found
        used_values.add(found.key())
        used_labels.add(label_key)
    return chosen


_OPENING = re.compile(r"^(opening|beginning|start|starting|initial|previous|old)_")
_CLOSING = re.compile(r"^(closing|ending|end|final|new|current)_")


def fill_dated_pairs(
    specs: list[FieldSpec], found: dict[str, Found], layouts: list[PageLayout], hints: DocumentHints
) -> None:
    """``opening_balance``/``closing_balance`` printed as "Balance on 1 Nov" / "Balance on
    30 Nov": the same label with a date; the earlier date is the opening one (in place)."""
    for opening in specs:
        match = _OPENING.match(opening.name)
        if match is None or opening.kind not in {"number", "integer"}:
            continue
        rest = opening.name[match.end() :]
        closing = next(
            (s for s in specs if _CLOSING.match(s.name) and s.name.endswith("_" + rest)), None
        )
        if closing is None or found.get(closing.path):
            continue
        dated = []
        for layout in layouts[:1]:
            for row in layout.rows:
                for index, cell in enumerate(row.cells[:-1]):
                    if normalize_label(cell.text) != words_of(rest):
                        continue
                    when = read_value("date", cell.text, hints, {})
                    value = read_value(opening.kind, row.cells[index + 1].text, hints, {})
                    if when is None or value is None:
                        continue
                    target = row.cells[index + 1]
                    dated.append(
                        (
                            when[0],
                            Found(
                                value[0],
                                layout.number,
                                target.start + value[1],
                                target.start + value[2],
                                0.7,
                                f"label '{cell.text}'",
                            ),
                        )
                    )
        if len(dated) >= 2:
            dated.sort(key=lambda item: item[0])
            found.setdefault(opening.path, dated[0][1])
            found[closing.path] = dated[-1][1]
