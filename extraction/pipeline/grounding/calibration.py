"""Calibration of confidence scores: expected calibration error and a monotone mapping.

A score is calibrated when, among values given confidence ``c``, a fraction ``c`` are correct.
``expected_calibration_error`` measures the gap over equal-width bins; ``fit_isotonic`` learns
a non-decreasing step mapping from raw scores to observed accuracy (pool adjacent violators)
and returns it as knots for ``apply_table``, so the fitted table can be stored as constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

Table = tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Bin:
    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


def calibration_bins(
    confidences: Sequence[float], correct: Sequence[bool], *, bins: int = 10
) -> list[Bin]:
    """Equal-width bins over [0, 1] (a score of 1.0 falls in the last bin); empty bins are
    left out. Raises ValueError when the two sequences differ in length."""
    if len(confidences) != len(correct):
        raise ValueError("confidences and correct must have the same length")
    sums = [[0.0, 0.0, 0] for _ in range(bins)]
    for confidence, ok in zip(confidences, correct, strict=True):
        slot = min(bins - 1, max(0, int(confidence * bins)))
        sums[slot][0] += confidence
        sums[slot][1] += 1.0 if ok else 0.0
        sums[slot][2] += 1
    return [
        Bin(i / bins, (i + 1) / bins, int(n), conf / n, hits / n)
        for i, (conf, hits, n) in enumerate(sums)
        if n
    ]


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], *, bins: int = 10
) -> float:
    """ECE: the count-weighted mean of |accuracy - mean confidence| over ``bins`` equal-width
    bins. 0.0 for no data; raises ValueError when the sequences differ in length."""
    total = len(confidences)
    if total == 0:
        if len(correct):
            raise ValueError("confidences and correct must have the same length")
        return 0.0
    return sum(
        b.count / total * abs(b.accuracy - b.mean_confidence)
        for b in calibration_bins(confidences, correct, bins=bins)
    )


def fit_isotonic(scores: Sequence[float], correct: Sequence[bool]) -> Table:
    """A non-decreasing mapping from raw score to accuracy, as ``(score, probability)`` knots
    (one per pooled block, at the block's mean score). Raises ValueError on empty input."""
    if not scores or len(scores) != len(correct):
        raise ValueError("need the same, non-zero number of scores and outcomes")
    # Ties share one block first, so equal raw scores always map to one probability.
    blocks: list[list[float]] = []  # [sum_score, sum_correct, count]
    for score, group in groupby(sorted(zip(scores, correct, strict=True)), key=itemgetter(0)):
        oks = [ok for _, ok in group]
        blocks.append([score * len(oks), float(sum(oks)), float(len(oks))])
    pooled: list[list[float]] = []
    for block in blocks:
        pooled.append(block)
        while len(pooled) > 1 and pooled[-2][1] / pooled[-2][2] >= pooled[-1][1] / pooled[-1][2]:
            last = pooled.pop()
            for i in range(3):
                pooled[-1][i] += last[i]
    return tuple((round(s / n, 4), round(c / n, 4)) for s, c, n in pooled)


def apply_table(score: float, table: Table) -> float:
    """Map a raw score through knots by linear interpolation (flat beyond the end knots)."""
    if not table:
        return min(1.0, max(0.0, score))
    if score <= table[0][0]:
        return table[0][1]
    for (x0, y0), (x1, y1) in zip(table, table[1:], strict=False):
        if score <= x1:
            if x1 == x0:
                return y1
            return y0 + (y1 - y0) * (score - x0) / (x1 - x0)
    return table[-1][1]
