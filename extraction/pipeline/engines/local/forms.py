"""Filled-in forms: each value sits in the box its printed label heads.

A form prints a label at the top of each box ("5 Address (number, street, and apt. or suite
no.)", "PAYER'S TIN", "13 Excess golden parachute payments") and the filled-in value below
it, in the box's column; at a signature line the label is printed under the value. Widget
values of a fillable PDF arrive as positioned words, checkboxes as "checked"/"unchecked".

``fill_form`` matches each field to the caption that names it (``form_labels``: by the line
or box number and the words of the field's name and description). The value is read in the
label's box: the rows below it, between the label's left edge and the next label to its
right, down to the next row of labels; else the row just above the label. Enums and booleans
read the checked box.
"""

from __future__ import annotations

import re
import statistics
from typing import TYPE_CHECKING, Any

from extraction.pipeline.engines.local.fields import Found
from extraction.pipeline.engines.local.form_labels import (
    CHECKED,
    FormLabel,
    continuation,
    field_words,
    form_label_score,
    form_labels,
    label_number,
    squeeze,
)
from extraction.pipeline.engines.local.labels import FieldSpec, words_of
from extraction.pipeline.engines.local.meaning import meaning_of
from extraction.pipeline.engines.local.typed import read_value
from extraction.pipeline.values import parse_bool

if TYPE_CHECKING:
    from extraction.pipeline.engines.local.hints import DocumentHints
    from extraction.pipeline.engines.local.layout import Cell, PageLayout, Row

FORM_PAGES = 2
MIN_LABEL = 0.45
MIN_NUMBERED = 2  # a schema naming this many printed line/box numbers describes a form
EMPTY_BOX_LABEL = 0.7  # a label this sure whose box is empty makes the field null
FOOTER = 0.94  # rows below this share of the page height are its footer, never a value
_INSTRUCTION = re.compile(
    r"\b(see|instructions?|if any|if required|optional|check|enter|print|type|form)\b", re.I
)
_CURRENCY_SIGN = re.compile(r"^[$€£]?\s*$")


def fill_form(
    leaves: list[FieldSpec],
    found: dict[str, Any],
    layouts: list[PageLayout],
    hints: DocumentHints,
) -> None:
    """Fill (in place) top-level leaves from the boxes of a form, over what other finders
    read: a schema that names printed line or box numbers describes a form. Other schemas
    are left alone."""
    targets = [s for s in leaves if "." not in s.path]
    numbered = sum(1 for s in targets if meaning_of(s).line is not None)
    if numbered < MIN_NUMBERED or not layouts:
        return  # not a form's schema: its boxes are not how the fields are printed
    wanted = targets
    pages = layouts[:FORM_PAGES]
    lines = frozenset(m.line for m in (meaning_of(s) for s in targets) if m.line is not None)
    labels = {layout.number: form_labels(layout, lines) for layout in pages}
    picks: dict[str, tuple[float, PageLayout, FormLabel]] = {}
    for spec in wanted:
        meaning = meaning_of(spec)
        name, described = field_words(meaning)
        best: tuple[float, PageLayout, FormLabel] | None = None
        for layout in pages:
            for label in labels[layout.number]:
                score = form_label_score(label, meaning, name, described)
                if best is None or score > best[0]:
                    best = (score, layout, label)
        if best is not None and best[0] >= MIN_LABEL:
            picks[spec.path] = best
    label_cells = {
        layout.number: {
            (label.row.index, label.cell.start)
            for label in labels[layout.number]
            if label.own_number or len(label.text.split()) >= 6
        }
        | {
            (pick[2].row.index, pick[2].cell.start)
            for pick in picks.values()
            if pick[1].number == layout.number
        }
        for layout in pages
    }
    shared: dict[tuple[int, int], list[FieldSpec]] = {}
    for spec in wanted:
        if spec.path in picks:
            _score, layout, label = picks[spec.path]
            shared.setdefault((layout.number, label.cell.start), []).append(spec)
    for spec in wanted:
        if spec.path not in picks:
            continue
        score, layout, label = picks[spec.path]
        siblings = shared[(layout.number, label.cell.start)]
        value = _read_box(spec, layout, label, label_cells[layout.number], hints, siblings, lines)
        if value is not None:
            value.score = round(min(0.85, 0.45 + 0.4 * score), 3)
            found[spec.path] = value
        elif score >= EMPTY_BOX_LABEL:
            found.pop(spec.path, None)  # its box is there and empty: what else was read is not it


