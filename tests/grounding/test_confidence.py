"""Confidence scores: ECE, the isotonic fit, the stored calibration and how scores combine."""

from __future__ import annotations

import pytest

from extraction.pipeline import confidence
from extraction.pipeline.grounding.calibration import (
    apply_table,
    calibration_bins,
    expected_calibration_error,
    fit_isotonic,
)


def test_ece_is_zero_when_confidence_equals_accuracy_in_every_bin():
    confidences = [0.75] * 4 + [0.25] * 4
    correct = [True, True, True, False, True, False, False, False]
    assert expected_calibration_error(confidences, correct) == pytest.approx(0.0)


def test_ece_weights_each_bin_gap_by_its_share_of_values():
    # Bin 0.9: confidence 0.95, accuracy 0.5 (gap 0.45, half the values); bin 0.0: exact.
    confidences = [0.95, 0.95, 0.0, 0.0]
    correct = [True, False, False, False]
    assert expected_calibration_error(confidences, correct) == pytest.approx(0.225)
    bins = calibration_bins(confidences, correct)
    assert [(b.low, b.count, b.accuracy) for b in bins] == [(0.0, 2, 0.0), (0.9, 2, 0.5)]


def test_ece_rejects_mismatched_inputs_and_is_zero_for_none():
    assert expected_calibration_error([], []) == 0.0
    with pytest.raises(ValueError, match="same length"):
        expected_calibration_error([0.5], [])


def test_isotonic_fit_is_monotone_and_maps_scores_to_observed_accuracy():
    scores = [0.6] * 10 + [0.7] * 10 + [0.9] * 10
    # 0.7 does worse than 0.6: the two pool into one block.
    correct = [True] * 5 + [False] * 5 + [True] * 3 + [False] * 7 + [True] * 9 + [False]
    table = fit_isotonic(scores, correct)
    assert table == ((0.65, 0.4), (0.9, 0.9))
    assert apply_table(0.6, table) == 0.4
    assert apply_table(0.775, table) == pytest.approx(0.65)
    assert apply_table(1.0, table) == 0.9


def test_stored_local_calibration_tables_are_monotone_probabilities():
    assert set(confidence.LOCAL_CALIBRATION) == {
        "field:text",
        "field:typed",
        "item:text",
        "item:typed",
    }
    for table in confidence.LOCAL_CALIBRATION.values():
        assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in table)
        assert [x for x, _ in table] == sorted(x for x, _ in table)
        assert [y for _, y in table] == sorted(y for _, y in table)


def test_local_groups_separate_fields_items_strings_and_typed_values():
    assert confidence.local_group("vendor.name", "Acme") == "field:text"
    assert confidence.local_group("total", 12.5) == "field:typed"
    assert confidence.local_group("issue_date", "2024-03-05") == "field:typed"
    assert confidence.local_group("line_items[2].amount", 3) == "item:typed"
    assert confidence.local_group("[4].sku", "A-1") == "item:text"
    assert confidence.local_group("flag", True) == "field:text"


def test_unsupported_llm_value_scores_low_even_when_the_model_is_sure():
    assert confidence.llm_confidence(0.99, is_null=False, match="not_found") <= 0.05
    assert confidence.llm_confidence(None, is_null=False, match="not_found") <= 0.05
    exact = confidence.llm_confidence(None, is_null=False, match="exact")
    fuzzy = confidence.llm_confidence(None, is_null=False, match="fuzzy", match_score=0.86)
    assert exact > fuzzy > 0.5


def test_low_logprob_lowers_an_exactly_cited_value():
    sure = confidence.llm_confidence(0.99, is_null=False, match="exact")
    unsure = confidence.llm_confidence(0.3, is_null=False, match="exact")
    assert sure > 0.9 > 0.6 > unsure


def test_combined_confidence_is_the_product_and_stays_in_range():
    scores = confidence.combine(0.9, 0.5).to_dict()
    assert scores == {
        "extraction_confidence": 0.9,
        "parsing_confidence": 0.5,
        "confidence": 0.45,
    }
    assert confidence.combine(1.4, -1).to_dict()["confidence"] == 0.0


def test_local_engine_confidence_is_calibrated_on_the_corpus(corpus):
    """The stored table keeps the local engine's ECE at or below 0.10 (10 bins)."""
    from bench.grounding import run_local
    from tests.corpus import score

    tally = run_local(corpus.root, score)
    assert len(tally.correct) > 1000
    assert expected_calibration_error(tally.confidences, tally.correct) <= 0.10
    assert tally.page_right / tally.cited >= 0.95
