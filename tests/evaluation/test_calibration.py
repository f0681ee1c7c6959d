"""Confidence calibration: accuracy per confidence bucket and the expected calibration error."""

from __future__ import annotations

import pytest

from evaluation.calibration import calibration_compute
from evaluation.results import FieldResult, Verdict


def field(confidence: float | None, correct: bool) -> FieldResult:
    verdict = Verdict.CORRECT if correct else Verdict.WRONG
    return FieldResult("f", "x", "x", verdict, "", "text", "f", confidence)


def test_ece_on_a_known_case() -> None:
    # Four fields at 0.95 of which three are right, two at 0.25 both wrong:
    # ECE = 4/6 * |0.75 - 0.95| + 2/6 * |0.0 - 0.25| = 0.1333 + 0.0833 = 0.2167.
    fields = [field(0.95, True)] * 3 + [field(0.95, False)] + [field(0.25, False)] * 2
    calibration = calibration_compute(fields)
    assert calibration.ece == pytest.approx(0.21667, abs=1e-4)
    assert calibration.mce == pytest.approx(0.25)
    high = calibration.buckets[9]
    assert (high.count, high.correct) == (4, 3)
    assert high.accuracy == pytest.approx(0.75)
    assert high.mean_confidence == pytest.approx(0.95)
    assert calibration.buckets[2].count == 2
    assert sum(bucket.count for bucket in calibration.buckets) == 6


def test_perfectly_calibrated_confidences_have_zero_ece() -> None:
    fields = [field(0.5, True), field(0.5, False), field(1.0, True), field(1.0, True)]
    assert calibration_compute(fields).ece == pytest.approx(0.0)


def test_bucket_edges_and_out_of_range_confidences() -> None:
    calibration = calibration_compute(
        [field(1.0, True), field(0.1, True), field(1.7, True), field(-0.2, False)], bucket_count=10
    )
    assert calibration.buckets[9].count == 2  # 1.0 and 1.7 (clamped) go in the last bucket
    assert calibration.buckets[1].count == 1  # 0.1 opens the second bucket
    assert calibration.buckets[0].count == 1  # -0.2 clamped to 0


def test_fields_without_confidence_are_counted_apart() -> None:
    calibration = calibration_compute(
        [field(None, True), field(float("nan"), True), field(0.9, True)]
    )
    assert (calibration.count, calibration.without_confidence) == (1, 2)
    assert calibration.ece == pytest.approx(0.1)


def test_no_confidences_give_zero_ece_and_a_bucket_count_is_required() -> None:
    assert calibration_compute([]).ece == 0.0
    assert len(calibration_compute([], bucket_count=4).buckets) == 4
    with pytest.raises(ValueError, match="at least 1"):
        calibration_compute([], bucket_count=0)


def test_calibration_serialises_its_buckets() -> None:
    data = calibration_compute([field(0.95, True), field(0.95, False)], bucket_count=2).to_dict()
    assert data["count"] == 2
    assert data["ece"] == pytest.approx(0.45)
    assert data["buckets"][1] == {
        "lower": 0.5,
        "upper": 1.0,
        "count": 2,
        "correct": 1,
        "accuracy": 0.5,
        "mean_confidence": 0.95,
    }