def _box_right_edge(layout: PageLayout, label: FormLabel, lines: frozenset[str]) -> float:
    """Where the label's box ends on the right: the next label or box number on its row, or
    a numbered label just above or below that starts further right (the box's border)."""
    edges = [layout.page.width]
    for cell in label.row.cells:
        if cell.x0 > label.cell.x1 + 4 and (
            sum(1 for c in cell.text if c.isalpha()) >= 2 or re.fullmatch(r"\d{1,2}", cell.text)
        ):
            edges.append(cell.x0 - 2)
            break
    # Boxes below share the border (1099 boxes stack in columns); those above may not.
    rows = layout.rows[label.row.index + 1 : label.row.index + 8]
    for row in rows:
        for index, cell in enumerate(row.cells):
            number, x0 = label_number(row, index, lines)
            if cell.x0 > label.x0 + 30 and number is not None:
                edges.append(x0 - 2)
                break
    return min(edges)


def _in_column(cell: Cell, left: float, right: float) -> bool:
    """The cell sits in the box: overlapping it, its centre inside, not starting far left."""
    return cell.x1 > left and cell.xc < right and cell.x0 > left - 40


def _is_label_row(
    row: Row, cells: set[tuple[int, int]], left: float, right: float, lines: frozenset[str]
) -> bool:
    """A row that starts the next box: a label (or a box number before one) in the column."""
    for index, cell in enumerate(row.cells):
        if not _in_column(cell, left, right):
            continue
        following = row.cells[index + 1] if index + 1 < len(row.cells) else None
        if (
            cell.text.strip(" .") in lines
            and following is not None
            and following.x0 - cell.x1 < 30
            and sum(1 for c in following.text if c.isalpha()) >= 3
        ):
            return True  # "10 | Special rates and conditions": the next box's number
        if (row.index, cell.start) in cells:
            return True
    return False


def _value_like(text: str) -> bool:
    return bool(re.search(r"\d", text)) and len(text.split()) <= 4


def _read_box(
    spec: FieldSpec,
    layout: PageLayout,
    label: FormLabel,
    label_cells: set[tuple[int, int]],
    hints: DocumentHints,
    siblings: list[FieldSpec],
    lines: frozenset[str],
) -> Found | None:
    left = label.x0 - 12
    right = _box_right_edge(layout, label, lines)
    rows = layout.rows
    footer = FOOTER * layout.page.height
    values: list[tuple[Row, list[Cell]]] = []
    # A value may sit beside the label's own continuation lines ("7 | of the treaty ...").
    for row in rows[label.row.index + 1 : label.last_row + 1]:
        beside = [
            c
            for c in row.cells
            if _in_column(c, left, right)
            and c.start not in label.parts
            and (row.index, c.start) not in label_cells
        ]
        if beside and spec.kind not in {"boolean", "enum"}:
            values.append((row, beside))
    for row in rows[label.last_row + 1 : label.last_row + 8]:
        if row.y0 - rows[label.last_row].y1 > 90 or row.y0 > footer:
            break
        if _is_label_row(row, label_cells, left, right, lines):
            break
        cells = [c for c in row.cells if _in_column(c, left, right)]
        if not cells:
            continue
        if not values and all(continuation(c.text) for c in cells):
            if spec.kind == "boolean" and any(CHECKED.search(c.text) for c in cells):
                values.append((row, cells))
            continue
        values.append((row, cells))
    inline = _inline_value(layout, label, numeric=spec.kind in {"number", "integer"})
    if spec.kind in {"boolean", "enum"}:
        span = [
            (row, [c for c in row.cells if _in_column(c, left, right)])
            for row in rows[label.row.index : label.last_row + 1]
        ]
        return _checked_value(spec, layout, label, span + values, right)
    if inline is not None:
        # Words in another size inside the label's line are what was typed into its blank.
        value = _typed(
            spec, inline[0], inline[1], layout.number, hints, "filled in beside the label"
        )
        if value is not None:
            return value
    if not values and not label.own_number:
        # Signature lines print their labels under the value; a numbered box never does.
        above = _row_above(layout, label, left, right, label_cells)
        if above is not None:
            values = [above]
    if layout.page.ocr:
        values = _join_skewed(values)
    for _row, cells in values:
        text = " ".join(c.text for c in cells)
        if spec.kind == "string" and (_INSTRUCTION.search(text) and len(text.split()) > 5):
            continue
        if spec.kind != "string":
            # A figure or date is one cell: the leftmost in the box that reads as one.
            for cell in cells:
                value = _typed(
                    spec, cell.text, cell.start, layout.number, hints, "box under the label"
                )
                if value is not None:
                    return value
            continue
        value = _typed(spec, text, cells[0].start, layout.number, hints, "box under the label")
        if value is None:
            continue
        if spec.kind == "string" and len(siblings) > 1:
            value = _split_shared(spec, siblings, values, layout.number) or value
        return value
    return None


