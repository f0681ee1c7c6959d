"""Reading order across columns: a two-column paper or a CV sidebar is read column by column.

``split_columns`` takes visual rows (words left to right, rows top to bottom) and finds runs of
rows that share an empty vertical gutter. A run is read left column first, then right, when the
text on its sides looks like prose (several words per row, no cell-like gaps inside); tables
and label/value blocks are left row by row, since their rows are what carries the meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median
from typing import Protocol, TypeVar


class Positioned(Protocol):
    x0: float
    x1: float
    y0: float
    y1: float


# A visual row: words sorted left to right. The helpers only read rows; split_columns gives back
# rows of the words it was given.
Row = Sequence[Positioned]
_P = TypeVar("_P", bound=Positioned)

MIN_REGION_ROWS = 4
MAX_DEPTH = 3


def _gaps(row: Row, min_gap: float) -> list[tuple[float, float]]:
    return [
        (left.x1, right.x0)
        for left, right in zip(row, row[1:], strict=False)
        if right.x0 - left.x1 >= min_gap
    ]


def _one_gap_beside_prose(row: Row, min_gap: float) -> bool:
    split = -1
    for index in range(1, len(row)):
        if row[index].x0 - row[index - 1].x1 >= min_gap:
            if split >= 0:
                return False
            split = index
    return split > 0 and max(split, len(row) - split) >= 5


def _intersect(
    free: list[tuple[float, float]], row: Row, min_gap: float
) -> list[tuple[float, float]]:
    result: list[tuple[float, float]] = []
    for a, b in free:
        pieces = [(a, b)]
        for word in row:
            next_pieces = []
            for pa, pb in pieces:
                if word.x1 <= pa or word.x0 >= pb:
                    next_pieces.append((pa, pb))
                    continue
                if word.x0 - pa >= min_gap:
                    next_pieces.append((pa, word.x0))
                if pb - word.x1 >= min_gap:
                    next_pieces.append((word.x1, pb))
            pieces = next_pieces
        result.extend(pieces)
    return result


def _left_aligned(rows: Sequence[Row]) -> bool:
    edge = min(row[0].x0 for row in rows)
    return sum(1 for row in rows if row[0].x0 - edge <= 3.0) >= 0.7 * len(rows)


def _fills(rows: Sequence[Row]) -> bool:
    left = min(row[0].x0 for row in rows)
    right = max(row[-1].x1 for row in rows)
    reach = right - 0.15 * (right - left)
    return sum(1 for row in rows if row[-1].x1 >= reach) >= 0.5 * len(rows)


def _is_prose_split(left: Sequence[Row], right: Sequence[Row], min_gap: float) -> bool:
    """Whether a run cut at a gutter is two columns of text (or a left sidebar beside text),
    rather than a table, label/value pairs or right-aligned dates beside body text."""
    left_rows = [row for row in left if row]
    right_rows = [row for row in right if row]
    if len(left_rows) < 3 or len(right_rows) < 3:
        return False
    for side in (left_rows, right_rows):
        cell_like = sum(1 for row in side if _gaps(row, min_gap))
        if cell_like > 0.2 * len(side) or not _left_aligned(side):
            return False
    left_words = median(len(row) for row in left_rows)
    right_words = median(len(row) for row in right_rows)
    # Two columns of text: both hold a good share of the rows and several words per row (a
    # few dates or an amount column beside text do not), and one is prose filling its column.
    substantial = (
        min(len(left_rows), len(right_rows)) >= 0.4 * len(left)
        and min(left_words, right_words) >= 3
    )
    if substantial and (
        (left_words >= 5 and _fills(left_rows)) or (right_words >= 5 and _fills(right_rows))
    ):
        return True
    # A sidebar of short items (contact, skills) left of main text that is at least as long.
    return left_words <= 3 and right_words >= 5 and len(right_rows) >= max(8, len(left_rows))


def split_columns(rows: list[list[_P]], min_gap: float, depth: int = 0) -> list[list[_P]]:
    """Reorder ``rows`` so multi-column runs are read column by column (see module docstring).

    ``min_gap`` is the narrowest gutter, in points. Rows inside a split run are cut at the
    gutter, so one input row may become two output rows.
    """
    if depth >= MAX_DEPTH or len(rows) < MIN_REGION_ROWS:
        return rows
    # Rows of two columns have one gutter gap with prose on at least one side; table rows
    # usually have several gaps and label/value rows few words. Without enough such rows
    # there is nothing to split, and most pages skip the search.
    if sum(1 for row in rows if _one_gap_beside_prose(row, min_gap)) < MIN_REGION_ROWS:
        return rows
    out: list[list[_P]] = []
    start = 0
    while start < len(rows):
        free = _gaps(rows[start], min_gap)
        end = start + 1
        while free and end < len(rows):
            narrowed = _intersect(free, rows[end], min_gap)
            if not narrowed:
                break
            free = narrowed
            end += 1
        if free and end - start >= MIN_REGION_ROWS:
            gutter_a, gutter_b = max(free, key=lambda gap: gap[1] - gap[0])
            region = rows[start:end]
            left = [[w for w in row if w.x1 <= gutter_a] for row in region]
            right = [[w for w in row if w.x0 >= gutter_b] for row in region]
            if _is_prose_split(left, right, min_gap):
                out.extend(split_columns([row for row in left if row], min_gap, depth + 1))
                out.extend(split_columns([row for row in right if row], min_gap, depth + 1))
                start = end
                continue
        # No split here. Rows up to the middle of this run share its gutters and would give
        # the same answer, so skip them: this keeps long tables from costing n^2 attempts.
        skip = max(1, (end - start) // 2)
        out.extend(rows[start : start + skip])
        start += skip
    return out
