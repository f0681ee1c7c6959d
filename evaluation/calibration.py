"""Confidence calibration: is a field scored 0.9 right nine times in ten?

In: scored fields (``FieldResult``) carrying the confidence the extraction gave them. Out: a
``Calibration``: the fields split into equal-width confidence buckets, each with its accuracy
and mean confidence, and the expected calibration error

    ECE = sum over buckets of (fields in bucket / all fields) * |accuracy - mean confidence|

(0 is perfect; a model that says 0.9 and is right half the time scores 0.4). Fields without a
confidence are counted apart (``without_confidence``) and left out of the buckets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from evaluation.results import FieldResult

__all__ = ["Calibration", "CalibrationBucket", "calibration_compute"]


@dataclass(frozen=True)
class CalibrationBucket:
    """The fields whose confidence lies in ``[lower, upper)`` (the last bucket includes 1.0)."""

    lower: float
    upper: float
    count: int
    correct: int
    confidence_sum: float

    @property
    def accuracy(self) -> float:
        return self.correct / self.count if self.count else 0.0

    @property
    def mean_confidence(self) -> float:
        return self.confidence_sum / self.count if self.count else 0.0

    @property
    def gap(self) -> float:
        """|accuracy - mean confidence|; 0 for an empty bucket."""
        return abs(self.accuracy - self.mean_confidence) if self.count else 0.0


@dataclass(frozen=True)
class Calibration:
    buckets: tuple[CalibrationBucket, ...]
    without_confidence: int

    @property
    def count(self) -> int:
        return sum(bucket.count for bucket in self.buckets)

    @property
    def ece(self) -> float:
        """Expected calibration error over the fields that have a confidence (0 when none)."""
        total = self.count
        if not total:
            return 0.0
        return sum(bucket.count / total * bucket.gap for bucket in self.buckets)

    @property
    def mce(self) -> float:
        """Maximum calibration error: the largest gap of a non-empty bucket."""
        return max((bucket.gap for bucket in self.buckets if bucket.count), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ece": self.ece,
            "mce": self.mce,
            "count": self.count,
            "without_confidence": self.without_confidence,
            "buckets": [
                {
                    "lower": bucket.lower,
                    "upper": bucket.upper,
                    "count": bucket.count,
                    "correct": bucket.correct,
                    "accuracy": bucket.accuracy,
                    "mean_confidence": bucket.mean_confidence,
                }
                for bucket in self.buckets
            ],
        }


def calibration_compute(fields: Iterable[FieldResult], *, bucket_count: int = 10) -> Calibration:
    """Bucket ``fields`` by confidence (``bucket_count`` equal-width buckets over [0, 1]).

    Confidences outside [0, 1] are clamped; NaN counts as no confidence. Raises
    ``ValueError`` when ``bucket_count`` is below 1.
    """
    if bucket_count < 1:
        raise ValueError("bucket_count must be at least 1")
    counts = [0] * bucket_count
    correct = [0] * bucket_count
    sums = [0.0] * bucket_count
    without = 0
    for result in fields:
        confidence = result.confidence
        if confidence is None or math.isnan(confidence):
            without += 1
            continue
        confidence = min(max(confidence, 0.0), 1.0)
        index = min(int(confidence * bucket_count), bucket_count - 1)
        counts[index] += 1
        correct[index] += 1 if result.correct else 0
        sums[index] += confidence
    buckets = tuple(
        CalibrationBucket(
            lower=index / bucket_count,
            upper=(index + 1) / bucket_count,
            count=counts[index],
            correct=correct[index],
            confidence_sum=sums[index],
        )
        for index in range(bucket_count)
    )
    return Calibration(buckets=buckets, without_confidence=without)