def _join_skewed(values: list[tuple[Row, list[Cell]]]) -> list[tuple[Row, list[Cell]]]:
    """Words of one handwritten line that a slant put on two rows ("PARK" a little above
    "JOHN" to its left) are one value, left to right."""
    if len(values) < 2:
        return values
    (first, cells), (second, more) = values[0], values[1]
    side_by_side = all(a.x1 <= b.x0 or b.x1 <= a.x0 for a in cells for b in more)
    if side_by_side and second.y0 < first.y1 - 0.25 * (first.y1 - first.y0):
        joined = sorted([*cells, *more], key=lambda cell: cell.x0)
        return [(first, joined), *values[2:]]
    return values


def _typed(
    spec: FieldSpec, text: str, start: int, page: int, hints: DocumentHints, how: str
) -> Found | None:
    cleaned = re.sub(r"\b(un)?checked\b", " ", text).strip(" ,")
    if not cleaned or _CURRENCY_SIGN.match(cleaned) or not re.search(r"\w", cleaned):
        return None
    if spec.kind == "string":
        cleaned = re.sub(r"^\$\s*", "", cleaned).strip()
        if len(cleaned.split()) > 12:
            return None
        offset = text.find(cleaned)
        return Found(cleaned, page, start + offset, start + offset + len(cleaned), 0.6, how)
    got = read_value(spec.kind, cleaned, hints, spec.schema)
    if got is None:
        return None
    value, s, e = got
    offset = text.find(cleaned)
    return Found(value, page, start + offset + s, start + offset + e, 0.6, how)


def _split_shared(
    spec: FieldSpec, siblings: list[FieldSpec], values: list[tuple[Row, list[Cell]]], page: int
) -> Found | None:
    """One box holding a name and an address ("PAYER'S name, street address, city ..."):
    the name field takes the first line, the address field the rest."""
    lines = [(row, " ".join(c.text for c in cells).strip(" ,"), cells) for row, cells in values]
    lines = [line for line in lines if line[1]]
    if len(lines) < 2:
        return None
    words = set(words_of(spec.name).split())
    others = [set(words_of(s.name).split()) for s in siblings if s is not spec]
    if "address" in words and any("name" in o for o in others):
        rest = lines[1:]
        text = " ".join(line[1] for line in rest)
        return Found(text, page, rest[0][2][0].start, rest[-1][2][-1].end, 0.6, "rest of the box")
    if "name" in words and any("address" in o for o in others):
        first = lines[0]
        return Found(
            first[1],
            page,
            first[2][0].start,
            first[2][0].start + len(first[1]),
            0.6,
            "first line of the box",
        )
    return None


def _row_above(
    layout: PageLayout,
    label: FormLabel,
    left: float,
    right: float,
    label_cells: set[tuple[int, int]],
) -> tuple[Row, list[Cell]] | None:
    """The value written on the line a label is printed under (signature blocks)."""
    if label.row.index == 0:
        return None
    row = layout.rows[label.row.index - 1]
    if label.row.y0 - row.y1 > 25:
        return None
    cells = [
        c
        for c in row.cells
        if _in_column(c, left, right)
        and (row.index, c.start) not in label_cells
        or _value_like(c.text)
    ]
    cells = [c for c in cells if _in_column(c, left, right)]
    if not cells or any(len(c.text.split()) > 6 for c in cells):
        return None
    return row, cells


def _inline_value(layout: PageLayout, label: FormLabel, *, numeric: bool) -> tuple[str, int] | None:
    """A value filled into a blank inside the label's own line: words printed in another
    size than the label's, after some of its words ("... is a resident of Canada within the
    meaning ..."), or for a figure at the end of the cell just left of the label ("to claim
    a 1 | % rate of withholding"). Scans have no reliable sizes: none there."""
    if layout.page.ocr:
        return None
    found = _odd_words(layout, label.cell.start, label.cell.end)
    if found is None and numeric:
        index = label.row.cells.index(label.cell)
        if index > 0:
            left = label.row.cells[index - 1]
            found = _odd_words(layout, left.start, left.end, tail=True)
    return found


def _odd_words(
    layout: PageLayout, start: int, end: int, *, tail: bool = False
) -> tuple[str, int] | None:
    words = [w for w in layout.page.words if start <= w.start < end]
    sizes = [w.font_size for w in words if w.font_size]
    if len(sizes) < 3:
        return None
    usual = statistics.median(sizes)
    odd = [w for w in words if w.font_size and abs(w.font_size - usual) > 0.3 * usual]
    if not odd or len(odd) > len(words) / 2 or (tail and odd[-1] is not words[-1]):
        return None
    if odd[0] is words[0] or any(b.start - a.end > 2 for a, b in zip(odd, odd[1:], strict=False)):
        return None  # text before the label's words (a margin note), or not one blank
    text = " ".join(w.text for w in odd)
    return text, odd[0].start


def _checked_value(
    spec: FieldSpec,
    layout: PageLayout,
    label: FormLabel,
    values: list[tuple[Row, list[Cell]]],
    right: float,
) -> Found | None:
    """A boolean from the box's checkbox; an enum from the option whose box is checked."""
    if spec.kind == "boolean":
        cells = [c for c in label.row.cells if c.x0 >= label.cell.x0 and c.x0 < right]
        for _row, row_cells in [(label.row, cells), *values]:
            for cell in row_cells:
                mark = CHECKED.search(cell.text)
                if mark:
                    token = mark.group(0).lower()
                    value = parse_bool(token) if token not in {"[ ]", "[x]"} else token == "[x]"
                    if value is None:
                        value = token in {"☑", "☒", "✓", "✔", "■"}
                    start = cell.start + mark.start()
                    return Found(
                        value,
                        layout.number,
                        start,
                        start + len(mark.group(0)),
                        0.6,
                        "checkbox in the box",
                    )
        return None
    return checked_option(spec, layout)


def checked_option(spec: FieldSpec, layout: PageLayout) -> Found | None:
    """The enum option printed after a checked box ("checked Partnership")."""
    from extraction.pipeline.engines.local.typed import match_enum

    options = [o for o in spec.enum if isinstance(o, str)]
    for row in layout.rows:
        for match in re.finditer(r"\bchecked\s+([^\n]{2,40}?)(?=\s+(?:un)?checked\b|$)", row.text):
            option = match_enum(match.group(1), options) or _loose_option(match.group(1), options)
            if option is not None:
                start = row.start + match.start(1)
                return Found(
                    option, layout.number, start, start + len(match.group(1)), 0.7, "checked box"
                )
    return None


def _loose_option(text: str, options: list[str]) -> str | None:
    """The option whose words the printed option text starts with ("Individual/sole
    proprietor or" -> individual_sole_proprietor, "C Corporation" -> c_corporation)."""
    printed = squeeze(text)
    best = None
    for option in options:
        compact = squeeze(option)
        longer = best is None or len(compact) > len(squeeze(best))
        if compact and printed.startswith(compact[: max(4, len(compact) - 2)]) and longer:
            best = option
    return best
